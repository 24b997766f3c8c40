"""The live preview: which gigs of the last 30 days a search would have matched. The recent
gigs are kept in memory (refreshed incrementally), and matching runs in a worker thread,
at most a few at a time, so a burst of previews never stalls the event loop."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import anyio
import asyncpg

from gigalert_shared.events import GigBody
from gigalert_shared.matching import Criteria, GigFacts, explain, matches
from gigalert_web.repository import q
from gigalert_web.schemas import Preview, PreviewGig

WINDOW_DAYS: Final = 30
MAX_GIGS: Final = 50_000
REFRESH_SECONDS: Final = 5.0
SHOWN: Final = 5


@dataclass(frozen=True, slots=True)
class RecentGig:
    received_at: datetime
    gig: GigBody
    facts: GigFacts


def run_preview(criteria: Criteria, gigs: list[RecentGig], *, days: int, shown: int) -> Preview:
    """Pure: count the matches among ``gigs`` (oldest first) and explain the newest ones."""
    since = datetime.now(UTC) - timedelta(days=days)
    count = 0
    newest: list[RecentGig] = []
    for item in reversed(gigs):
        if item.received_at < since:
            break
        if matches(criteria, item.facts):
            count += 1
            if len(newest) < shown:
                newest.append(item)
    found = []
    for item in newest:
        reasons = explain(criteria, item.facts, item.gig.rate_source)
        found.append(
            PreviewGig(
                gig_id=item.gig.gig_id,
                title=item.gig.title,
                url=item.gig.url,
                received_at=item.received_at,
                reasons_ja=[r.text_ja for r in reasons],
                reasons_en=[r.text_en for r in reasons],
            )
        )
    return Preview(days=days, count=count, per_week=round(count * 7 / days, 1), gigs=found)


class RecentGigs:
    def __init__(self, pool: asyncpg.Pool, *, concurrency: int = 2) -> None:
        self._pool = pool
        self._gigs: list[RecentGig] = []
        self._last = datetime(2000, 1, 1, tzinfo=UTC)
        self._checked = 0.0
        self._lock = asyncio.Lock()
        self._limiter = anyio.CapacityLimiter(concurrency)

    async def refresh(self) -> None:
        if time.monotonic() - self._checked < REFRESH_SECONDS:
            return
        async with self._lock:
            if time.monotonic() - self._checked < REFRESH_SECONDS:
                return
            rows = await self._pool.fetch(q("recent_gigs_since"), self._last, WINDOW_DAYS, MAX_GIGS)
            fresh = []
            for row in rows:
                gig = GigBody.model_validate(row["body"])
                fresh.append(RecentGig(row["received_at"], gig, GigFacts.from_gig(gig)))
            if fresh:
                self._last = fresh[-1].received_at
            since = datetime.now(UTC) - timedelta(days=WINDOW_DAYS)
            kept = [g for g in self._gigs if g.received_at >= since]
            self._gigs = (kept + fresh)[-MAX_GIGS:]
            self._checked = time.monotonic()

    async def preview(self, criteria: Criteria, *, days: int = WINDOW_DAYS) -> Preview:
        await self.refresh()
        gigs = self._gigs
        return await anyio.to_thread.run_sync(
            lambda: run_preview(criteria, gigs, days=days, shown=SHOWN),
            limiter=self._limiter,
        )
