"""Which channels receive an alert, and when: only proven, unpaused, active channels; each
search's own channels; weekly digests; the channel's last failure for its owner's page; a
short unsubscribe link however many searches matched. Real Postgres; real mail where mail
is involved (the local SMTP sink), a scripted sender where the state machine is the point."""

from __future__ import annotations

import mailbox
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pydantic import SecretStr

from gigalert_notifier.deliveries import create_deliveries
from gigalert_notifier.outcome import SendOutcome
from gigalert_notifier.schedule import FrozenClock
from gigalert_notifier.worker import DeliveryWorker
from gigalert_shared.crypto import SecretBox
from gigalert_shared.db import create_pool
from gigalert_shared.settings import Settings
from tests.integration.notifier import fixtures as fx
from tests.integration.notifier.test_deliveries import (
    DOWN,
    GONE,
    NOON_JST,
    OK,
    Scripted,
    mails_to,
    notifier_settings,
    status_of,
)

LINE_USER = "U" + "1" * 32
SLACK_HOOK = "https://hooks.slack.com/services/T0000SECRET/B0000SECRET/xyzTOPSECRETxyz"
# 2026-11-30 is a Monday; 09:00 in Tokyo is 00:00 UTC.
MONDAY_9_JST = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(settings.postgres)
    yield p
    await p.close()


def with_line(settings: Settings, **notifier: Any) -> Settings:
    s = notifier_settings(settings, **notifier)
    return s.model_copy(
        update={
            "notifier": s.notifier.model_copy(
                update={"line_channel_token": SecretStr("line-token-for-tests")}
            )
        }
    )


async def deliveries_by_channel(db: asyncpg.Connection) -> dict[uuid.UUID, list[uuid.UUID]]:
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for r in await db.fetch("SELECT alert_id, channel_id FROM deliveries ORDER BY created_at"):
        out.setdefault(r["channel_id"], []).append(r["alert_id"])
    return out


async def drain(worker: DeliveryWorker) -> int:
    total = 0
    while n := await worker.run_once():
        total += n
    return total


# ------------------------------------------------------------------ proven and on


@pytest.mark.smtp
async def test_an_unconfirmed_email_address_gets_no_delivery_at_all(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings, maildir: Path
) -> None:
    fid = await fx.freelancer(db)
    marker = uuid.uuid4().hex
    unconfirmed = await fx.channel(db, fid, "email", f"new.{marker}@example.jp", verified=False)
    confirmed = await fx.channel(db, fid, "email", f"ok.{marker}@example.jp")
    sid = await fx.subscription(db, fid)
    now = datetime.now(UTC)
    assert await create_deliveries(db, [fx.alert(fid, sid) for _ in range(2)], now) == 2

    by_channel = await deliveries_by_channel(db)
    assert unconfirmed not in by_channel and len(by_channel[confirmed]) == 2
    worker = DeliveryWorker(
        pool, notifier_settings(settings), clock=FrozenClock(now + timedelta(seconds=1))
    )
    assert await drain(worker) == 2
    assert [s for s, _ in await status_of(db)] == ["sent", "sent"]
    assert len(mails_to(maildir, f"ok.{marker}@")) == 2
    assert mails_to(maildir, f"new.{marker}@") == []


