"""What every service's app has in common: its Kafka broker, and the routes operators and
orchestrators call (/healthz, /readyz, /metrics). The app keeps its pool and broker in
``app.state.pool`` and ``app.state.broker``."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gigalert_shared.logs import BROKER_LOGGER
from gigalert_shared.settings import KafkaSettings

__all__ = ["add_ops_routes", "kafka_broker"]


def kafka_broker(kafka: KafkaSettings, service: str) -> KafkaBroker:
    return KafkaBroker(
        kafka.bootstrap_servers,
        client_id=f"{kafka.client_id}-{service}",
        enable_idempotence=True,
        logger=BROKER_LOGGER,
        log_level=logging.DEBUG,  # per-message lines hidden; handler errors logged at ERROR
    )


def add_ops_routes(
    app: FastAPI,
    *,
    checks: Callable[[FastAPI], dict[str, bool]] | None = None,
    before_metrics: Callable[[FastAPI], None] | None = None,
) -> None:
    """``/healthz`` (the process answers), ``/readyz`` (Postgres and Kafka reachable, and
    whatever ``checks`` adds), ``/metrics`` (Prometheus text; ``before_metrics`` may set
    gauges first)."""

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

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if before_metrics:
            before_metrics(request.app)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
