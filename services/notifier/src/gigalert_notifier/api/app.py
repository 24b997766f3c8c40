"""The notifier process: the alerts.matched consumer, the delivery worker, and the ops API
(admin token) to list dead deliveries and requeue them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, FastAPI, Query, Request, status
from pydantic import BaseModel, Field

from gigalert_notifier import repository
from gigalert_notifier.apprise_setup import configure_apprise_logging, load_apprise_plugins
from gigalert_notifier.consumer import AlertConsumer, register_alert_consumer
from gigalert_notifier.line_quota import poll_quota
from gigalert_notifier.schedule import Clock, SystemClock
from gigalert_notifier.worker import DeliveryWorker, Sender
from gigalert_shared.auth_guards import token_guard
from gigalert_shared.db import create_pool
from gigalert_shared.service_app import kafka_broker, service_app
from gigalert_shared.settings import Settings, get_settings
from gigalert_shared.topics import Topics

log = logging.getLogger(__name__)


class RequeueIn(BaseModel):
    ids: list[UUID] = Field(min_length=1, max_length=1000)


class RequeueOut(BaseModel):
    requeued: list[UUID]


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    sender: Sender | None = None,
    consume: bool = True,
    send: bool = True,
) -> FastAPI:
    cfg = settings or get_settings()
    the_clock = clock or SystemClock()

    require_admin = token_guard(
        [cfg.http.admin_token],
        detail="missing or wrong admin token",
        # Unset or empty: the ops API is off (an empty token never matches).
        unset_status=status.HTTP_403_FORBIDDEN,
        unset_detail="ops API disabled: no admin token set",
    )

    # A route-level dependency: a parameter annotated with a local alias would be a string
    # under `from __future__ import annotations`, which FastAPI cannot resolve (it became a
    # required query parameter `_`, and the token was never checked).
    admin = [Depends(require_admin)]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if send:
            # Apprise imports ~190 plugin modules on first use (seconds): done on the event
            # loop by the first send, it missed Kafka heartbeats. Before the broker starts
            # and before /readyz answers.
            started = time.monotonic()
            configure_apprise_logging()
            await asyncio.to_thread(load_apprise_plugins)
            log.info(
                "Apprise plugins loaded",
                extra={"seconds": round(time.monotonic() - started, 2)},
            )
        topics = Topics(cfg.kafka.topic_prefix)
        pool = await create_pool(cfg.postgres)
        broker = kafka_broker(cfg.kafka, "notifier")
        worker = DeliveryWorker(
            pool, cfg, clock=the_clock, **({"sender": sender} if sender else {})
        )
        app.state.pool = pool
        app.state.broker = broker
        app.state.worker = worker
        if consume:
            consumer = AlertConsumer(
                pool=pool, broker=broker, topics=topics, clock=the_clock, on_created=worker.wake
            )
            register_alert_consumer(broker, consumer, topics)
        await broker.start()
        if send:
            await worker.start()
        quota = _line_quota_task(cfg) if send else None
        # What startup made (modules, Apprise's plugins) is never scanned by the cyclic GC
        # again: its full collections were the tail of the send times (p99 ×0.5).
        gc.freeze()
        log.info("notifier started")
        try:
            yield
        finally:
            if quota is not None:
                quota.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await quota
            await broker.stop()
            await worker.stop()  # it QUITs the kept SMTP sessions and closes HTTP ones
            await pool.close()
            log.info("notifier stopped")

    app = service_app(
        cfg.http,
        title="gigalert notifier (ops)",
        description="Ops endpoints; authenticate with `Authorization: Bearer <admin token>`.",
        lifespan=lifespan,
    )

    @app.get(
        "/v1/ops/deliveries",
        response_model=list[repository.DeliveryRow],
        tags=["ops"],
        dependencies=admin,
    )
    async def list_deliveries(
        request: Request,
        status_: Annotated[
            Literal["dead", "failed", "pending", "sending", "sent"], Query(alias="status")
        ] = "dead",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[repository.DeliveryRow]:
        """Deliveries in a state (default: dead), newest first, with their last error."""
        return await repository.list_deliveries(request.app.state.pool, status=status_, limit=limit)

    @app.post(
        "/v1/ops/deliveries/requeue", response_model=RequeueOut, tags=["ops"], dependencies=admin
    )
    async def requeue(request: Request, body: RequeueIn) -> RequeueOut:
        """Send dead deliveries again (attempts start over)."""
        requeued = await repository.requeue(
            request.app.state.pool, ids=body.ids, now=the_clock.now()
        )
        request.app.state.worker.wake()
        return RequeueOut(requeued=requeued)

    return app


def _line_quota_task(cfg: Settings) -> asyncio.Task[None] | None:
    """LINE's push quota read into metrics, when there is a LINE token to read it with."""
    n = cfg.notifier
    if n.line_channel_token is None or n.line_quota_poll_seconds <= 0:
        return None
    return asyncio.create_task(
        poll_quota(
            n.line_api_base_url,
            n.line_channel_token.get_secret_value(),
            n.line_quota_poll_seconds,
            n.send_timeout_seconds,
        ),
        name="line-quota",
    )
