"""Deliveries: durable, scheduled, retried, leased; the clock is moved, not waited for."""

from __future__ import annotations

import asyncio
import logging
import mailbox
import time as monotonic_time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import asyncpg
import pytest

from gigalert_notifier.deliveries import create_deliveries
from gigalert_notifier.outcome import SendOutcome
from gigalert_notifier.schedule import FrozenClock
from gigalert_notifier.sending import send
from gigalert_notifier.worker import DeliveryWorker
from gigalert_shared.db import create_pool
from gigalert_shared.settings import NotifierSettings, Settings, SmtpSettings
from tests.conftest import SMTP_PORT
from tests.integration.notifier import fixtures as fx

# 2026-11-27 12:00 in Tokyo.
NOON_JST = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(settings.postgres)
    yield p
    await p.close()


def notifier_settings(settings: Settings, **notifier: Any) -> Settings:
    return settings.model_copy(
        update={
            "smtp": SmtpSettings(port=SMTP_PORT),
            "notifier": NotifierSettings(base_delay_seconds=10, max_attempts=3, **notifier),
        }
    )


class Scripted:
    """A sender that answers from a script (for state-machine tests; real sends are tested
    in test_sending.py and the end-to-end test)."""

    def __init__(self, *outcomes: SendOutcome) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, url: str, **kwargs: Any) -> SendOutcome:
        self.calls.append({"url": url, **kwargs})
        return self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]


OK = SendOutcome(
    ok=True, permanent=False, rate_limited=False, retry_after=None, http_status=200, error=None
)
DOWN = SendOutcome(
    ok=False,
    permanent=False,
    rate_limited=False,
    retry_after=None,
    http_status=None,
    error="connection refused",
)
GONE = SendOutcome(
    ok=False,
    permanent=True,
    rate_limited=False,
    retry_after=None,
    http_status=404,
    error="404 not found",
)
SLOW_DOWN = SendOutcome(
    ok=False, permanent=False, rate_limited=True, retry_after=30.0, http_status=429, error="429"
)


async def status_of(db: asyncpg.Connection) -> list[tuple[str, int]]:
    rows = await db.fetch("SELECT status, attempts FROM deliveries ORDER BY created_at")
    return [(r["status"], r["attempts"]) for r in rows]


async def test_replayed_alert_creates_no_new_delivery(db: asyncpg.Connection) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    await fx.channel(db, fid, "line", "U" + "0" * 32)
    a = fx.alert(fid, await fx.subscription(db, fid))
    assert await create_deliveries(db, [a], NOON_JST) == 2
    assert await create_deliveries(db, [a, a], NOON_JST) == 0
    assert await db.fetchval("SELECT count(*) FROM deliveries") == 2


