"""Builders for notifier tests: freelancers, channels, subscriptions and alerts in SQL."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, time
from typing import Any

import asyncpg

from gigalert_shared.crypto import SecretBox
from gigalert_shared.events import (
    AlertMatched,
    GigSummary,
    MatchReason,
    RateSource,
    RateUnit,
    RemoteMode,
)


async def freelancer(
    db: asyncpg.Connection, *, locale: str = "ja", tz: str = "Asia/Tokyo"
) -> uuid.UUID:
    fid: uuid.UUID = await db.fetchval(
        "INSERT INTO freelancers (display_name, locale, timezone, token_hash) "
        "VALUES ('太郎', $1, $2, $3) RETURNING id",
        locale,
        tz,
        secrets.token_bytes(32),
    )
    return fid


async def channel(
    db: asyncpg.Connection,
    fid: uuid.UUID,
    kind: str,
    target: str,
    *,
    secret: str | None = None,
    box: SecretBox | None = None,
    verified: bool = True,
    paused: bool = False,
) -> uuid.UUID:
    """A channel; proven (``verified_at`` set) unless ``verified=False``."""
    sealed = box.seal(secret) if (box and secret) else None
    cid: uuid.UUID = await db.fetchval(
        "INSERT INTO channels (freelancer_id, kind, target, secret_encrypted, verified_at, paused) "
        "VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6) RETURNING id",
        fid,
        kind,
        target,
        sealed,
        verified,
        paused,
    )
    return cid


async def subscription(
    db: asyncpg.Connection,
    fid: uuid.UUID,
    *,
    frequency: str = "instant",
    digest_hour: int | None = None,
    quiet: tuple[time, time] | None = None,
    weekly_day: int | None = None,
    channel_ids: list[uuid.UUID] | None = None,
) -> uuid.UUID:
    """A subscription; ``channel_ids`` None: every channel of the account."""
    sid: uuid.UUID = await db.fetchval(
        "INSERT INTO subscriptions (freelancer_id, name, frequency, digest_hour, quiet_start, "
        "quiet_end, weekly_day, channel_ids) "
        "VALUES ($1, 'PMO', $2, $3, $4, $5, $6, $7) RETURNING id",
        fid,
        frequency,
        digest_hour,
        quiet[0] if quiet else None,
        quiet[1] if quiet else None,
        weekly_day,
        channel_ids,
    )
    return sid


def alert(
    fid: uuid.UUID,
    sid: uuid.UUID,
    *,
    title: str = "PMO支援（フルリモート）",
    also: list[uuid.UUID] | None = None,
    **gig: Any,
) -> AlertMatched:
    """An alert of ``sid`` (and of the subscriptions in ``also``, same reasons)."""
    gig_id = uuid.uuid4()
    summary = GigSummary(
        gig_id=gig_id,
        title=title,
        url=f"https://jobs.example.jp/{gig_id}",
        platform_name="board",
        domains=["pmo"],
        remote_mode=RemoteMode.REMOTE,
        location="東京都",
        rate_min_jpy_h=5000,
        rate_max_jpy_h=5000,
        rate_source=RateSource(
            text="月額80万円",
            amount_min=800000,
            amount_max=800000,
            unit=RateUnit.MONTH,
            hours_divisor=160,
            convention="month ÷ 160h (standard)",
        ),
        days_per_week_min=2,
        days_per_week_max=3,
        **gig,
    )
    return AlertMatched(
        alert_id=uuid.uuid4(),
        freelancer_id=fid,
        gig=summary,
        subscription_ids=[sid, *(also or [])],
        reasons={
            str(s): [
                MatchReason(
                    criterion="remote_mode", text_ja="フルリモート ✓", text_en="fully remote ✓"
                ),
                MatchReason(
                    criterion="rate",
                    text_ja="¥5,000/h ≥ ¥4,500（月額80万円 ÷ 160h）",
                    text_en="¥5,000/h ≥ ¥4,500 (¥800,000/month ÷ 160h)",
                ),
            ]
            for s in [sid, *(also or [])]
        },
        created_at=datetime.now(UTC),
    )
