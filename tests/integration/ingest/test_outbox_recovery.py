"""A crash between the database write and the publish loses nothing and doubles nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from asgi_lifespan import LifespanManager

from gigalert_ingest.api.app import create_app
from gigalert_ingest.build import Platform, build_gig
from gigalert_ingest.platforms import create_platform
from gigalert_ingest.repository import store_gigs
from gigalert_ingest.schemas import GigIn
from gigalert_shared.events import GigPosted
from gigalert_shared.settings import Settings
from gigalert_shared.topics import Topics
from tests.integration.ingest.test_http_api import PMO_GIG
from tests.support.kafka_helpers import read_topic, wait_for


async def test_gig_written_but_not_published_is_published_after_restart(
    settings: Settings, topics: Topics, db: asyncpg.Connection
) -> None:
    pid, _ = await create_platform(db, name="board")
    gig = build_gig(
        GigIn.model_validate(PMO_GIG),
        platform=Platform(pid, "board"),
        gig_id=uuid.uuid4(),
        received_at=datetime.now(UTC),
        fx_to_jpy={"JPY": 1.0},
    )
    # The process "dies" right after commit: the gig and its event row are durable,
    # nothing reached Kafka.
    async with db.transaction():
        await store_gigs(db, pid, [gig])
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1
    assert await read_topic(topics.gigs_posted, expect=1, timeout=2) == []

    # A new process starts: its relay publishes what was left behind, once.
    async with LifespanManager(create_app(settings), startup_timeout=60):

        async def published() -> bool:
            n = await db.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            return bool(n == 0)

        assert await wait_for(published)
    records = await read_topic(topics.gigs_posted, expect=1, settle=1.0)
    assert len(records) == 1
    assert GigPosted.model_validate_json(records[0].value).gig_id == gig.gig_id
    assert await db.fetchval("SELECT count(*) FROM gigs") == 1


async def test_relay_failure_keeps_rows_for_the_next_attempt(
    settings: Settings, topics: Topics, db: asyncpg.Connection, db_dsn: str
) -> None:
    from gigalert_shared.outbox import OutboxMessage, enqueue, relay_once

    class Down:
        async def publish_batch(self, messages: object) -> None:
            raise ConnectionError("broker down")

    async with db.transaction():
        await enqueue(db, [OutboxMessage("gigs.posted", b"{}", b"k")])
    from gigalert_shared.db import create_pool
    from gigalert_shared.settings import PostgresSettings

    pool = await create_pool(PostgresSettings(dsn=db_dsn))  # type: ignore[arg-type]
    try:
        with pytest.raises(ConnectionError):
            await relay_once(pool, Down())
        assert await db.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1
    finally:
        await pool.close()
