"""``gigalert matcher serve``."""

from __future__ import annotations

import typer
import uvicorn

from gigalert_shared.logs import configure_logging
from gigalert_shared.settings import get_settings

matcher_app = typer.Typer(help="The matcher service.", no_args_is_help=True)


@matcher_app.command("serve")
def serve() -> None:
    """Run the freelancer API and the gigs.posted consumer."""
    from gigalert_matcher.api.app import create_app

    settings = get_settings()
    configure_logging(settings.log_level, "matcher")
    uvicorn.run(
        create_app(settings),
        host=settings.http.host,
        port=settings.http.matcher_port,
        log_config=None,
        timeout_graceful_shutdown=20,
    )
