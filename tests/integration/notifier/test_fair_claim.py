"""Fair claims: one freelancer's backlog (10,000 due mails to one address) must not hold
another freelancer's alert back beyond one claim round; a round takes every freelancer's
oldest due delivery first, then their second, …; a lone backlog still fills whole rounds;
the lease and SKIP LOCKED semantics stay as they were. Real Postgres."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest

from gigalert_notifier.deliveries import create_deliveries
from gigalert_notifier.repository import q
from gigalert_notifier.schedule import FrozenClock
from gigalert_notifier.worker import DeliveryWorker
from gigalert_shared.db import create_pool
from gigalert_shared.settings import Settings
from tests.integration.notifier import fixtures as fx
from tests.integration.notifier.test_deliveries import NOON_JST, OK, Scripted, notifier_settings

LEASE = 60.0


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(settings.postgres)
    yield p
    await p.close()


async def backlog(
    db: asyncpg.Connection, n: int, *, address: str, oldest: timedelta
) -> tuple[uuid.UUID, uuid.UUID]:
    """A freelancer with ``n`` due instant deliveries to one proven address, the oldest due
    ``oldest`` before noon and one millisecond apart (inserted in one statement)."""
    fid = await fx.freelancer(db)
    cid = await fx.channel(db, fid, "email", address)
    payload = fx.alert(fid, await fx.subscription(db, fid)).model_dump(mode="json")
    await db.execute(
        "INSERT INTO deliveries (alert_id, channel_id, freelancer_id, payload, next_attempt_at) "
        "SELECT gen_random_uuid(), $1, $2, $3, $4::timestamptz + g * interval '1 millisecond' "
        "FROM generate_series(1, $5) g",
        cid,
        fid,
        payload,
        NOON_JST - oldest,
        n,
    )
    return fid, cid


async def claim(conn: asyncpg.Connection | asyncpg.Pool, batch: int = 100) -> list[asyncpg.Record]:
    return list(await conn.fetch(q("claim_due"), NOON_JST, batch, LEASE))


async def test_one_freelancers_10000_mails_do_not_delay_anothers_alert(
    db: asyncpg.Connection, pool: asyncpg.Pool, settings: Settings
) -> None:
    # The backlog has waited an hour; the other freelancer's alert arrives just now.
    flood, _ = await backlog(db, 10_000, address="flood@example.jp", oldest=timedelta(hours=1))
    other = await fx.freelancer(db)
    await fx.channel(db, other, "email", "other@example.jp")
    await create_deliveries(db, [fx.alert(other, await fx.subscription(db, other))], NOON_JST)
    await db.execute("ANALYZE deliveries")

    sender = Scripted(OK)
    worker = DeliveryWorker(
        pool,
        notifier_settings(settings, email_daily_cap=100_000),
        clock=FrozenClock(NOON_JST),
        sender=sender,
    )
    assert await worker.run_once() == 100  # one round
    assert (
        await db.fetchval("SELECT status FROM deliveries WHERE freelancer_id = $1", other) == "sent"
    )
    assert sum(c["mail"].recipient == "other@example.jp" for c in sender.calls) == 1
    pending = await db.fetchval(
        "SELECT count(*) FROM deliveries WHERE freelancer_id = $1 AND status = 'pending'", flood
    )
    assert pending == 10_000 - 99


async def test_the_ranking_reads_the_fair_index(db: asyncpg.Connection) -> None:
    await backlog(db, 10_000, address="flood@example.jp", oldest=timedelta(hours=1))
    await backlog(db, 1, address="other@example.jp", oldest=timedelta(0))
    await db.execute("VACUUM ANALYZE deliveries")
    # EXPLAIN alone plans the claim without running it.
    plan = "\n".join(
        r[0] for r in await db.fetch("EXPLAIN " + q("claim_due"), NOON_JST, 100, LEASE)
    )
    assert "deliveries_fair_idx" in plan


async def test_a_round_takes_every_freelancers_turn_before_anyones_next(
    db: asyncpg.Connection,
) -> None:
    a, _ = await backlog(db, 300, address="a@example.jp", oldest=timedelta(hours=2))
    b, _ = await backlog(db, 300, address="b@example.jp", oldest=timedelta(hours=1))
    c, _ = await backlog(db, 10, address="c@example.jp", oldest=timedelta(minutes=1))
    rows = await claim(db)
    by = Counter(
        r["freelancer_id"]
        for r in await db.fetch(
            "SELECT freelancer_id FROM deliveries WHERE id = ANY($1::uuid[])",
            [r["id"] for r in rows],
        )
    )
    assert by == {c: 10, a: 45, b: 45}
    # Within a freelancer, oldest first.
    for fid in (a, b):
        claimed = await db.fetchval(
            "SELECT max(next_attempt_at) FROM deliveries WHERE freelancer_id = $1 "
            "AND status = 'sending'",
            fid,
        )
        unclaimed = await db.fetchval(
            "SELECT min(next_attempt_at) FROM deliveries WHERE freelancer_id = $1 "
            "AND status = 'pending'",
            fid,
        )
        assert claimed < unclaimed


async def test_a_lone_backlog_still_fills_whole_rounds(db: asyncpg.Connection) -> None:
    await backlog(db, 250, address="a@example.jp", oldest=timedelta(hours=1))
    assert [len(await claim(db)) for _ in range(4)] == [100, 100, 50, 0]


async def test_leases_are_kept_and_expired_ones_come_back_first(db: asyncpg.Connection) -> None:
    await backlog(db, 150, address="a@example.jp", oldest=timedelta(hours=1))
    first = await claim(db)
    assert len(first) == 100
    assert {(r["attempts"], r["lease_until"]) for r in first} == {
        (1, NOON_JST + timedelta(seconds=LEASE))
    }
    second = await claim(db)  # the leased rows are not taken again while the lease holds
    assert len(second) == 50 and not {r["id"] for r in first} & {r["id"] for r in second}
    assert await claim(db) == []
    # The first round's replica died. After its lease, its rows keep their place in their
    # freelancer's queue (the oldest: turns 1-100, the second round's 50 are 101-150), and a
    # new freelancer's alert still goes in the first turn.
    b, _ = await backlog(db, 1, address="b@example.jp", oldest=timedelta(0))
    later = NOON_JST + timedelta(seconds=LEASE + 1)
    again = await db.fetch(q("claim_due"), later, 101, LEASE)
    b_id = await db.fetchval("SELECT id FROM deliveries WHERE freelancer_id = $1", b)
    assert {r["id"] for r in again} == {r["id"] for r in first} | {b_id}
    assert {r["attempts"] for r in again if r["id"] in {x["id"] for x in first}} == {2}


async def test_replicas_claiming_at_once_take_disjoint_rows(
    db: asyncpg.Connection, settings: Settings
) -> None:
    await backlog(db, 1000, address="a@example.jp", oldest=timedelta(hours=1))
    await backlog(db, 1000, address="b@example.jp", oldest=timedelta(hours=1))
    pools = [await create_pool(settings.postgres) for _ in range(4)]
    try:
        rounds = await asyncio.gather(*(claim(p) for p in pools))
    finally:
        for p in pools:
            await p.close()
    ids = [r["id"] for rows in rounds for r in rows]
    assert len(ids) == len(set(ids))
    assert len(ids) == 400  # the ranked pool holds four rounds: nobody came back empty
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sending'") == 400
