"""The matcher process: the subscription index and the gig consumer, with the ops routes
(/healthz, /readyz, /metrics). Freelancers save their searches through the web app
(services/web); the matcher only reads them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gigalert_matcher.consumer import GigMatcher, register_gig_consumer
from gigalert_matcher.index_sync import IndexSync
from gigalert_matcher.key_hash import murmur2_many
from gigalert_matcher.metrics import INDEX_AGE
from gigalert_shared.db import create_pool
from gigalert_shared.kafka_publish import KafkaOutboxPublisher
from gigalert_shared.service_app import kafka_broker, service_app
from gigalert_shared.settings import Settings, get_settings
from gigalert_shared.topics import Topics

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, consume: bool = True) -> FastAPI:
    cfg = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        topics = Topics(cfg.kafka.topic_prefix)
        pool = await create_pool(cfg.postgres)
        broker = kafka_broker(cfg.kafka, "matcher")
        publisher = KafkaOutboxPublisher(
            cfg.kafka,
            topics,
            client_id=f"{cfg.kafka.client_id}-matcher-alerts",
            key_hashes=murmur2_many,
        )
        await publisher.start()
        sync = IndexSync(pool)
        app.state.pool = pool
        app.state.sync = sync
        app.state.broker = broker
        await sync.start()
        if consume:
            matcher = GigMatcher(pool=pool, sync=sync, publisher=publisher)
            register_gig_consumer(
                broker, matcher, topics, max_attempts=cfg.kafka.max_delivery_attempts
            )
        await broker.start()
        log.info("matcher started", extra={"subscriptions": len(sync.index)})
        try:
            yield
        finally:
            await broker.stop()
            await publisher.stop()
            await sync.stop()
            await pool.close()
            log.info("matcher stopped")

    return service_app(
        cfg.http,
        title="gigalert matcher",
        description=(
            "Matches gigs against saved searches; only ops routes (/healthz, /readyz, "
            "/metrics). The freelancer API is the web app's."
        ),
        lifespan=lifespan,
        checks=lambda app: {"index_loaded": bool(app.state.sync.loaded)},
        before_metrics=lambda app: INDEX_AGE.set(app.state.sync.age_seconds()),
    )
