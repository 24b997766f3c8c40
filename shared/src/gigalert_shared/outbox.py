"""The transactional outbox and its relay.

A service writes its business rows and the events about them in one Postgres
transaction (``enqueue``). The relay claims unpublished rows with ``FOR UPDATE SKIP
LOCKED``, publishes them with acks from all in-sync replicas, and marks them published
in the same transaction. A crash before the mark republishes the rows: delivery is at
least once, and every consumer is idempotent by event id. Every minute the relay also
deletes rows published over an hour ago, in batches (never an unpublished row).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg

from gigalert_shared.db import Conn
from gigalert_shared.retention import OUTBOX_KEEP_SECONDS, prune_outbox

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "outbox"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    topic: str
    payload: bytes
    key: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Publisher(Protocol):
    async def publish_batch(self, messages: Sequence[OutboxMessage]) -> None:
        """Publish every message durably or raise."""


async def enqueue(conn: Conn, messages: Sequence[OutboxMessage]) -> None:
    """Add messages to the outbox inside the caller's transaction."""
    if not messages:
        return
    await conn.execute(
        "INSERT INTO outbox (topic, key, payload, headers) "
        "SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::jsonb[])",
        [m.topic for m in messages],
        [m.key for m in messages],
        [m.payload for m in messages],
        [m.headers for m in messages],
    )
    await notify(conn)


async def notify(conn: Conn) -> None:
    """Wake the relays listening for new outbox rows (delivered at commit).

    For writers that insert outbox rows themselves, e.g. in the same statement as their
    business rows."""
    await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)


_CLAIM = """
SELECT id, topic, key, payload, headers FROM outbox
WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
"""


async def relay_once(pool: asyncpg.Pool, publisher: Publisher, batch_size: int = 1000) -> int:
    """Publish one batch of pending rows; return how many were published."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(_CLAIM, batch_size)
        if not rows:
            return 0
        await publisher.publish_batch(
            [
                OutboxMessage(r["topic"], bytes(r["payload"]), r["key"], dict(r["headers"]))
                for r in rows
            ]
        )
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
            [r["id"] for r in rows],
        )
        return len(rows)


class OutboxRelay:
    """Runs ``relay_once`` whenever woken (a local ``wake()`` or a NOTIFY), and on a timer."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: Publisher,
        *,
        batch_size: int = 1000,
        poll_interval: float = 1.0,
        prune_interval: float = 60.0,
        keep_published_seconds: int = OUTBOX_KEEP_SECONDS,
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._prune_interval = prune_interval
        self._keep_published = keep_published_seconds
        self._pruned_at = time.monotonic()
        self.pruned = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listen_conn: Any = None
        self.published = 0
        self._drain_lock = asyncio.Lock()

    def wake(self, *_: object) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._listen_conn = await self._pool.acquire()
        await self._listen_conn.add_listener(NOTIFY_CHANNEL, self.wake)
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop after publishing what is pending now (best effort, bounded)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.drain(), timeout=10)
        if self._listen_conn is not None:
            with contextlib.suppress(Exception):
                await self._listen_conn.remove_listener(NOTIFY_CHANNEL, self.wake)
            await self._pool.release(self._listen_conn)
            self._listen_conn = None

    async def drain(self) -> int:
        """Publish until nothing is pending; concurrent drains in one process take turns,
        so a drain returns only after rows claimed by another drain are published too."""
        async with self._drain_lock:
            total = 0
            while n := await relay_once(self._pool, self._publisher, self._batch_size):
                total += n
            self.published += total
            return total

    async def prune(self) -> int:
        """Delete rows published more than ``keep_published_seconds`` ago."""
        async with self._pool.acquire() as conn:
            n = await prune_outbox(conn, self._keep_published)
        self.pruned += n
        return n

    async def _run(self) -> None:
        while True:
            try:
                await self.drain()
                if time.monotonic() - self._pruned_at >= self._prune_interval:
                    self._pruned_at = time.monotonic()
                    await self.prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)
            self._wake.clear()