async def test_paused_and_disabled_channels_get_no_delivery(db: asyncpg.Connection) -> None:
    fid = await fx.freelancer(db)
    on = await fx.channel(db, fid, "line", LINE_USER)
    await fx.channel(db, fid, "email", "paused@example.jp", paused=True)
    off = await fx.channel(db, fid, "email", "off@example.jp")
    await db.execute("UPDATE channels SET active = false WHERE id = $1", off)
    await fx.channel(db, fid, "slack", "https://hooks.slack.com/services/…", verified=False)
    sid = await fx.subscription(db, fid)
    assert await create_deliveries(db, [fx.alert(fid, sid)], NOON_JST) == 1
    assert list(await deliveries_by_channel(db)) == [on]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("paused = true", "channel is paused by its owner"),
        ("verified_at = NULL", "channel is not verified"),
        ("active = false", "channel is disabled"),
    ],
)
async def test_queued_deliveries_of_a_channel_that_stopped_receiving_are_not_sent(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings, change: str, reason: str
) -> None:
    fid = await fx.freelancer(db)
    cid = await fx.channel(db, fid, "email", "taro@example.jp")
    sid = await fx.subscription(db, fid)
    await create_deliveries(db, [fx.alert(fid, sid) for _ in range(2)], NOON_JST)
    await db.execute(f"UPDATE channels SET {change} WHERE id = $1", cid)  # after queueing
    sender = Scripted(OK)
    worker = DeliveryWorker(
        pool, notifier_settings(settings), clock=FrozenClock(NOON_JST), sender=sender
    )
    assert await worker.run_once() == 2
    assert sender.calls == []
    rows = await db.fetch("SELECT status, last_error FROM deliveries")
    assert [(r["status"], r["last_error"]) for r in rows] == [("dead", reason)] * 2
    # Nothing was sent, so nothing failed: the channel shows no failure.
    assert await db.fetchval("SELECT last_error FROM channels WHERE id = $1", cid) is None


# ------------------------------------------------------------------ per-search channels


