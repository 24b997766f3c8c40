"""What every service's app has in common: its Kafka broker, the routes operators and
orchestrators call (/healthz, /readyz, /metrics), security headers on every answer, and
whether /docs and /openapi.json are served. The app keeps its pool and broker in
``app.state.pool`` and ``app.state.broker``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

from fastapi import Depends, FastAPI, Request, Response, status
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gigalert_shared.auth_guards import token_guard
from gigalert_shared.logs import BROKER_LOGGER
from gigalert_shared.settings import HttpSettings, KafkaSettings

__all__ = [
    "API_SECURITY_HEADERS",
    "ApiSecurityHeaders",
    "add_ops_routes",
    "docs_urls",
    "kafka_broker",
]


def kafka_broker(kafka: KafkaSettings, service: str) -> KafkaBroker:
    return KafkaBroker(
        kafka.bootstrap_servers,
        client_id=f"{kafka.client_id}-{service}",
        enable_idempotence=True,
        logger=BROKER_LOGGER,
        log_level=logging.DEBUG,  # per-message lines hidden; handler errors logged at ERROR
    )


def docs_urls(http: HttpSettings) -> dict[str, Any]:
    """FastAPI's arguments for /docs, /redoc and /openapi.json: off unless
    ``GIGALERT_HTTP_DOCS`` is true (``app.openapi()`` still builds the document)."""
    if http.docs:
        return {}
    return {"docs_url": None, "redoc_url": None, "openapi_url": None}


API_SECURITY_HEADERS: Final = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]
_DOCS_CSP: Final = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'"
)


class ApiSecurityHeaders:
    """Plain ASGI middleware for the JSON services (ingest, matcher, notifier): nosniff, no
    framing, no referrer, ``no-store`` on every answer. Headers the app set itself win.
    (/docs, when enabled, gets a CSP that lets Swagger UI load.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in ("/docs", "/redoc")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in API_SECURITY_HEADERS:
                    if name not in present:
                        if docs and name == b"content-security-policy":
                            value = _DOCS_CSP
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_ops_routes(
    app: FastAPI,
    http: HttpSettings,
    *,
    checks: Callable[[FastAPI], dict[str, bool]] | None = None,
    before_metrics: Callable[[FastAPI], None] | None = None,
) -> None:
    """``/healthz`` (the process answers), ``/readyz`` (Postgres and Kafka reachable, and
    whatever ``checks`` adds), ``/metrics`` (Prometheus text, only with
    ``Authorization: Bearer`` the metrics or the admin token; 404 when neither is set;
    ``before_metrics`` may set gauges first)."""
    metrics_token = token_guard(
        [http.metrics_token, http.admin_token],
        detail="missing or wrong metrics token",
        unset_status=status.HTTP_404_NOT_FOUND,
        unset_detail="Not Found",
    )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        state = request.app.state
        found = checks(request.app) if checks else {}
        try:
            found["postgres"] = await state.pool.fetchval("SELECT 1") == 1
        except Exception:
            found["postgres"] = False
        broker = getattr(state, "broker", None)
        if broker is not None:  # the web app talks to Postgres only
            found["kafka"] = await broker.ping(timeout=2.0)
        ok = all(found.values())
        return JSONResponse({"ready": ok, **found}, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False, dependencies=[Depends(metrics_token)])
    async def metrics(request: Request) -> Response:
        if before_metrics:
            before_metrics(request.app)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
