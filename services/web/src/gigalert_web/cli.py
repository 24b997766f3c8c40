"""``gigalert web serve``."""

from __future__ import annotations

import typer

from gigalert_shared.serve import serve as serve_app

web_app = typer.Typer(help="The web app: the freelancer's pages and API.", no_args_is_help=True)


@web_app.command("serve")
def serve() -> None:
    """Run the pages, the freelancer API and the LINE webhook."""
    from gigalert_web.app import create_app

    serve_app("web", create_app, lambda s: s.web.port)
