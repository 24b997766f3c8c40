"""One claim round of the notifier (``claim_due``) with a backlog: N due deliveries of one
freelancer (one address) and 1 of another, due after all of them. Each round runs in a
transaction that is rolled back, so every round sees the same backlog; medians of the
rounds. The same rounds with the former claim (oldest first, ``ORDER BY next_attempt_at
LIMIT``) are timed alongside, alternating, as the baseline; each run also says whether the
other freelancer's delivery was in the round.

    uv run python -m bench.fair_claim_bench --backlog 10000 --rounds 200
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from gigalert_notifier.repository import q
from tests.support.machine import load_average, machine
from tests.support.scratch_db import migrated_database

# The claim before fair claims (commit 4df0425), for the baseline.
OLDEST_FIRST = """
WITH due AS (
    SELECT id FROM deliveries
    WHERE (status IN ('pending', 'failed') AND next_attempt_at <= $1)
       OR (status = 'sending' AND lease_until < $1)
    ORDER BY next_attempt_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE deliveries d
SET status = 'sending', lease_until = $1 + make_interval(secs => $3), attempts = d.attempts + 1
FROM due, channels c, freelancers f
WHERE d.id = due.id AND c.id = d.channel_id AND f.id = d.freelancer_id
RETURNING d.id, d.freelancer_id
"""
FAIR = q("claim_due").replace("RETURNING d.id,", "RETURNING d.freelancer_id, d.id,", 1)


async def seed(conn: asyncpg.Connection, backlog: int, history: int, now: datetime) -> uuid.UUID:
    """The flood freelancer's ``backlog`` due rows (and ``history`` sent ones), then the other
    freelancer's single row; returns the other freelancer's id."""
    ids = {}
    for name in ("flood", "other"):
        fid = await conn.fetchval(
            "INSERT INTO freelancers (display_name, token_hash) VALUES ($1, $2) RETURNING id",
            name,
            uuid.uuid4().bytes,
        )
        cid = await conn.fetchval(
            "INSERT INTO channels (freelancer_id, kind, target, verified_at) "
            "VALUES ($1, 'email', $2, now()) RETURNING id",
            fid,
            f"{name}@example.jp",
        )
        ids[name] = (fid, cid)
    payload: dict[str, Any] = {"bench": True}
    fid, cid = ids["flood"]
    await conn.execute(
        "INSERT INTO deliveries (alert_id, channel_id, freelancer_id, payload, next_attempt_at) "
        "SELECT gen_random_uuid(), $1, $2, $3, $4::timestamptz + g * interval '1 ms' "
        "FROM generate_series(1, $5) g",
        cid,
        fid,
        payload,
        now - timedelta(hours=1),
        backlog,
    )
    await conn.execute(
        "INSERT INTO deliveries (alert_id, channel_id, freelancer_id, payload, status, "
        "next_attempt_at, sent_at) "
        "SELECT gen_random_uuid(), $1, $2, $3, 'sent', $4, $4 FROM generate_series(1, $5) g",
        cid,
        fid,
        payload,
        now - timedelta(days=1),
        history,
    )
    fid, cid = ids["other"]
    await conn.execute(
        "INSERT INTO deliveries (alert_id, channel_id, freelancer_id, payload, next_attempt_at) "
        "VALUES (gen_random_uuid(), $1, $2, $3, $4)",
        cid,
        fid,
        payload,
        now - timedelta(seconds=1),
    )
    await conn.execute("VACUUM ANALYZE deliveries")
    other: uuid.UUID = ids["other"][0]
    return other


async def one_round(
    conn: asyncpg.Connection, sql: str, now: datetime, batch: int, other: uuid.UUID
) -> tuple[float, bool, int]:
    tx = conn.transaction()
    await tx.start()
    try:
        start = time.perf_counter()
        rows = await conn.fetch(sql, now, batch, 60.0)
        elapsed = time.perf_counter() - start
    finally:
        await tx.rollback()
    return elapsed, any(r["freelancer_id"] == other for r in rows), len(rows)


async def run(args: argparse.Namespace) -> None:
    async with migrated_database("gigalert_bench_fair") as conn:
        now = datetime.now(UTC)
        other = await seed(conn, args.backlog, args.history, now)
        for sql in (FAIR, OLDEST_FIRST):  # warm up: plans, caches
            for _ in range(5):
                await one_round(conn, sql, now, args.batch, other)
        times: dict[str, list[float]] = {"fair": [], "oldest first": []}
        served: dict[str, set[bool]] = {"fair": set(), "oldest first": set()}
        sizes: dict[str, set[int]] = {"fair": set(), "oldest first": set()}
        for _ in range(args.rounds):
            for label, sql in (("fair", FAIR), ("oldest first", OLDEST_FIRST)):
                t, hit, n = await one_round(conn, sql, now, args.batch, other)
                times[label].append(t)
                served[label].add(hit)
                sizes[label].add(n)
        plan = "\n".join(
            r[0]
            for r in await conn.fetch(
                "EXPLAIN (COSTS OFF) " + q("claim_due"), now, args.batch, 60.0
            )
        )
        pg = await conn.fetchval("SHOW server_version")

    print(f"machine: {machine().describe()}, PostgreSQL {pg}; load average {load_average()}")
    print(
        f"backlog: {args.backlog} due rows of one freelancer + {args.history} sent rows, "
        f"1 due row of another; batch {args.batch}; {args.rounds} rounds each, alternating"
    )
    for label in ("fair", "oldest first"):
        ts = sorted(times[label])
        p90 = ts[int(len(ts) * 0.9) - 1]
        print(
            f"{label:>13}: median {statistics.median(ts) * 1e3:.2f} ms, p90 {p90 * 1e3:.2f} ms, "
            f"min {ts[0] * 1e3:.2f} ms; rows per round {sorted(sizes[label])}; "
            f"other freelancer in the round: {sorted(served[label])}"
        )
    ratio = statistics.median(times["fair"]) / statistics.median(times["oldest first"])
    print(f"ratio fair / oldest first (medians): {ratio:.2f}")
    if args.plan:
        print(plan)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backlog", type=int, default=10_000, help="due rows of one freelancer")
    p.add_argument("--history", type=int, default=50_000, help="sent rows beside them")
    p.add_argument("--batch", type=int, default=100, help="rows per claim round")
    p.add_argument("--rounds", type=int, default=200, help="timed rounds per query")
    p.add_argument("--plan", action="store_true", help="print the fair claim's plan")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
