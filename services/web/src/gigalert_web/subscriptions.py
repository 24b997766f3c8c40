"""Saved searches as stored: keywords and locations folded (NFKC + casefold), so ＰＭＯ and
pmo are one; the matcher reads the same rows."""

from __future__ import annotations

import uuid
from typing import Any, Final
from uuid import UUID

import asyncpg

from gigalert_shared.matching import Criteria, criteria_from_row
from gigalert_shared.taxonomy import normalise_text
from gigalert_web.repository import q
from gigalert_web.schemas import SubscriptionIn

MAX_SUBSCRIPTIONS: Final = 50


def stored_values(s: SubscriptionIn) -> list[Any]:
    return [
        s.name,
        [str(m) for m in s.remote_modes],
        s.min_rate_jpy_h,
        s.include_unknown_rate,
        s.domains,
        sorted({normalise_text(k) for k in s.keywords_any}),
        sorted({normalise_text(k) for k in s.keywords_none}),
        s.max_days_per_week,
        sorted({normalise_text(k) for k in s.locations}),
        s.frequency,
        s.digest_hour,
        s.quiet_start,
        s.quiet_end,
        s.weekly_day,
        s.channel_ids,
    ]


def criteria_of(s: SubscriptionIn, freelancer_id: UUID) -> Criteria:
    """An unsaved search's criteria, exactly as the matcher would read them once stored."""
    values = stored_values(s)
    return criteria_from_row(
        {
            "id": uuid.uuid4(),
            "freelancer_id": freelancer_id,
            "remote_modes": values[1],
            "min_rate_jpy_h": values[2],
            "include_unknown_rate": values[3],
            "domains": values[4],
            "keywords_any": values[5],
            "keywords_none": values[6],
            "max_days_per_week": values[7],
            "locations": values[8],
        }
    )


class TooManySearches(Exception):
    pass


async def insert(pool: asyncpg.Pool, freelancer_id: UUID, sub: SubscriptionIn) -> asyncpg.Record:
    if await pool.fetchval(q("count_subscriptions"), freelancer_id) >= MAX_SUBSCRIPTIONS:
        raise TooManySearches
    row = await pool.fetchrow(q("insert_subscription"), freelancer_id, *stored_values(sub))
    assert row is not None
    return row


async def update(
    pool: asyncpg.Pool, freelancer_id: UUID, subscription_id: UUID, sub: SubscriptionIn
) -> asyncpg.Record | None:
    return await pool.fetchrow(
        q("update_subscription"), subscription_id, freelancer_id, *stored_values(sub)
    )


async def own_channel_ids(pool: asyncpg.Pool, freelancer_id: UUID) -> set[UUID]:
    return {r["id"] for r in await pool.fetch(q("list_channels"), freelancer_id)}
