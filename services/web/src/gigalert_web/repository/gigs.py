"""Recently received gigs, for the preview's in-memory window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gigalert_shared.db import Db
from gigalert_shared.events import GigBody
from gigalert_web.repository.base import q


@dataclass(frozen=True, slots=True)
class StoredGig:
    received_at: datetime
    gig: GigBody


async def received_since(db: Db, *, after: datetime, days: int, limit: int) -> list[StoredGig]:
    """Gigs received after ``after`` and within ``days``, oldest first, at most ``limit``."""
    rows = await db.fetch(q("recent_gigs_since"), after, days, limit)
    return [StoredGig(r["received_at"], GigBody.model_validate(r["body"])) for r in rows]
