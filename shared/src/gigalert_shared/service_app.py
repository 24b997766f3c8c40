"""What every service's app has in common (:func:`service_app`): its Kafka broker, the
routes operators and orchestrators call (/healthz, /readyz, /metrics), security headers on
every answer, and whether /docs and /openapi.json are served. The app keeps its pool and
broker in ``app.state.pool`` and ``app.state.broker``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import Depends, FastAPI, Request, Response, status
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gigalert_shared.auth_guards import token_guard
from gigalert_shared.auth_limit import AuthFailureLimiter
from gigalert_shared.http_errors import install_http_errors
from gigalert_shared.http_middleware import ApiSecurityHeaders
from gigalert_shared.logs import BROKER_LOGGER
from gigalert_shared.settings import HttpSettings, KafkaSettings

__all__ = ["add_ops_routes", "docs_urls", "kafka_broker", "service_app"]


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


def service_app(
    http: HttpSettings,
    *,
    title: str,
    description: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    max_body_size: int = 64_000,
    api_headers: bool = True,
    checks: Callable[[FastAPI], dict[str, bool]] | None = None,
    before_metrics: Callable[[FastAPI], None] | None = None,
) -> FastAPI:
    """A service's app with what every one has: the body limit, /docs only when enabled,
    the failed-credential limiter (``app.state.auth_limiter``), the shared 422 and the auth
    failures in the OpenAPI document, the ops routes (``checks`` and ``before_metrics`` as
    for :func:`add_ops_routes`), and, for the JSON services (``api_headers``), the API
    security headers."""
    app = FastAPI(
        title=title,
        version="1.0.0",
        description=description,
        lifespan=lifespan,
        max_body_size=max_body_size,
        **docs_urls(http),
    )
    app.state.auth_limiter = AuthFailureLimiter()
    install_http_errors(app)
    if api_headers:
        app.add_middleware(ApiSecurityHeaders)
    add_ops_routes(app, http, checks=checks, before_metrics=before_metrics)
    return app


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
