"""The per-address daily mail cap (``GIGALERT_NOTIFIER_EMAIL_DAILY_CAP``), the day in Asia/
Tokyo: mails beyond it wait for the next day (no attempt spent), are never lost, and never
go over it, also with several replicas. Real Postgres and real mail (the local SMTP sink)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from gigalert_notifier.deliveries import create_deliveries
from gigalert_notifier.outcome import SendOutcome
from gigalert_notifier.schedule import FrozenClock
from gigalert_notifier.worker import DeliveryWorker
from gigalert_shared.db import create_pool
from gigalert_shared.settings import Settings
from tests.integration.notifier import fixtures as fx
from tests.integration.notifier.test_deliveries import (
    DOWN,
    OK,
    Scripted,
    mails_to,
    notifier_settings,
)

# 2026-11-27 23:30 in Tokyo (14:30 UTC): half an hour before the cap's day changes.
LATE_JST = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
MIDNIGHT_JST = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 2026-11-28 00:00 in Tokyo
DAY1, DAY2 = date(2026, 11, 27), date(2026, 11, 28)


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(settings.postgres)
    yield p
    await p.close()


async def drain(worker: DeliveryWorker) -> int:
    total = 0
    while n := await worker.run_once():
        total += n
    return total


async def counts(db: asyncpg.Connection) -> dict[tuple[str, date], int]:
    rows = await db.fetch("SELECT address, day, sent FROM email_daily_counts")
    return {(r["address"], r["day"]): r["sent"] for r in rows}


async def states(db: asyncpg.Connection) -> list[tuple[str, int, datetime]]:
    rows = await db.fetch(
        "SELECT status, attempts, next_attempt_at FROM deliveries ORDER BY status, created_at"
    )
    return [(r["status"], r["attempts"], r["next_attempt_at"]) for r in rows]


@pytest.mark.smtp
async def test_mails_over_the_cap_wait_for_the_next_tokyo_day_and_then_go(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings, maildir: Path
) -> None:
    fid = await fx.freelancer(db, tz="America/New_York")  # the cap's day is Tokyo's anyway
    marker = uuid.uuid4().hex
    address = f"{marker}@example.jp"
    await fx.channel(db, fid, "email", address)
    sid = await fx.subscription(db, fid)
    await create_deliveries(db, [fx.alert(fid, sid, title=f"上限{i}") for i in range(5)], LATE_JST)
    clock = FrozenClock(LATE_JST)
    worker = DeliveryWorker(pool, notifier_settings(settings, email_daily_cap=3), clock=clock)

    assert await drain(worker) == 5
    assert len(mails_to(maildir, marker)) == 3
    assert await counts(db) == {(address, DAY1): 3}
    waiting = [s for s in await states(db) if s[0] != "sent"]
    # Not failed, no attempt spent, due when the next Tokyo day starts.
    assert waiting == [("pending", 0, MIDNIGHT_JST)] * 2

    clock.set(MIDNIGHT_JST - timedelta(microseconds=1))
    assert await worker.run_once() == 0
    clock.set(MIDNIGHT_JST)
    assert await drain(worker) == 2
    assert len(mails_to(maildir, marker)) == 5  # every alert arrived, none twice
    assert {s for s, _, _ in await states(db)} == {"sent"}
    assert await counts(db) == {(address, DAY1): 3, (address, DAY2): 2}


async def test_the_address_is_counted_lower_cased(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "Taro.Yamada@Example.JP")
    await db.execute(
        "INSERT INTO email_daily_counts (address, day, sent) "
        "VALUES ('taro.yamada@example.jp', $1, 2)",
        DAY1,
    )
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], LATE_JST)
    sender = Scripted(OK)
    worker = DeliveryWorker(
        pool,
        notifier_settings(settings, email_daily_cap=2),
        clock=FrozenClock(LATE_JST),
        sender=sender,
    )
    assert await worker.run_once() == 1
    assert sender.calls == []
    assert await states(db) == [("pending", 0, MIDNIGHT_JST)]
    assert await counts(db) == {("taro.yamada@example.jp", DAY1): 2}


async def test_a_retried_delivery_over_the_cap_stays_failed_and_keeps_its_attempts(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    sid = await fx.subscription(db, fid)
    await create_deliveries(db, [fx.alert(fid, sid)], LATE_JST)
    clock = FrozenClock(LATE_JST)
    worker = DeliveryWorker(
        pool,
        notifier_settings(settings, email_daily_cap=1),
        clock=clock,
        sender=Scripted(DOWN, OK),
    )
    await worker.run_once()  # fails: the slot is given back (the mail surely did not go)
    [(status, attempts, retry_at)] = await states(db)
    assert (status, attempts) == ("failed", 1)
    assert await counts(db) == {("taro@example.jp", DAY1): 0}
    # Another mail to the address takes today's only slot meanwhile.
    await db.execute("UPDATE email_daily_counts SET sent = 1")
    clock.set(retry_at)
    assert await worker.run_once() == 1
    assert await states(db) == [("failed", 1, MIDNIGHT_JST)]
    clock.set(MIDNIGHT_JST)
    assert await worker.run_once() == 1
    assert [(s, a) for s, a, _ in await states(db)] == [("sent", 2)]


async def test_a_timed_out_send_keeps_its_slot(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    """A timeout may have delivered the mail: it stays counted (fewer mails, never more)."""
    timed_out = SendOutcome(
        ok=False,
        permanent=False,
        rate_limited=False,
        retry_after=None,
        http_status=None,
        error="timed out after 20s (the send may still have completed)",
    )
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], LATE_JST)
    worker = DeliveryWorker(
        pool,
        notifier_settings(settings, email_daily_cap=5),
        clock=FrozenClock(LATE_JST),
        sender=Scripted(timed_out),
    )
    await worker.run_once()
    assert await counts(db) == {("taro@example.jp", DAY1): 1}


async def test_a_digest_is_one_mail_of_the_cap(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    sid = await fx.subscription(db, fid, frequency="digest", digest_hour=8)
    morning = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # 08:00 on 28 November in Tokyo
    await create_deliveries(db, [fx.alert(fid, sid) for _ in range(4)], LATE_JST)
    sender = Scripted(OK)
    worker = DeliveryWorker(
        pool,
        notifier_settings(settings, email_daily_cap=1),
        clock=FrozenClock(morning),
        sender=sender,
    )
    assert await worker.run_once() == 4
    assert len(sender.calls) == 1
    assert {s for s, _, _ in await states(db)} == {"sent"}
    assert await counts(db) == {("taro@example.jp", DAY2): 1}


@pytest.mark.smtp
async def test_several_replicas_together_never_pass_the_cap(
    db: asyncpg.Connection, settings: Settings, maildir: Path
) -> None:
    """Three workers, each with its own pool, race over 30 mails to one address (cap 7):
    exactly 7 go out today, the 23 others wait for tomorrow, then go."""
    fid = await fx.freelancer(db)
    marker = uuid.uuid4().hex
    address = f"{marker}@example.jp"
    await fx.channel(db, fid, "email", address)
    sid = await fx.subscription(db, fid)
    now = datetime.now(UTC)
    await create_deliveries(db, [fx.alert(fid, sid, title=f"競合{i}") for i in range(30)], now)
    cfg = notifier_settings(settings, email_daily_cap=7, batch_size=4)
    clock = FrozenClock(now + timedelta(seconds=1))
    pools = [await create_pool(cfg.postgres) for _ in range(3)]
    try:
        workers = [DeliveryWorker(p, cfg, clock=clock) for p in pools]
        await asyncio.gather(*(drain(w) for w in workers))
        # A drain may stop while another replica holds rows; finish what is due today.
        await asyncio.gather(*(drain(w) for w in workers))
        assert len(mails_to(maildir, marker)) == 7
        rows = await db.fetch("SELECT status, attempts, next_attempt_at FROM deliveries")
        assert sum(r["status"] == "sent" for r in rows) == 7
        waiting = [r for r in rows if r["status"] != "sent"]
        assert len(waiting) == 23
        assert {(r["status"], r["attempts"]) for r in waiting} == {("pending", 0)}
        tomorrow = {r["next_attempt_at"] for r in waiting}
        assert len(tomorrow) == 1 and tomorrow.pop() > clock.now()
        assert list((await counts(db)).values()) == [7]

        clock.set(max(r["next_attempt_at"] for r in waiting))
        await asyncio.gather(*(drain(w) for w in workers))
        await asyncio.gather(*(drain(w) for w in workers))
    finally:
        for p in pools:
            await p.close()
    assert len(mails_to(maildir, marker)) == 14  # the next day's 7
    assert sorted((await counts(db)).values()) == [7, 7]
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 14
