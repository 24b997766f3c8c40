"""A revoked platform key stops working at once: the revoking command notifies every ingest
process (LISTEN platform_revoked), and without a notification (a revocation by hand in SQL,
a reconnect) a valid key is cached for at most a second; unknown and revoked keys are never
cached."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from gigalert_ingest.platforms import PlatformAuth, RevokedKey, create_platform
from gigalert_ingest.repository import revoke_platform
from gigalert_shared.db import create_pool
from gigalert_shared.settings import Settings


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(settings.postgres)
    yield p
    await p.close()


async def _refused_after(auth: PlatformAuth, key: str, limit: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            await auth.authenticate(key)
        except RevokedKey:
            return time.monotonic() - start
        await asyncio.sleep(0.01)
    raise AssertionError(f"still accepted {limit} s after revocation")


async def test_revocation_notifies_every_replica_at_once(
    pool: asyncpg.Pool, db: asyncpg.Connection
) -> None:
    replicas = [PlatformAuth(pool), PlatformAuth(pool)]
    for auth in replicas:
        await auth.start()
        auth._ttl = 3600.0  # only the notification can end the cached answer here
    try:
        _, key = await create_platform(db, name="board")
        for auth in replicas:
            assert (await auth.authenticate(key)).name == "board"
        assert await revoke_platform(db, name="board")
        for auth in replicas:
            assert await _refused_after(auth, key, 1.0) < 0.5
    finally:
        for auth in replicas:
            await auth.stop()


async def test_without_a_notification_a_valid_key_is_cached_at_most_a_second(
    pool: asyncpg.Pool, db: asyncpg.Connection
) -> None:
    auth = PlatformAuth(pool, ttl_seconds=30)  # capped at 1 s
    _, key = await create_platform(db, name="by-hand")
    await auth.authenticate(key)
    await db.execute("UPDATE platforms SET revoked_at = now() WHERE name = 'by-hand'")
    assert await _refused_after(auth, key, 1.5) <= 1.1
    # A revoked key is never cached: it stays refused, and un-revoking works at once too.
    await db.execute("UPDATE platforms SET revoked_at = NULL WHERE name = 'by-hand'")
    assert (await auth.authenticate(key)).name == "by-hand"