async def test_line_for_one_search_email_for_the_rest(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    line = await fx.channel(db, fid, "line", LINE_USER)
    email = await fx.channel(db, fid, "email", "taro@example.jp")
    urgent = await fx.subscription(db, fid, channel_ids=[line])
    other1 = await fx.subscription(db, fid, channel_ids=[email])
    other2 = await fx.subscription(db, fid, channel_ids=[email])
    everywhere = await fx.subscription(db, fid)  # channel_ids NULL: every channel

    only_urgent = fx.alert(fid, urgent, title="LINEだけ")
    only_others = fx.alert(fid, other1, also=[other2], title="メールだけ")
    both = fx.alert(fid, other2, also=[urgent], title="両方")
    unrestricted = fx.alert(fid, everywhere, title="全チャネル")
    await create_deliveries(db, [only_urgent, only_others, both, unrestricted], NOON_JST)

    by_channel = await deliveries_by_channel(db)
    assert by_channel[line] == [only_urgent.alert_id, both.alert_id, unrestricted.alert_id]
    assert by_channel[email] == [only_others.alert_id, both.alert_id, unrestricted.alert_id]

    sender = Scripted(OK)
    worker = DeliveryWorker(pool, with_line(settings), clock=FrozenClock(NOON_JST), sender=sender)
    assert await drain(worker) == 6
    sent = sorted((c["url"].split(":", 1)[0], c["title"]) for c in sender.calls)
    titles = {
        "line": [t for k, t in sent if k == "line"],
        "mail": [t for k, t in sent if k != "line"],
    }
    assert len(titles["line"]) == len(titles["mail"]) == 3
    assert not any("メールだけ" in t for t in titles["line"])
    assert not any("LINEだけ" in t for t in titles["mail"])


async def test_a_channel_is_scheduled_by_the_searches_that_chose_it(
    db: asyncpg.Connection,
) -> None:
    """LINE at once for one search, a daily email digest for another; an alert of both goes
    to LINE now and into the email digest at 08:00."""
    fid = await fx.freelancer(db)
    line = await fx.channel(db, fid, "line", LINE_USER)
    email = await fx.channel(db, fid, "email", "taro@example.jp")
    now_sub = await fx.subscription(db, fid, channel_ids=[line])
    daily = await fx.subscription(db, fid, frequency="digest", digest_hour=8, channel_ids=[email])
    await create_deliveries(db, [fx.alert(fid, now_sub, also=[daily])], NOON_JST)
    rows = {
        r["channel_id"]: (r["frequency"], r["next_attempt_at"])
        for r in await db.fetch("SELECT channel_id, frequency, next_attempt_at FROM deliveries")
    }
    assert rows[line] == ("instant", NOON_JST)
    assert rows[email] == ("digest", datetime(2026, 11, 27, 23, 0, tzinfo=UTC))  # 08:00 JST


async def test_a_search_choosing_only_an_unproven_channel_sends_nothing(
    db: asyncpg.Connection,
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "line", LINE_USER)
    pending_email = await fx.channel(db, fid, "email", "taro@example.jp", verified=False)
    sid = await fx.subscription(db, fid, channel_ids=[pending_email])
    assert await create_deliveries(db, [fx.alert(fid, sid)], NOON_JST) == 0


# ------------------------------------------------------------------ weekly digests


async def test_weekly_digest_goes_out_once_on_its_day_with_every_alert(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    weekly = await fx.subscription(db, fid, frequency="weekly", weekly_day=0, digest_hour=9)
    alerts = [fx.alert(fid, weekly, title=f"週次{i}") for i in range(3)]
    await create_deliveries(db, alerts, NOON_JST)  # Friday noon in Tokyo
    rows = await db.fetch("SELECT frequency, next_attempt_at FROM deliveries")
    assert {(r["frequency"], r["next_attempt_at"]) for r in rows} == {("weekly", MONDAY_9_JST)}

    clock = FrozenClock(NOON_JST)
    sender = Scripted(OK)
    worker = DeliveryWorker(pool, notifier_settings(settings), clock=clock, sender=sender)
    clock.set(MONDAY_9_JST - timedelta(seconds=1))
    assert await worker.run_once() == 0
    clock.set(MONDAY_9_JST)
    assert await worker.run_once() == 3
    assert len(sender.calls) == 1
    assert all(f"週次{i}" in sender.calls[0]["body"] for i in range(3))
    assert [s for s, _ in await status_of(db)] == ["sent"] * 3


async def test_daily_and_weekly_digests_due_together_make_one_message(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    daily = await fx.subscription(db, fid, frequency="digest", digest_hour=9)
    weekly = await fx.subscription(db, fid, frequency="weekly", weekly_day=0, digest_hour=9)
    sunday_noon = MONDAY_9_JST - timedelta(hours=21)
    await create_deliveries(
        db, [fx.alert(fid, daily, title="日次"), fx.alert(fid, weekly, title="週次")], sunday_noon
    )
    sender = Scripted(OK)
    worker = DeliveryWorker(
        pool, notifier_settings(settings), clock=FrozenClock(MONDAY_9_JST), sender=sender
    )
    assert await worker.run_once() == 2
    assert len(sender.calls) == 1
    assert "日次" in sender.calls[0]["body"] and "週次" in sender.calls[0]["body"]


async def test_an_instant_search_wins_over_a_weekly_one(db: asyncpg.Connection) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    weekly = await fx.subscription(db, fid, frequency="weekly", weekly_day=0, digest_hour=9)
    instant = await fx.subscription(db, fid)
    await create_deliveries(db, [fx.alert(fid, weekly, also=[instant])], NOON_JST)
    row = await db.fetchrow("SELECT frequency, next_attempt_at FROM deliveries")
    assert row is not None and (row["frequency"], row["next_attempt_at"]) == ("instant", NOON_JST)


# ------------------------------------------------------------------ the channel's last failure


async def channel_error(db: asyncpg.Connection, cid: uuid.UUID) -> tuple[str | None, Any]:
    row = await db.fetchrow("SELECT last_error, last_error_at FROM channels WHERE id = $1", cid)
    assert row is not None
    return row["last_error"], row["last_error_at"]


async def test_a_failed_send_leaves_its_reason_on_the_channel_and_a_success_leaves_it(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    cid = await fx.channel(db, fid, "email", "taro@example.jp")
    sid = await fx.subscription(db, fid)
    await create_deliveries(db, [fx.alert(fid, sid)], NOON_JST)
    clock = FrozenClock(NOON_JST)
    worker = DeliveryWorker(
        pool, notifier_settings(settings), clock=clock, sender=Scripted(DOWN, OK)
    )
    assert await channel_error(db, cid) == (None, None)
    await worker.run_once()
    assert await channel_error(db, cid) == (
        "the mail server did not take the mail; will retry",
        NOON_JST,
    )
    clock.advance(timedelta(minutes=5))
    await worker.run_once()
    assert await status_of(db) == [("sent", 2)]
    # The success does not wipe what the page shows as the last failure.
    assert await channel_error(db, cid) == (
        "the mail server did not take the mail; will retry",
        NOON_JST,
    )


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (GONE, "Slack answered HTTP 404; not retried"),
        (
            SendOutcome(
                ok=False,
                permanent=False,
                rate_limited=False,
                retry_after=None,
                http_status=None,
                error=f"Apprise raised ConnectionError: {SLACK_HOOK} unreachable",
            ),
            "Slack could not be reached; will retry",
        ),
        (
            SendOutcome(
                ok=False,
                permanent=False,
                rate_limited=True,
                retry_after=None,
                http_status=429,
                error="429",
            ),
            "Slack asked us to slow down (HTTP 429); will retry",
        ),
        (
            SendOutcome(
                ok=False,
                permanent=False,
                rate_limited=False,
                retry_after=None,
                http_status=None,
                error="timed out after 20s (the send may still have completed)",
            ),
            "Slack did not answer in time; will retry",
        ),
    ],
)
async def test_the_channels_failure_reason_is_short_and_holds_no_secret(
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    outcome: SendOutcome,
    expected: str,
) -> None:
    cfg = notifier_settings(settings)
    box = SecretBox(cfg.channel_secret_key.get_secret_value())
    fid = await fx.freelancer(db)
    cid = await fx.channel(db, fid, "slack", "hooks.slack.com/…", secret=SLACK_HOOK, box=box)
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    worker = DeliveryWorker(pool, cfg, clock=FrozenClock(NOON_JST), sender=Scripted(outcome))
    await worker.run_once()
    reason, at = await channel_error(db, cid)
    assert (reason, at) == (expected, NOON_JST)
    assert reason is not None
    assert "SECRET" not in reason and "hooks.slack.com" not in reason and len(reason) <= 120


async def test_giving_up_says_so_on_the_channel(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    cid = await fx.channel(db, fid, "email", "taro@example.jp")
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    clock = FrozenClock(NOON_JST)
    worker = DeliveryWorker(pool, notifier_settings(settings), clock=clock, sender=Scripted(DOWN))
    for _ in range(3):  # max_attempts=3
        await worker.run_once()
        clock.advance(timedelta(hours=2))
    assert await status_of(db) == [("dead", 3)]
    reason, at = await channel_error(db, cid)
    assert reason == "the mail server did not take the mail; not retried"
    assert at == NOON_JST + timedelta(hours=4)


# ------------------------------------------------------------------ unsubscribe


@pytest.mark.smtp
async def test_an_alert_matching_50_searches_is_delivered_with_a_short_unsubscribe_link(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings, maildir: Path
) -> None:
    fid = await fx.freelancer(db)
    marker = uuid.uuid4().hex
    await fx.channel(db, fid, "email", f"{marker}@example.jp")
    sids = [await fx.subscription(db, fid) for _ in range(50)]
    alert = fx.alert(fid, sids[0], also=sids[1:], title=f"50件一致 {marker}")
    now = datetime.now(UTC)
    assert await create_deliveries(db, [alert], now) == 1
    worker = DeliveryWorker(
        pool, notifier_settings(settings), clock=FrozenClock(now + timedelta(seconds=1))
    )
    assert await worker.run_once() == 1
    assert await status_of(db) == [("sent", 1)]

    [delivery_id] = mails_to(maildir, marker)
    box = mailbox.Maildir(maildir, create=False)
    [msg] = [m for m in box if m["X-Gigalert-Delivery-Id"] == delivery_id]
    header = str(msg["List-Unsubscribe"])
    assert header.startswith("<http") and header.endswith(">")
    assert len(header) < 200
    assert header[1:-1] == worker.messages.unsubscribe_url(alert)
    assert not any(str(s) in header for s in sids)
