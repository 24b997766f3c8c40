"""Rate limits shared by every web replica: events counted per bucket over a window, in
Postgres (one index probe each)."""

from __future__ import annotations

from gigalert_shared.db import Db
from gigalert_web.repository.base import q


async def hit(db: Db, bucket: str, *, limit: int, window_seconds: int) -> bool:
    """Record one event in ``bucket``; False when ``limit`` events were already in the
    window (the event is then not recorded)."""
    allowed: bool = await db.fetchval(q("hit_rate_event"), bucket, float(window_seconds), limit)
    return allowed


async def count(db: Db, bucket: str, *, window_seconds: int) -> int:
    """The events in ``bucket`` in the window, for a limit that only some outcomes count
    against: checked with this first, the outcome then :func:`record`-ed."""
    found: int = await db.fetchval(q("count_rate_events"), bucket, float(window_seconds))
    return found


async def record(db: Db, bucket: str) -> None:
    """Record one event in ``bucket`` (already checked with :func:`count`)."""
    await db.execute(q("record_rate_event"), bucket)
