"""Running a service's ASGI app: JSON logs, the configured port, graceful shutdown, and a
refusal to start with unsafe settings outside ``GIGALERT_ENV=development``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import uvicorn

from gigalert_shared.logs import configure_logging
from gigalert_shared.settings import Settings, get_settings
from gigalert_shared.startup_checks import unsafe_settings

log = logging.getLogger("gigalert.startup")

EXIT_UNSAFE_SETTINGS = 78  # EX_CONFIG


def check_settings(settings: Settings, service: str) -> None:
    """Log why the settings are unsafe, in one line; in production, exit non-zero."""
    problems = unsafe_settings(settings, service)
    if not problems:
        return
    reasons = "; ".join(problems)
    if settings.env == "development":
        log.warning(f"unsafe settings allowed by GIGALERT_ENV=development: {reasons}")
        return
    log.error(
        f"refusing to start {service}: {reasons} "
        "(set real secrets and an https URL, or GIGALERT_ENV=development on a laptop)"
    )
    raise SystemExit(EXIT_UNSAFE_SETTINGS)


def uvicorn_config(settings: Settings, app: Any, port: int) -> uvicorn.Config:
    """X-Forwarded-For is believed only from ``GIGALERT_HTTP_FORWARDED_ALLOW_IPS`` (none by
    default: uvicorn would otherwise trust 127.0.0.1, or its FORWARDED_ALLOW_IPS)."""
    trusted = settings.http.forwarded_allow_ips.strip()
    return uvicorn.Config(
        app,
        host=settings.http.host,
        port=port,
        log_config=None,
        timeout_graceful_shutdown=20,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
    )


def serve(
    service: str, create_app: Callable[[Settings], Any], port: Callable[[Settings], int]
) -> None:
    """Serve until SIGTERM; in-flight requests get 20 s to finish, then the app's lifespan
    stops its consumers and flushes its producers."""
    settings = get_settings()
    configure_logging(settings.log_level, service)
    check_settings(settings, service)
    server = uvicorn.Server(uvicorn_config(settings, create_app(settings), port(settings)))
    server.run()
    if not server.started:  # as uvicorn.run: a failed startup exits non-zero
        raise SystemExit(3)
