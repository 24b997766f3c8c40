"""The end-to-end case's findings: probe mails joined to their gigs through Postgres
(latency per stage), stray alerts, and the matcher's lookup time."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import TYPE_CHECKING

import asyncpg
import httpx

from bench.notifier_cases.context import METRICS_AUTH, Context
from tests.support.fleet import Process
from tests.support.stats import bucket_quantile, parse_histogram

if TYPE_CHECKING:
    from bench.notifier_cases.e2e import EndToEnd


async def collect(
    ctx: Context,
    conn: asyncpg.Connection,
    e: EndToEnd,
    probe_sent: dict[str, float],
    mail_since: int,
    matcher: Process,
) -> None:
    assert ctx.sink_log is not None
    # Wait for the last probes' mail.
    deadline = time.monotonic() + 30
    lines: list[tuple[float, str]] = []
    while time.monotonic() < deadline:
        lines = ctx.sink_log.lines()[mail_since:]
        if len(lines) >= e.expected_mails:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)
    lines = ctx.sink_log.lines()[mail_since:]
    ids = []
    for _, ident in lines:
        with contextlib.suppress(ValueError):
            ids.append(uuid.UUID(ident))
    rows = await conn.fetch(
        "SELECT d.id, g.external_id, "
        "extract(epoch FROM g.received_at)::float8 AS gig_at, "
        "extract(epoch FROM a.created_at)::float8 AS alert_at, "
        "extract(epoch FROM d.created_at)::float8 AS delivery_at, "
        "extract(epoch FROM d.sent_at)::float8 AS sent_at "
        "FROM deliveries d JOIN gigs g ON g.id = (d.payload->'gig'->>'gig_id')::uuid "
        "LEFT JOIN alerts a ON a.id = d.alert_id WHERE d.id = ANY($1::uuid[])",
        ids,
    )
    by_id = {str(r["id"]): r for r in rows}
    seen: dict[str, int] = {}
    stages: dict[str, list[float]] = {
        "request → gig stored (ingest)": [],
        "gig stored → alert stored (outbox relay, Kafka, matcher)": [],
        "alert stored → delivery stored (Kafka, notifier consumer)": [],
        "delivery stored → SMTP receipt (worker claim + send)": [],
    }
    for received_at, ident in lines:
        row = by_id.get(ident)
        if row is None or not str(row["external_id"]).startswith("probe-"):
            continue
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] > 1:
            continue
        requested = probe_sent.get(str(row["external_id"]))
        if requested is None:
            continue
        e.latencies.append(received_at - requested)
        if row["alert_at"] is not None:
            values = [
                requested,
                row["gig_at"],
                row["alert_at"],
                row["delivery_at"],
                received_at,
            ]
            for name, a, b in zip(stages, values, values[1:], strict=False):
                stages[name].append(float(b) - float(a))
    e.stages = stages
    e.mails = len(seen)
    e.duplicates = sum(c - 1 for c in seen.values())
    e.stray_alerts = int(
        await conn.fetchval(
            "SELECT count(*) FROM alerts a JOIN gigs g ON g.id = a.gig_id "
            "WHERE g.external_id LIKE 'bg-%'"
        )
    )
    async with httpx.AsyncClient(timeout=10) as c:
        url = f"http://127.0.0.1:{matcher.port}/metrics"
        text = (await c.get(url, headers=METRICS_AUTH)).text
    buckets = sorted(parse_histogram(text, "gigalert_matcher_match_seconds", {}).items())
    e.match_p50, e.match_p99 = bucket_quantile(buckets, 0.5), bucket_quantile(buckets, 0.99)
    e.gigs_matched = int(buckets[-1][1]) if buckets else 0
