"""The matcher's SQL (named blocks in queries.sql), returning typed rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from uuid import UUID

import asyncpg

from gigalert_matcher import subscription_columns
from gigalert_shared.db import Conn, Queries
from gigalert_shared.events import AlertMatched
from gigalert_shared.matching import Criteria, criteria_from_row

q = Queries("gigalert_matcher")


@cache
def criteria_query(name: str) -> str:
    """The named query, its ``{criteria}`` the columns of ``s`` a Criteria is read from."""
    columns = ", ".join(f"s.{c}" for c in subscription_columns.CRITERIA)
    return q(name).replace("{criteria}", columns)


_STAGED = ["id", "freelancer_id", "gig_id", "subscription_ids", "reasons"]


@dataclass(frozen=True)
class SubscriptionChange:
    """A change to a subscription, with what it is now: ``None`` when deleted or paused."""

    change_id: int
    subscription_id: UUID
    criteria: Criteria | None


def change_from_row(row: asyncpg.Record) -> SubscriptionChange:
    live = row["id"] is not None and row["active"]
    return SubscriptionChange(
        change_id=row["change_id"],
        subscription_id=row["subscription_id"],
        criteria=criteria_from_row(row) if live else None,
    )


async def last_change_id(conn: Conn) -> int:
    last: int = await conn.fetchval(q("last_subscription_change"))
    return last


async def active_criteria(conn: Conn) -> list[Criteria]:
    return [criteria_from_row(r) for r in await conn.fetch(criteria_query("active_subscriptions"))]


async def changes_after(conn: Conn | asyncpg.Pool, change_id: int) -> list[SubscriptionChange]:
    """Every change with an id above ``change_id``, in id order."""
    return [
        change_from_row(r)
        for r in await conn.fetch(criteria_query("subscription_changes_after"), change_id)
    ]


async def insert_alerts(conn: Conn, alerts: Sequence[AlertMatched], reasons: Sequence[str]) -> int:
    """Insert alerts (``reasons``: each one's reasons as JSON text), one per (freelancer,
    gig), skipping repeats; return how many were new.

    Binary ``COPY`` into a temporary table, then one ``INSERT … SELECT … ON CONFLICT DO
    NOTHING``, in one transaction."""
    rows = [
        (a.alert_id, a.freelancer_id, a.gig.gig_id, a.subscription_ids, r)
        for a, r in zip(alerts, reasons, strict=True)
    ]
    async with conn.transaction():
        await conn.execute(q("alerts_staging"))
        await conn.copy_records_to_table("alerts_in", records=rows, columns=_STAGED)
        return len(await conn.fetch(q("insert_staged_alerts")))
