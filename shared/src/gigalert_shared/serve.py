"""Running a service's ASGI app: JSON logs, the configured port, graceful shutdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import uvicorn

from gigalert_shared.logs import configure_logging
from gigalert_shared.settings import Settings, get_settings


def serve(
    service: str, create_app: Callable[[Settings], Any], port: Callable[[Settings], int]
) -> None:
    """Serve until SIGTERM; in-flight requests get 20 s to finish, then the app's lifespan
    stops its consumers and flushes its producers."""
    settings = get_settings()
    configure_logging(settings.log_level, service)
    uvicorn.run(
        create_app(settings),
        host=settings.http.host,
        port=port(settings),
        log_config=None,
        timeout_graceful_shutdown=20,
    )
