"""The live preview: which gigs of the last 30 days a search would have matched. The recent
gigs are kept in memory (refreshed incrementally) with their facts as columns, so the
remote, rate, domain and day rules are applied to all of them at once (numpy); only the
survivors are checked for keywords and locations, by the rules module itself. Matching
runs in a worker thread, at most a few at a time."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import anyio
import asyncpg
import numpy as np
from numpy.typing import NDArray

from gigalert_shared.events import GigBody
from gigalert_shared.matching import ALL_REMOTE_MODES, Criteria, GigFacts, explain, matches
from gigalert_shared.matching.rules import (
    gig_days,
    gig_rate,
    keywords_any_ok,
    keywords_none_ok,
    location_ok,
)
from gigalert_shared.taxonomy import DOMAIN_ORDER
from gigalert_web.repository import gigs, rate_limits
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


_MODES: Final = ("remote", "hybrid", "onsite")  # codes 1, 2, 3; 0 = unknown
_DOMAIN_BIT: Final = {key: 1 << i for i, key in enumerate(DOMAIN_ORDER)}


@dataclass(frozen=True, slots=True)
class GigColumns:
    """The facts of ``gigs`` (oldest first) as arrays, one row a gig."""

    gigs: list[RecentGig]
    received: NDArray[np.float64]  # epoch seconds
    mode: NDArray[np.int8]
    rate: NDArray[np.float64]  # NaN: no hourly figure
    days: NDArray[np.float64]  # NaN: unknown
    domains: NDArray[np.int64]  # one bit a taxonomy key
    odd: NDArray[np.bool_]  # facts the columns cannot hold exactly: checked by the rules

    @classmethod
    def of(cls, gigs: list[RecentGig]) -> GigColumns:
        def number(value: float | None) -> float:
            return math.nan if value is None else float(value)

        def odd(f: GigFacts) -> bool:
            days = gig_days(f)
            return (
                (f.remote_mode is not None and f.remote_mode not in _MODES)
                or (days is not None and math.isnan(days))
                or not f.domains <= _DOMAIN_BIT.keys()
            )

        return cls(
            gigs=gigs,
            received=np.array([g.received_at.timestamp() for g in gigs], dtype=np.float64),
            mode=np.array(
                [_MODES.index(m) + 1 if (m := g.facts.remote_mode) in _MODES else 0 for g in gigs],
                dtype=np.int8,
            ),
            rate=np.array([number(gig_rate(g.facts)) for g in gigs], dtype=np.float64),
            days=np.array([number(gig_days(g.facts)) for g in gigs], dtype=np.float64),
            domains=np.array(
                [sum(_DOMAIN_BIT.get(d, 0) for d in g.facts.domains) for g in gigs],
                dtype=np.int64,
            ),
            odd=np.array([odd(g.facts) for g in gigs], dtype=bool),
        )


def _structured_matches(c: Criteria, cols: GigColumns, since: float) -> NDArray[np.bool_]:
    """The remote, rate, domain and day rules of :mod:`gigalert_shared.matching.rules`, for
    every gig at once (the property test holds it to ``matches``)."""
    ok = cols.received >= since
    accepted = np.array(
        [c.remote_modes >= ALL_REMOTE_MODES, *(m in c.remote_modes for m in _MODES)], dtype=bool
    )
    ok &= accepted[cols.mode] | cols.odd
    if c.min_rate_jpy_h is not None:
        unknown = np.isnan(cols.rate)
        with np.errstate(invalid="ignore"):
            paid = (cols.rate > 0) & (cols.rate >= c.min_rate_jpy_h)
        ok &= np.where(unknown, c.include_unknown_rate, paid)
    if c.domains and c.domains <= _DOMAIN_BIT.keys():
        wanted = sum(_DOMAIN_BIT[d] for d in c.domains)
        ok &= ((cols.domains & wanted) != 0) | cols.odd
    if c.max_days_per_week is not None:
        with np.errstate(invalid="ignore"):
            ok &= np.isnan(cols.days) | (cols.days <= c.max_days_per_week)
    return ok


def _text_matches(c: Criteria, facts: GigFacts) -> bool:
    return keywords_any_ok(c, facts) and keywords_none_ok(c, facts) and location_ok(c, facts)


def _exact(c: Criteria) -> bool:
    """Whether the columns decide every structured rule exactly for ``c``."""
    return not c.domains or c.domains <= _DOMAIN_BIT.keys()


def run_preview(criteria: Criteria, cols: GigColumns, *, days: int, shown: int) -> Preview:
    """Pure: count the matches among the gigs received in the last ``days`` days and
    explain the newest ``shown`` of them."""
    since = (datetime.now(UTC) - timedelta(days=days)).timestamp()
    candidates = np.flatnonzero(_structured_matches(criteria, cols, since))[::-1]
    exact = _exact(criteria)
    needs_text = bool(criteria.keywords_any or criteria.keywords_none or criteria.locations)
    found_rows = [
        int(i)
        for i in candidates
        if (
            matches(criteria, cols.gigs[i].facts)
            if not exact or cols.odd[i]
            else not needs_text or _text_matches(criteria, cols.gigs[i].facts)
        )
    ]
    newest = [cols.gigs[i] for i in found_rows[:shown]]
    count = len(found_rows)
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
        self._columns = GigColumns.of([])
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
            stored = await gigs.received_since(
                self._pool, after=self._last, days=WINDOW_DAYS, limit=MAX_GIGS
            )
            fresh = [RecentGig(s.received_at, s.gig, GigFacts.from_gig(s.gig)) for s in stored]
            if fresh:
                self._last = fresh[-1].received_at
            since = datetime.now(UTC) - timedelta(days=WINDOW_DAYS)
            kept = [g for g in self._gigs if g.received_at >= since]
            if fresh or len(kept) != len(self._gigs):
                self._gigs = (kept + fresh)[-MAX_GIGS:]
                self._columns = GigColumns.of(self._gigs)
            self._checked = time.monotonic()

    async def preview_for(
        self, criteria: Criteria, *, per_minute: int, days: int = WINDOW_DAYS
    ) -> Preview | None:
        """The preview, or None past the account's previews a minute (pages and API alike)."""
        if not await rate_limits.hit(
            self._pool, f"preview:{criteria.freelancer_id}", limit=per_minute, window_seconds=60
        ):
            return None
        return await self.preview(criteria, days=days)

    async def preview(self, criteria: Criteria, *, days: int = WINDOW_DAYS) -> Preview:
        await self.refresh()
        cols = self._columns
        return await anyio.to_thread.run_sync(
            lambda: run_preview(criteria, cols, days=days, shown=SHOWN),
            limiter=self._limiter,
        )