async def test_transient_failure_is_retried_with_backoff_then_sent(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    clock = FrozenClock(NOON_JST)
    sender = Scripted(DOWN, OK)
    worker = DeliveryWorker(pool, notifier_settings(settings), clock=clock, sender=sender)

    assert await worker.run_once() == 1
    assert await status_of(db) == [("failed", 1)]
    retry_at = await db.fetchval("SELECT next_attempt_at FROM deliveries")
    assert NOON_JST + timedelta(seconds=5) <= retry_at <= NOON_JST + timedelta(seconds=10)
    assert await worker.run_once() == 0  # not due yet
    clock.advance(timedelta(seconds=11))
    assert await worker.run_once() == 1
    assert await status_of(db) == [("sent", 2)]
    assert await worker.run_once() == 0


async def test_permanent_error_is_dead_at_once_and_disables_the_channel(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    cid = await fx.channel(db, fid, "email", "nobody@example.jp")
    sid = await fx.subscription(db, fid)
    await create_deliveries(db, [fx.alert(fid, sid) for _ in range(3)], NOON_JST)
    worker = DeliveryWorker(
        pool,
        notifier_settings(settings, disable_channel_after=3),
        clock=FrozenClock(NOON_JST),
        sender=Scripted(GONE),
    )
    await worker.run_once()
    assert [s for s, _ in await status_of(db)] == ["dead"] * 3
    ch = await db.fetchrow(
        "SELECT active, consecutive_failures, disabled_reason FROM channels WHERE id = $1", cid
    )
    assert ch is not None and ch["active"] is False and ch["consecutive_failures"] == 3
    assert "404" in ch["disabled_reason"]
    last = await db.fetchval("SELECT last_error FROM deliveries LIMIT 1")
    assert "404" in last


async def test_gives_up_after_max_attempts(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    clock = FrozenClock(NOON_JST)
    worker = DeliveryWorker(pool, notifier_settings(settings), clock=clock, sender=Scripted(DOWN))
    for _ in range(3):
        await worker.run_once()
        clock.advance(timedelta(hours=2))
    assert await status_of(db) == [("dead", 3)]


async def test_rate_limit_is_honoured_without_spending_an_attempt(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    clock = FrozenClock(NOON_JST)
    worker = DeliveryWorker(
        pool, notifier_settings(settings), clock=clock, sender=Scripted(SLOW_DOWN, OK)
    )
    await worker.run_once()
    assert await status_of(db) == [("failed", 0)]
    assert await db.fetchval("SELECT next_attempt_at FROM deliveries") == NOON_JST + timedelta(
        seconds=30
    )
    clock.advance(timedelta(seconds=29))
    assert await worker.run_once() == 0
    clock.advance(timedelta(seconds=1))
    assert await worker.run_once() == 1
    assert await status_of(db) == [("sent", 1)]


async def test_a_line_429_pauses_every_push_on_the_token_until_retry_after(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    """LINE limits the channel access token, not one user: after a 429 with Retry-After,
    the other pushes claimed meanwhile are postponed (not sent, no attempt spent) until it
    ends, instead of each earning its own 429."""
    users = []
    for i in range(3):
        fid = await fx.freelancer(db)
        await fx.channel(db, fid, "line", "U" + f"{i:032x}")
        users.append((fid, await fx.subscription(db, fid)))
    await create_deliveries(db, [fx.alert(f, s) for f, s in users], NOON_JST)
    clock = FrozenClock(NOON_JST)
    sender = Scripted(SLOW_DOWN, OK)
    cfg = notifier_settings(settings, line_channel_token="token", line_concurrency=1)
    worker = DeliveryWorker(pool, cfg, clock=clock, sender=sender)
    assert await worker.run_once() == 3
    assert len(sender.calls) == 1  # the first push's 429 held the other two back
    rows = await db.fetch("SELECT status, attempts, next_attempt_at FROM deliveries")
    assert sorted((r["status"], r["attempts"]) for r in rows) == [
        ("failed", 0),
        ("pending", 0),
        ("pending", 0),
    ]
    assert all(
        NOON_JST + timedelta(seconds=29) < r["next_attempt_at"] <= NOON_JST + timedelta(seconds=30)
        for r in rows
    )


async def test_quiet_hours_hold_instant_alerts_until_they_end(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    sid = await fx.subscription(db, fid, quiet=(time(22, 0), time(7, 0)))
    late = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo
    await create_deliveries(db, [fx.alert(fid, sid)], late)
    due = await db.fetchval("SELECT next_attempt_at FROM deliveries")
    assert due == datetime(2026, 11, 27, 22, 0, tzinfo=UTC)  # 07:00 in Tokyo
    clock = FrozenClock(late)
    sender = Scripted(OK)
    worker = DeliveryWorker(pool, notifier_settings(settings), clock=clock, sender=sender)
    assert await worker.run_once() == 0
    clock.set(due)
    assert await worker.run_once() == 1
    assert len(sender.calls) == 1


async def test_digest_sends_one_message_per_channel_at_the_digest_hour(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    sid = await fx.subscription(db, fid, frequency="digest", digest_hour=8)
    alerts = [fx.alert(fid, sid, title=f"案件{i}") for i in range(3)]
    await create_deliveries(db, alerts, NOON_JST)
    clock = FrozenClock(NOON_JST)
    sender = Scripted(OK)
    worker = DeliveryWorker(pool, notifier_settings(settings), clock=clock, sender=sender)
    assert await worker.run_once() == 0
    clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))  # 08:00 next day in Tokyo
    assert await worker.run_once() == 3
    assert len(sender.calls) == 1
    body = sender.calls[0]["body"]
    assert all(f"案件{i}" in body for i in range(3))
    assert [s for s, _ in await status_of(db)] == ["sent"] * 3


async def test_killed_sender_is_recovered_after_the_lease_and_sent_once(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    # A replica claims the delivery, then dies before recording anything.
    await db.fetch(
        "UPDATE deliveries SET status = 'sending', attempts = 1, lease_until = $1",
        NOON_JST + timedelta(seconds=60),
    )
    clock = FrozenClock(NOON_JST + timedelta(seconds=30))
    sender = Scripted(OK)
    worker = DeliveryWorker(pool, notifier_settings(settings), clock=clock, sender=sender)
    assert await worker.run_once() == 0  # lease still held
    clock.advance(timedelta(seconds=31))
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    assert len(sender.calls) == 1
    assert await status_of(db) == [("sent", 2)]


async def test_two_workers_send_every_delivery_exactly_once(
    db: asyncpg.Connection, settings: Settings, maildir: Path
) -> None:
    """Two workers with their own pools race for 120 real mails to the local SMTP sink."""
    fid = await fx.freelancer(db)
    marker = uuid.uuid4().hex
    await fx.channel(db, fid, "email", f"{marker}@example.jp")
    sid = await fx.subscription(db, fid)
    await create_deliveries(
        db, [fx.alert(fid, sid, title=f"並行{i}") for i in range(120)], datetime.now(UTC)
    )
    cfg = notifier_settings(settings, batch_size=20, email_daily_cap=1000)
    pools = [await create_pool(cfg.postgres) for _ in range(2)]
    try:
        workers = [
            DeliveryWorker(p, cfg, clock=FrozenClock(datetime.now(UTC) + timedelta(seconds=1)))
            for p in pools
        ]

        async def drain(w: DeliveryWorker) -> None:
            while await w.run_once():
                pass

        await asyncio.gather(*(drain(w) for w in workers))
    finally:
        for p in pools:
            await p.close()
    assert [s for s, _ in await status_of(db)] == ["sent"] * 120
    ids = await db.fetch("SELECT id FROM deliveries")
    box = mailbox.Maildir(maildir, create=False)
    received = [
        m["X-Gigalert-Delivery-Id"]
        for m in box
        if marker in str(m.get("X-Gigalert-Envelope-To", ""))
    ]
    assert sorted(received) == sorted(str(r["id"]) for r in ids)


class PostgresOutage:
    """Postgres going away under the worker, for real: every connection to the test's
    database but ``admin`` is terminated (``pg_terminate_backend``, as a restart does) and
    new ones are refused (connection limit 0) until :meth:`end`."""

    def __init__(self, admin: asyncpg.Connection) -> None:
        self._admin = admin
        self.began = self.ended = 0.0

    async def begin(self) -> None:
        name = await self._admin.fetchval("SELECT current_database()")
        await self._admin.execute(f'ALTER DATABASE "{name}" CONNECTION LIMIT 0')
        await self._admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        self.began = monotonic_time.monotonic()

    async def end(self, after: float = 0.0) -> None:
        await asyncio.sleep(after)
        name = await self._admin.fetchval("SELECT current_database()")
        await self._admin.execute(f'ALTER DATABASE "{name}" CONNECTION LIMIT -1')
        self.ended = monotonic_time.monotonic()


def mails_to(maildir: Path, marker: str) -> list[str]:
    box = mailbox.Maildir(maildir, create=False)
    return [
        str(m["X-Gigalert-Delivery-Id"])
        for m in box
        if marker in str(m.get("X-Gigalert-Envelope-To", ""))
    ]


async def test_outcome_written_once_postgres_is_back_so_the_mail_goes_once(
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    maildir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The SMTP server takes the mail, then Postgres is away for 1.5 s: mark_sent waits for
    it instead of leaving the delivery `sending` to be sent again after the lease."""
    fid = await fx.freelancer(db)
    marker = uuid.uuid4().hex
    await fx.channel(db, fid, "email", f"{marker}@example.jp")
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    outage = PostgresOutage(db)
    ending: list[asyncio.Task[None]] = []

    async def send_then_lose_postgres(url: str, **kwargs: Any) -> SendOutcome:
        outcome = await send(url, **kwargs)
        await outage.begin()
        ending.append(asyncio.create_task(outage.end(after=1.5)))
        return outcome

    clock = FrozenClock(NOON_JST)
    cfg = notifier_settings(settings, lease_seconds=30)
    worker = DeliveryWorker(pool, cfg, clock=clock, sender=send_then_lose_postgres)
    with caplog.at_level(logging.WARNING, logger="gigalert_notifier.worker"):
        assert await worker.run_once() == 1
    await asyncio.gather(*ending)
    assert outage.ended > outage.began > 0
    assert any("Postgres unreachable" in r.getMessage() for r in caplog.records)
    assert any("recorded after Postgres came back" in r.getMessage() for r in caplog.records)
    assert await status_of(db) == [("sent", 1)]
    clock.advance(timedelta(seconds=31))  # past the lease: nothing to claim again
    assert await worker.run_once() == 0
    delivery_id = await db.fetchval("SELECT id FROM deliveries")
    assert mails_to(maildir, marker) == [str(delivery_id)]


async def test_outcome_write_gives_up_before_the_lease_ends(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    """Postgres stays away longer than the lease: the worker stops retrying before another
    replica may claim the delivery again (it is then sent again: at least once)."""
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    outage = PostgresOutage(db)

    async def send_then_lose_postgres(url: str, **kwargs: Any) -> SendOutcome:
        if not outage.began:
            await outage.begin()
        return OK

    clock = FrozenClock(NOON_JST)
    cfg = notifier_settings(settings, lease_seconds=3)
    worker = DeliveryWorker(pool, cfg, clock=clock, sender=send_then_lose_postgres)
    started = monotonic_time.monotonic()
    try:
        assert await worker.run_once() == 1
        took = monotonic_time.monotonic() - started
    finally:
        await outage.end()
    assert 1.5 < took < 3.0  # retried, then stopped short of the 3 s lease
    assert await status_of(db) == [("sending", 1)]
    clock.advance(timedelta(seconds=4))
    assert await worker.run_once() == 1
    assert await status_of(db) == [("sent", 2)]


class SlowSender:
    """Takes ``seconds`` per send and counts the sends that started and that finished."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = 0
        self.finished = 0
        self.first = asyncio.Event()

    async def __call__(self, url: str, **kwargs: Any) -> SendOutcome:
        self.started += 1
        self.first.set()
        await asyncio.sleep(self.seconds)
        self.finished += 1
        return OK


async def test_stop_finishes_the_sends_in_flight_and_gives_the_rest_back(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    """A round of 10 sends of 0.8 s each (one channel: one at a time) outlasts the stop's
    grace (send timeout 1 s + 5 s). Stop lets the send in flight finish, starts no other
    and makes the other nine due again at once, instead of being cancelled mid-send."""
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    sid = await fx.subscription(db, fid)
    await create_deliveries(db, [fx.alert(fid, sid) for _ in range(10)], NOON_JST)
    sender = SlowSender(0.8)
    cfg = notifier_settings(settings, send_timeout_seconds=1, batch_size=10)
    worker = DeliveryWorker(pool, cfg, clock=FrozenClock(NOON_JST), sender=sender)
    await worker.start()
    await asyncio.wait_for(sender.first.wait(), 10)
    started = monotonic_time.monotonic()
    await worker.stop()
    assert monotonic_time.monotonic() - started < 2.0
    assert (sender.started, sender.finished) == (1, 1)
    rows = await db.fetch("SELECT status, attempts, lease_until FROM deliveries")
    assert sorted((r["status"], r["attempts"]) for r in rows) == [("pending", 0)] * 9 + [
        ("sent", 1)
    ]
    assert all(r["lease_until"] is None for r in rows)
    # Due at once for the next replica, not after the lease.
    other = DeliveryWorker(pool, cfg, clock=FrozenClock(NOON_JST), sender=Scripted(OK))
    assert await other.run_once() == 9


async def test_a_rounds_sends_are_recorded_together_each_behind_its_own_lease(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Six sends finish together: their outcomes go to Postgres in one or two statements,
    each row still fenced by its own lease (one was claimed again meanwhile: it is left
    alone) and each failing channel's count reset."""
    from gigalert_notifier.state_writes import SentWriter

    targets: list[str] = []
    for i in range(6):
        fid = await fx.freelancer(db)
        target = f"batch{i}.{uuid.uuid4().hex[:8]}@example.jp"
        targets.append(target)
        cid = await fx.channel(db, fid, "email", target)
        await db.execute("UPDATE channels SET consecutive_failures = 2 WHERE id = $1", cid)
        await create_deliveries(db, [fx.alert(fid, await fx.subscription(db, fid))], NOON_JST)
    stolen = targets[3]
    everyone = asyncio.Barrier(6)

    async def together(url: str, **kwargs: Any) -> SendOutcome:
        await everyone.wait()
        if kwargs["mail"].recipient == stolen:  # another replica claimed this one again
            await db.execute(
                "UPDATE deliveries d SET lease_until = lease_until + interval '1 minute' "
                "FROM channels c WHERE c.id = d.channel_id AND c.target = $1",
                stolen,
            )
        return OK

    clock = FrozenClock(NOON_JST)
    worker = DeliveryWorker(pool, notifier_settings(settings), clock=clock, sender=together)
    writes = mock.patch.object(
        SentWriter,
        "_write",
        autospec=True,
        side_effect=SentWriter._write,
    )
    with writes as write, caplog.at_level(logging.WARNING, logger="gigalert_notifier.worker"):
        assert await worker.run_once() == 6
    assert 1 <= write.call_count <= 2
    rows = await db.fetch(
        "SELECT c.target, d.status, d.sent_at, c.consecutive_failures "
        "FROM deliveries d JOIN channels c ON c.id = d.channel_id"
    )
    by_target = {r["target"]: r for r in rows}
    assert by_target[stolen]["status"] == "sending"
    for t in targets:
        if t != stolen:
            assert (by_target[t]["status"], by_target[t]["sent_at"]) == ("sent", NOON_JST)
        assert by_target[t]["consecutive_failures"] == 0  # every send went through
    lost = [r for r in caplog.records if "lease was lost" in r.getMessage()]
    assert len(lost) == 1


async def test_a_send_never_starts_so_late_that_the_lease_could_pass_to_another_replica(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    """Ten deliveries to one channel (one send at a time, 0.8 s each) under a 3 s lease: the
    sends that could not end before the lease does are not started but given back, due at
    once; the next rounds send them. Each is sent exactly once."""
    fid = await fx.freelancer(db)
    await fx.channel(db, fid, "email", "taro@example.jp")
    sid = await fx.subscription(db, fid)
    await create_deliveries(db, [fx.alert(fid, sid) for _ in range(10)], NOON_JST)
    sender = SlowSender(0.8)
    cfg = notifier_settings(settings, lease_seconds=3, send_timeout_seconds=1, batch_size=10)
    worker = DeliveryWorker(pool, cfg, clock=FrozenClock(NOON_JST), sender=sender)

    assert await worker.run_once() == 10
    rows = await db.fetch("SELECT status, attempts, lease_until FROM deliveries")
    sent = [r for r in rows if r["status"] == "sent"]
    given_back = [r for r in rows if r["status"] == "pending"]
    assert 1 <= len(sent) <= 3 and len(sent) + len(given_back) == 10, rows
    assert all(r["attempts"] == 0 and r["lease_until"] is None for r in given_back)

    while await worker.run_once():
        pass
    assert await status_of(db) == [("sent", 1)] * 10
    assert sender.started == sender.finished == 10
