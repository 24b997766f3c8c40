"""Saved searches (the ``subscriptions`` table): stored, listed, changed, paused, removed."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import datetime, time
from uuid import UUID

from gigalert_shared.db import Db
from gigalert_web.repository.base import q, row_as


@dataclass(frozen=True, slots=True)
class SearchValues:
    """A search's columns as stored, in the order the insert and update take them."""

    name: str
    remote_modes: list[str]
    min_rate_jpy_h: int | None
    include_unknown_rate: bool
    domains: list[str]
    keywords_any: list[str]
    keywords_none: list[str]
    max_days_per_week: float | None
    locations: list[str]
    frequency: str
    digest_hour: int | None
    quiet_start: time | None
    quiet_end: time | None
    weekly_day: int | None
    channel_ids: list[UUID] | None


@dataclass(frozen=True, slots=True)
class Search(SearchValues):
    id: UUID
    freelancer_id: UUID
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SearchChoice:
    """A search as the history's filter offers it."""

    id: UUID
    name: str


async def count(db: Db, *, freelancer_id: UUID) -> int:
    found: int = await db.fetchval(q("count_subscriptions"), freelancer_id)
    return found


async def insert(db: Db, *, freelancer_id: UUID, values: SearchValues) -> Search:
    row = await db.fetchrow(q("insert_subscription"), freelancer_id, *astuple(values))
    assert row is not None
    return row_as(Search, row)


async def update(
    db: Db, *, subscription_id: UUID, freelancer_id: UUID, values: SearchValues
) -> Search | None:
    row = await db.fetchrow(
        q("update_subscription"), subscription_id, freelancer_id, *astuple(values)
    )
    return None if row is None else row_as(Search, row)


async def set_active(
    db: Db, *, subscription_id: UUID, freelancer_id: UUID, active: bool
) -> Search | None:
    row = await db.fetchrow(q("set_subscription_active"), subscription_id, freelancer_id, active)
    return None if row is None else row_as(Search, row)


async def get(db: Db, *, subscription_id: UUID, freelancer_id: UUID) -> Search | None:
    row = await db.fetchrow(q("get_subscription"), subscription_id, freelancer_id)
    return None if row is None else row_as(Search, row)


async def list_for(db: Db, *, freelancer_id: UUID) -> list[Search]:
    return [row_as(Search, r) for r in await db.fetch(q("list_subscriptions"), freelancer_id)]


async def choices_for(db: Db, *, freelancer_id: UUID) -> list[SearchChoice]:
    rows = await db.fetch(q("subscription_choices"), freelancer_id)
    return [row_as(SearchChoice, r) for r in rows]


async def delete(db: Db, *, subscription_id: UUID, freelancer_id: UUID) -> bool:
    found = await db.fetchval(q("delete_subscription"), subscription_id, freelancer_id)
    return found is not None
