"""One-click unsubscribe: an alert's searches paused once per link, and resumed by undo."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from gigalert_shared.db import Conn, Db
from gigalert_web.repository.base import q, row_as


@dataclass(frozen=True, slots=True)
class AlertSearches:
    freelancer_id: UUID
    subscription_ids: list[UUID]


async def alert(db: Db, *, alert_id: UUID) -> AlertSearches | None:
    row = await db.fetchrow(q("alert_for_unsubscribe"), alert_id)
    return None if row is None else row_as(AlertSearches, row)


async def used(db: Db, *, alert_id: UUID) -> bool:
    return await db.fetchrow(q("unsubscribe_use"), alert_id) is not None


async def search_names(db: Db, *, subscription_ids: list[UUID]) -> list[str]:
    return [r["name"] for r in await db.fetch(q("subscription_names"), subscription_ids)]


async def pause(conn: Conn, *, alert_id: UUID, of: AlertSearches) -> list[str] | None:
    """Pause the alert's active searches and record which; None when the link was used
    already. The names of the searches paused (run in the caller's transaction)."""
    if await conn.fetchval(q("use_unsubscribe"), alert_id, of.freelancer_id) is None:
        return None
    paused = await conn.fetch(q("pause_for_unsubscribe"), of.subscription_ids, of.freelancer_id)
    await conn.execute(q("record_unsubscribe"), alert_id, [r["id"] for r in paused])
    return [r["name"] for r in paused]


async def undo(conn: Conn, *, alert_id: UUID) -> list[str] | None:
    """Resume what the link paused (once, within 7 days): the names resumed, or None."""
    use = await conn.fetchrow(q("undo_unsubscribe"), alert_id)
    if use is None:
        return None
    resumed = await conn.fetch(
        q("resume_subscriptions"), use["subscription_ids"], use["freelancer_id"]
    )
    return [r["name"] for r in resumed]
