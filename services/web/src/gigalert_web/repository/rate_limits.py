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
    found: int = await db.fetchval(q("count_rate_events"), bucket, float(window_seconds))
    return found
