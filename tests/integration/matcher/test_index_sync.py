"""The matcher's index follows Postgres, including across a rebuild run in a thread while
subscriptions keep changing."""

from __future__ import annotations

import asyncio

import asyncpg

from gigalert_matcher.index_sync import IndexSync
from gigalert_shared.db import create_pool
from gigalert_shared.settings import Settings
from tests.integration.notifier.fixtures import freelancer, subscription
from tests.support.kafka_helpers import wait_for


async def test_the_index_equals_postgres_across_a_background_rebuild(
    settings: Settings, db: asyncpg.Connection
) -> None:
    fid = await freelancer(db)
    pool = await create_pool(settings.postgres)
    sync = IndexSync(pool, poll_interval=0.05, delta_limit=2, rebuild_limit=10)
    try:
        await sync.start()
        for round_ in range(6):
            for _ in range(8):
                await subscription(db, fid)
            await db.execute(
                "UPDATE subscriptions SET active = false WHERE id IN "
                "(SELECT id FROM subscriptions WHERE active ORDER BY random() LIMIT 2)"
            )
            await sync.catch_up()
            await asyncio.sleep(0.01 * round_)  # let some rebuilds finish mid-stream

        async def settled() -> bool:
            await sync.catch_up()
            return sync.index.rebuilds >= 1 and not sync.index.rebuilding

        assert await wait_for(settled, timeout=20)
        await sync.catch_up()
        active = {r["id"] for r in await db.fetch("SELECT id FROM subscriptions WHERE active")}
        assert {c.subscription_id for c in sync.index} == active
        assert len(sync.index) == len(active) == 36
    finally:
        await sync.stop()
        await pool.close()
