"""Keeps this replica's in-memory subscription index equal to Postgres.

Loaded at start from one consistent snapshot, then kept fresh from ``subscription_changes``
(filled by a trigger; LISTEN/NOTIFY wakes us, a timer covers lost notifications). Each
change is applied by reading the subscription's current row, so applying one twice is
harmless; a window of recent change ids is re-read each time, because bigserial ids can
commit out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from gigalert_matcher.matching import SubscriptionIndex
from gigalert_matcher.matching.index import build_segment
from gigalert_matcher.metrics import INDEX_AGE, INDEX_SIZE
from gigalert_matcher.repository import (
    SubscriptionChange,
    active_criteria,
    changes_after,
    last_change_id,
)

log = logging.getLogger(__name__)

CHANNEL = "subscription_changes"
_REREAD_WINDOW = 1000


class IndexSync:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        poll_interval: float = 1.0,
        delta_limit: int = 256,
        rebuild_limit: int = 5000,
    ) -> None:
        self._pool = pool
        self._poll_interval = poll_interval
        self._limits = {"delta_limit": delta_limit, "rebuild_limit": rebuild_limit}
        self.index = SubscriptionIndex([])
        self.loaded = False
        self._last_id = 0
        self._applied: set[int] = set()
        self._applied_order: deque[int] = deque()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._rebuild: asyncio.Task[None] | None = None
        self._listen_conn: PoolConnectionProxy | None = None
        self.synced_at = time.monotonic()

    async def load(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            last = await last_change_id(conn)
            criteria = await active_criteria(conn)
        self.index = await asyncio.to_thread(
            SubscriptionIndex, criteria, background_rebuild=True, **self._limits
        )
        self._last_id = last
        self.loaded = True
        self._touch()
        log.info("subscription index loaded", extra={"subscriptions": len(self.index)})

    async def catch_up(self) -> int:
        """Apply every change committed so far; return how many were applied."""
        async with self._lock:
            changes = await changes_after(self._pool, max(0, self._last_id - _REREAD_WINDOW))
            applied = 0
            for change in changes:
                change_id = change.change_id
                if change_id in self._applied or (change_id <= self._last_id - _REREAD_WINDOW):
                    continue
                self._apply(change)
                self._remember(change_id)
                self._last_id = max(self._last_id, change_id)
                applied += 1
            if self.index.rebuild_due and self._rebuild is None:
                self._rebuild = asyncio.create_task(self._rebuild_main(), name="index-rebuild")
            self._touch()
            return applied

    async def _rebuild_main(self) -> None:
        """The big rebuild runs in a thread: the loop keeps matching, heartbeating and
        applying changes, which the index replays onto the new segment when it's done."""
        index = self.index
        try:
            segment = await asyncio.to_thread(build_segment, index.begin_rebuild())
            index.finish_rebuild(segment)
            log.info("subscription index rebuilt", extra=index.stats)
        except asyncio.CancelledError:
            index.abandon_rebuild()
            raise
        except Exception:
            index.abandon_rebuild()
            log.exception("subscription index rebuild failed; the next fold asks again")
        finally:
            self._rebuild = None

    def _apply(self, change: SubscriptionChange) -> None:
        if change.criteria is None:
            self.index.remove(change.subscription_id)
        else:
            self.index.upsert(change.criteria)

    def _remember(self, change_id: int) -> None:
        self._applied.add(change_id)
        self._applied_order.append(change_id)
        while len(self._applied_order) > 5 * _REREAD_WINDOW:
            self._applied.discard(self._applied_order.popleft())

    def _touch(self) -> None:
        self.synced_at = time.monotonic()
        INDEX_SIZE.set(len(self.index))
        INDEX_AGE.set(0)

    def age_seconds(self) -> float:
        return time.monotonic() - self.synced_at

    async def start(self) -> None:
        self._listen_conn = await self._pool.acquire()
        await self._listen_conn.add_listener(CHANNEL, self._on_notify)
        await self.load()
        self._task = asyncio.create_task(self._run(), name="index-sync")

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def stop(self) -> None:
        for task in (self._task, self._rebuild):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._listen_conn is not None:
            with contextlib.suppress(Exception):
                await self._listen_conn.remove_listener(CHANNEL, self._on_notify)
            await self._pool.release(self._listen_conn)
            self._listen_conn = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)
            self._wake.clear()
            try:
                await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("index catch-up failed; retrying")
                INDEX_AGE.set(self.age_seconds())
