"""The matcher's SQL, as named blocks in queries.sql; keyword-only arguments throughout."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from gigalert_matcher.schemas import SubscriptionIn
from gigalert_shared.db import Conn, load_queries
from gigalert_shared.taxonomy import normalise_text


def q(name: str) -> str:
    return load_queries("gigalert_matcher")[name]


def _criteria_args(s: SubscriptionIn) -> list[Any]:
    # Keywords and locations are stored folded (NFKC + casefold): ＰＭＯ and pmo are one.
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
    ]


async def insert_subscription(
    conn: Conn | asyncpg.Pool, *, freelancer_id: UUID, sub: SubscriptionIn
) -> asyncpg.Record:
    row = await conn.fetchrow(q("insert_subscription"), freelancer_id, *_criteria_args(sub))
    assert row is not None
    return row


async def update_subscription(
    conn: Conn | asyncpg.Pool,
    *,
    freelancer_id: UUID,
    subscription_id: UUID,
    sub: SubscriptionIn,
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        q("update_subscription"), subscription_id, freelancer_id, *_criteria_args(sub)
    )
