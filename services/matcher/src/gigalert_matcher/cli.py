"""``gigalert matcher serve``."""

from __future__ import annotations

import typer

from gigalert_shared.serve import serve as serve_app

matcher_app = typer.Typer(help="The matcher service.", no_args_is_help=True)


@matcher_app.command("serve")
def serve() -> None:
    """Run the freelancer API and the gigs.posted consumer."""
    from gigalert_matcher.api.app import create_app

    serve_app("matcher", create_app, lambda s: s.http.matcher_port)
