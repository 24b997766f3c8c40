"""Held deliveries, released at once, and the throughput they were sent at."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.notifier_cases.context import Population, make_alert
from tests.support.smtp_sink import Received
from tests.support.stats import pct


@dataclass
class Throughput:
    label: str
    kind: str
    procs: int
    concurrency: str
    batch: int
    n: int
    sent: int = 0
    bad: int = 0
    wall_s: float = math.nan
    rate: float = math.nan
    due_p50: float = math.nan
    due_p99: float = math.nan
    send_p50: float = math.nan
    send_p99: float = math.nan
    received: int = 0
    duplicates: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    machine_cpu: float = math.nan
    cpu_ms: float = math.nan
    note: str = ""
    variant: str = "current"


async def make_deliveries(
    conn: asyncpg.Connection, pop: Population, first: int, count: int, hold: datetime
) -> list[uuid.UUID]:
    """Deliveries for freelancers [first, first+count), held until ``hold``; their ids."""
    from gigalert_notifier.deliveries import create_deliveries

    alerts = [
        make_alert(pop.freelancers[i], pop.subscriptions[i], i) for i in range(first, first + count)
    ]
    async with conn.transaction():
        created = await create_deliveries(conn, alerts, hold)
    if created != count:
        raise RuntimeError(f"expected {count} deliveries, created {created}")
    rows = await conn.fetch(
        "SELECT id FROM deliveries WHERE alert_id = ANY($1::uuid[])", [a.alert_id for a in alerts]
    )
    return [r["id"] for r in rows]


async def held_deliveries(
    conn: asyncpg.Connection, pop: Population, n: int, extra: int = 0
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """A fresh deliveries table: ``n`` deliveries (and ``extra`` more after them, for a
    warm-up), held until tomorrow; both lists of ids."""
    await conn.execute("TRUNCATE deliveries")
    hold = datetime.now(UTC) + timedelta(days=1)
    ids = await make_deliveries(conn, pop, 0, n, hold)
    more = await make_deliveries(conn, pop, n, extra, hold) if extra else []
    return ids, more


async def release(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> datetime:
    at = datetime.now(UTC)
    await conn.execute(
        "UPDATE deliveries SET next_attempt_at = $2 WHERE id = ANY($1::uuid[])", ids, at
    )
    return at


async def wait_sent(
    conn: asyncpg.Connection, ids: list[uuid.UUID], timeout: float
) -> tuple[int, int]:
    """Poll until every delivery is sent (or one failed, or the timeout); (sent, bad)."""
    deadline = time.monotonic() + timeout
    sent = bad = 0
    while time.monotonic() < deadline:
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE status = 'sent') AS sent, "
            "count(*) FILTER (WHERE status IN ('failed', 'dead')) AS bad "
            "FROM deliveries WHERE id = ANY($1::uuid[])",
            ids,
        )
        assert row is not None
        sent, bad = int(row["sent"]), int(row["bad"])
        if sent + bad >= len(ids):
            break
        await asyncio.sleep(0.1)
    return sent, bad


async def measure_release(
    conn: asyncpg.Connection, ids: list[uuid.UUID], r: Throughput, timeout: float
) -> None:
    """Make the held deliveries due, wait until all are sent, fill rate and latencies."""
    released = await release(conn, ids)
    r.sent, r.bad = await wait_sent(conn, ids, timeout)
    rows = await conn.fetch(
        "SELECT extract(epoch FROM sent_at - next_attempt_at)::float8 AS lat, "
        "extract(epoch FROM sent_at - $2::timestamptz)::float8 AS since "
        "FROM deliveries WHERE id = ANY($1::uuid[]) AND status = 'sent'",
        ids,
        released,
    )
    lat = [float(row["lat"]) for row in rows]
    if rows:
        r.wall_s = max(float(row["since"]) for row in rows)
        r.rate = len(rows) / r.wall_s
        r.due_p50, r.due_p99 = pct(lat, 0.5), pct(lat, 0.99)
    if r.sent + r.bad < len(ids):
        r.note = f"timed out: {r.sent} of {len(ids)} sent"
    elif r.bad:
        r.note = f"{r.bad} failed or dead"


def count_received(log: Received, ids: Sequence[uuid.UUID], since: int) -> tuple[int, int]:
    """How many of these deliveries arrived, and how many arrived more than once."""
    wanted = {str(i) for i in ids}
    seen: dict[str, int] = {}
    for _, ident in log.lines()[since:]:
        key = ident.rsplit("/", 1)[-1]
        if key in wanted:
            seen[key] = seen.get(key, 0) + 1
    return len(seen), sum(c - 1 for c in seen.values())
