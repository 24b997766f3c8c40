"""Delivery outcomes on their way to Postgres. Once a send is done its outcome must get
there, or the delivery is sent again after the lease: a write that fails because Postgres
is unreachable (a restart, a cut connection) is retried, on a fresh pool connection each
time, until shortly before the lease ends. The writes are fenced by the lease they were
claimed with, so a write that comes too late changes nothing.

Sends that went through are recorded together (:class:`SentWriter`): while one
``mark_sent_many`` statement is in flight, the outcomes that arrive meanwhile queue up and
the next statement writes them all. Nothing waits for a batch to fill, so an idle worker
records a lone send at once; a busy one writes a round's outcomes in a few statements
instead of a transaction per delivery. Each row keeps its own fence and ``sent_at``."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from gigalert_notifier import repository
from gigalert_notifier.claims import Claimed
from gigalert_shared.db import Conn, Pool
from gigalert_shared.db_errors import DB_UNAVAILABLE

log = logging.getLogger(__name__)

RETRY_FIRST_DELAY: Final = 0.05
RETRY_MAX_DELAY: Final = 1.0

Write = Callable[[Conn], Awaitable[None]]


class StateWriter:
    """Runs state writes in a transaction, retried while Postgres is unreachable."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self.stop_deadline = math.inf  # time.monotonic() by which the round must be done

    async def write(self, ids: list[UUID], write_deadline: float, state: str, write: Write) -> bool:
        """Run ``write`` in a transaction; while Postgres is unreachable, retry with backoff
        (each try takes a pool connection afresh) until ``write_deadline``. False when it
        never got through: the rows stay `sending` and are claimed again after the lease."""
        delay = RETRY_FIRST_DELAY
        failures = 0
        while True:
            deadline = min(write_deadline, self.stop_deadline)
            left = deadline - time.monotonic()
            try:
                # The first try may outlast the deadline: the lease fence makes it harmless.
                async with asyncio.timeout(max(left, 5.0) if failures == 0 else max(left, 0.1)):
                    async with self._pool.acquire() as conn, conn.transaction():
                        await write(conn)
            except DB_UNAVAILABLE as exc:
                failures += 1
                left = deadline - time.monotonic()
                extra = {
                    "delivery_ids": [str(i) for i in ids],
                    "state": state,
                    "error": f"{type(exc).__name__}: {exc}",
                    "failures": failures,
                }
                if left <= delay:
                    log.error(
                        "Postgres unreachable until the lease ends (or the stop's grace): "
                        "delivery outcome not recorded; the delivery will be claimed again "
                        "after its lease",
                        extra=extra,
                    )
                    return False
                if failures == 1:
                    log.warning(
                        "Postgres unreachable while recording a delivery outcome; retrying",
                        extra={**extra, "retry_for": round(left, 1)},
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_DELAY)
                continue
            if failures:
                log.warning(
                    "delivery outcome recorded after Postgres came back",
                    extra={
                        "delivery_ids": [str(i) for i in ids],
                        "state": state,
                        "failures": failures,
                    },
                )
            return True


@dataclass(slots=True)
class _Sent:
    claimed: Claimed
    sent_at: datetime
    done: bool = False
    recorded: int | None = None  # rows written; None: never got through
    error: BaseException | None = None


class SentWriter:
    """Records successful sends, many per statement.

    :meth:`record` queues the outcome; whoever then holds the lock writes everything
    queued so far in one ``mark_sent_many`` (retried like every state write, until the
    earliest lease deadline among them). Callers that arrive during a write wait for the
    lock and usually find their outcome written by the next holder."""

    def __init__(self, writer: StateWriter) -> None:
        self._writer = writer
        self._queued: list[_Sent] = []
        self._lock = asyncio.Lock()

    async def record(self, c: Claimed, sent_at: datetime) -> int | None:
        """How many of ``c``'s rows were marked sent (fewer than ``len(c.ids)``: their
        lease was lost meanwhile); None when Postgres stayed unreachable."""
        item = _Sent(c, sent_at)
        self._queued.append(item)
        async with self._lock:
            if not item.done:
                batch, self._queued = self._queued, []
                await self._write(batch)
        if item.error is not None:
            raise item.error
        return item.recorded

    async def _write(self, batch: list[_Sent]) -> None:
        ids = [i for s in batch for i in s.claimed.ids]
        written: set[UUID] = set()

        async def sent(conn: Conn) -> None:
            written.clear()
            written.update(
                await repository.mark_sent_many(
                    conn,
                    ids=ids,
                    leases=[s.claimed.lease_until for s in batch for _ in s.claimed.ids],
                    sent_at=[s.sent_at for s in batch for _ in s.claimed.ids],
                    channel_ids=sorted({s.claimed.channel_id for s in batch}),
                )
            )

        deadline = min(s.claimed.write_deadline for s in batch)
        try:
            ok = await self._writer.write(ids, deadline, "sent", sent)
        except BaseException as exc:
            # Cancelled (the round is being torn down): not recorded, like a write that
            # never got through. A bug: every caller of the batch reports it.
            for s in batch:
                s.done, s.error = True, exc if isinstance(exc, Exception) else None
            raise
        for s in batch:
            s.done = True
            s.recorded = sum(1 for i in s.claimed.ids if i in written) if ok else None
