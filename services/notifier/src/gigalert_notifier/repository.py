"""Every statement the notifier runs (named blocks of ``queries.sql``), with typed rows.

Outcome writes are fenced by the lease the rows were claimed with (``lease_until``): once
another replica has claimed them again, a late write changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from gigalert_shared.db import Db, Queries

q = Queries("gigalert_notifier")


@dataclass(frozen=True, slots=True)
class FreelancerContext:
    freelancer_id: UUID
    locale: str
    timezone: str
    channel_ids: list[UUID]  # the channels that may receive, oldest first


@dataclass(frozen=True, slots=True)
class SubscriptionSchedule:
    id: UUID
    frequency: str
    digest_hour: int | None
    weekly_day: int | None
    quiet_start: time | None
    quiet_end: time | None
    channel_ids: list[UUID] | None  # None: every channel of the account


@dataclass(frozen=True, slots=True)
class NewDelivery:
    alert_id: UUID
    channel_id: UUID
    freelancer_id: UUID
    frequency: str
    payload: dict[str, Any]
    next_attempt_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedRow:
    id: UUID
    alert_id: UUID
    channel_id: UUID
    frequency: str
    payload: str  # the alert event's JSON, parsed by pydantic in one pass
    attempts: int
    lease_until: datetime
    kind: str
    target: str
    secret_encrypted: bytes | None
    channel_active: bool
    channel_verified: bool
    channel_paused: bool
    locale: str
    timezone: str


@dataclass(frozen=True, slots=True)
class DueCounts:
    due: int
    overdue: int


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: UUID
    alert_id: UUID
    channel_id: UUID
    kind: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    created_at: datetime


# ------------------------------------------------------------------ planning


async def alert_context(db: Db, *, freelancer_ids: list[UUID]) -> list[FreelancerContext]:
    rows = await db.fetch(q("alert_context"), freelancer_ids)
    return [FreelancerContext(**r) for r in rows]


async def subscription_schedules(
    db: Db, *, subscription_ids: list[UUID]
) -> list[SubscriptionSchedule]:
    rows = await db.fetch(q("subscription_schedules"), subscription_ids)
    return [SubscriptionSchedule(**r) for r in rows]


async def insert_deliveries(db: Db, planned: Sequence[NewDelivery]) -> int:
    """How many were new (one delivery per alert and channel)."""
    rows = await db.fetch(
        q("insert_deliveries"),
        [p.alert_id for p in planned],
        [p.channel_id for p in planned],
        [p.freelancer_id for p in planned],
        [p.frequency for p in planned],
        [p.payload for p in planned],
        [p.next_attempt_at for p in planned],
    )
    return len(rows)


# ------------------------------------------------------------------ the worker


async def claim_due(
    db: Db, *, now: datetime, batch_size: int, lease_seconds: float
) -> list[ClaimedRow]:
    rows = await db.fetch(q("claim_due"), now, batch_size, lease_seconds)
    return [ClaimedRow(*r) for r in rows]


async def mark_sent_many(
    db: Db,
    *,
    ids: list[UUID],
    leases: list[datetime],
    sent_at: list[datetime],
    channel_ids: list[UUID],
) -> set[UUID]:
    """The ids written (a row claimed again meanwhile is left alone)."""
    rows = await db.fetch(q("mark_sent_many"), ids, leases, sent_at, channel_ids)
    return {r["id"] for r in rows}


async def mark_failed(
    db: Db,
    *,
    ids: list[UUID],
    lease_until: datetime,
    retry_at: datetime,
    error: str,
    refund: int,
    channel_id: UUID,
    channel_error: str,
    now: datetime,
) -> None:
    await db.execute(
        q("mark_failed"), ids, retry_at, error, refund, lease_until, channel_id, channel_error, now
    )


async def mark_dead(
    db: Db,
    *,
    ids: list[UUID],
    lease_until: datetime,
    error: str,
    channel_id: UUID,
    channel_error: str | None,
    now: datetime,
) -> None:
    await db.execute(q("mark_dead"), ids, error, lease_until, channel_id, channel_error, now)


async def channel_failed_permanently(
    db: Db, *, channel_id: UUID, disable_after: int, reason: str
) -> bool:
    """One more permanent failure of the channel; True when that disabled it."""
    still_active = await db.fetchval(
        q("channel_failed_permanently"), channel_id, disable_after, reason
    )
    return still_active is False


async def reserve_email_slots(
    db: Db, *, wanted: list[tuple[str, date]], cap: int
) -> set[tuple[str, date]]:
    """The distinct (address, day) pairs of ``wanted`` whose slot was taken."""
    rows = await db.fetch(
        q("reserve_email_slots"), [a for a, _ in wanted], [d for _, d in wanted], cap
    )
    return {(r["address"], r["day"]) for r in rows}


async def release_email_slot(db: Db, *, address: str, day: date) -> None:
    await db.execute(q("release_email_slot"), address, day)


async def defer_capped(
    db: Db, *, ids: list[UUID], lease_until: datetime, until: datetime, channel_id: UUID
) -> int:
    """How many of the channel's other due rows were deferred too."""
    row = await db.fetchrow(q("defer_capped"), ids, until, lease_until, channel_id)
    return 0 if row is None else int(row["others"])


async def postpone(db: Db, *, ids: list[UUID], lease_until: datetime, until: datetime) -> None:
    await db.execute(q("postpone"), ids, until, lease_until)


async def release(db: Db, *, ids: list[UUID], lease_until: datetime) -> None:
    await db.execute(q("release"), ids, lease_until)


async def due_counts(db: Db, *, now: datetime) -> DueCounts:
    row = await db.fetchrow(q("due_counts"), now)
    return DueCounts(0, 0) if row is None else DueCounts(row["due"], row["overdue"])


# ------------------------------------------------------------------ ops


async def list_deliveries(db: Db, *, status: str, limit: int) -> list[DeliveryRow]:
    rows = await db.fetch(q("list_deliveries"), status, limit)
    return [DeliveryRow(**r) for r in rows]


async def dead_ids(db: Db) -> list[UUID]:
    return [r["id"] for r in await db.fetch(q("dead_ids"))]


async def requeue(db: Db, *, ids: list[UUID], now: datetime) -> list[UUID]:
    """Dead deliveries due again at once, attempts starting over; the ids requeued."""
    return [r["id"] for r in await db.fetch(q("requeue"), ids, now)]
