"""Alerts made durable and published per second: the matcher's write path, A/B.

Builds alerts as the matcher does (one per freelancer and gig, with reasons), inserts them
(unique per freelancer and gig) and publishes them to Kafka with acks from all in-sync
replicas, exactly as GigMatcher.store does ("now"), and as it did before the COPY staging
and single serialisation ("before": ``BeforeStore``, kept here as the reference). Rounds
alternate the order (ABBA) and the table is emptied before each pass; medians per path.
Also in the same run: the same rows by a plain INSERT without Kafka, and a replay of every
alert through ``GigMatcher.store`` (nothing new, everything republished).

    uv run python -m bench.alerts_bench --alerts 40000 --batch 5000 --rounds 6
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import asyncpg
from pydantic import TypeAdapter

from gigalert_matcher.alerts import build_alerts
from gigalert_matcher.consumer import GigMatcher
from gigalert_matcher.key_hash import murmur2_many
from gigalert_matcher.matching import Criteria, GigFacts
from gigalert_shared.db import create_pool
from gigalert_shared.events import (
    AlertMatched,
    GigBody,
    MatchReason,
    RateSource,
    RemoteMode,
    dump_event,
    event_headers,
)
from gigalert_shared.kafka_admin import create_topics
from gigalert_shared.kafka_publish import KafkaOutboxPublisher
from gigalert_shared.migrate import migrate
from gigalert_shared.outbox import OutboxMessage
from gigalert_shared.settings import KafkaSettings, PostgresSettings
from gigalert_shared.topics import ALERTS_MATCHED, Topics

ADMIN_DSN = "postgresql://gigalert:gigalert@127.0.0.1:15432/gigalert"
KAFKA = "127.0.0.1:19092"
_REASONS: TypeAdapter[dict[str, list[MatchReason]]] = TypeAdapter(dict[str, list[MatchReason]])


class BeforeStore:
    """GigMatcher.store as it was (commit d87145a): one pydantic pass per alert for the
    event and another for the reasons, ``INSERT … SELECT FROM unnest(…)`` of five arrays
    (subscription ids as text, reasons as jsonb text), a publisher hashing key by key."""

    def __init__(self, pool: asyncpg.Pool, publisher: KafkaOutboxPublisher) -> None:
        self._pool = pool
        self._publisher = publisher

    async def store(self, alerts: list[AlertMatched]) -> int:
        unique = list({a.alert_id: a for a in alerts}.values())
        if not unique:
            return 0
        rows, _ = await asyncio.gather(self._insert(unique), self._publish(unique))
        return len(rows)

    async def _insert(self, alerts: list[AlertMatched]) -> list[Any]:
        async with self._pool.acquire() as conn:
            return list(
                await conn.fetch(
                    "INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons) "
                    "SELECT id, freelancer_id, gig_id, subscription_ids::uuid[], reasons "
                    "FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::jsonb[]) "
                    "AS a(id, freelancer_id, gig_id, subscription_ids, reasons) "
                    "ON CONFLICT (freelancer_id, gig_id) DO NOTHING RETURNING id",
                    [a.alert_id for a in alerts],
                    [a.freelancer_id for a in alerts],
                    [a.gig.gig_id for a in alerts],
                    ["{" + ",".join(str(s) for s in a.subscription_ids) + "}" for a in alerts],
                    [_REASONS.dump_json(a.reasons).decode() for a in alerts],
                )
            )

    async def _publish(self, alerts: list[AlertMatched]) -> None:
        await self._publisher.publish_batch(
            [
                OutboxMessage(
                    ALERTS_MATCHED,
                    dump_event(a),
                    str(a.freelancer_id).encode(),
                    {**event_headers(a), "alert-id": str(a.alert_id)},
                )
                for a in alerts
            ]
        )


async def plain_insert(pool: asyncpg.Pool, alerts: list[AlertMatched], batch: int) -> float:
    """Seconds to insert the rows without Kafka, uniqueness or outbox: the floor."""
    async with pool.acquire() as conn:
        t = time.perf_counter()
        for i in range(0, len(alerts), batch):
            chunk = alerts[i : i + batch]
            await conn.execute(
                "INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons) "
                "SELECT id, f, g, s::uuid[], r FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], "
                "$4::text[], $5::jsonb[]) AS a(id, f, g, s, r)",
                [a.alert_id for a in chunk],
                [a.freelancer_id for a in chunk],
                [a.gig.gig_id for a in chunk],
                ["{" + ",".join(map(str, a.subscription_ids)) + "}" for a in chunk],
                [{k: [r.model_dump() for r in v] for k, v in a.reasons.items()} for a in chunk],
            )
        return time.perf_counter() - t


def gig() -> GigBody:
    return GigBody(
        gig_id=uuid.uuid4(),
        platform_id=uuid.uuid4(),
        platform_name="bench",
        external_id=uuid.uuid4().hex,
        title="PMO支援（フルリモート）",
        domains=["pmo"],
        remote_mode=RemoteMode.REMOTE,
        rate_min_jpy_h=5000,
        rate_max_jpy_h=5000,
        rate_source=RateSource(convention="hour"),
        received_at=datetime.now(UTC),
        content_hash="h",
    )


def criteria(fid: uuid.UUID) -> Criteria:
    return Criteria(
        subscription_id=uuid.uuid4(),
        freelancer_id=fid,
        remote_modes=frozenset({"remote"}),
        min_rate_jpy_h=4500,
        include_unknown_rate=False,
        domains=frozenset({"pmo"}),
        keywords_any=(),
        keywords_none=(),
        max_days_per_week=None,
        locations=(),
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--freelancers", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=6, help="passes per path (ABBA)")
    args = parser.parse_args()

    name = f"gigalert_abench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
    topics = Topics(prefix=f"abench{uuid.uuid4().hex[:6]}.")
    kafka = KafkaSettings(bootstrap_servers=KAFKA)
    await create_topics(kafka, topics)
    pool = await create_pool(PostgresSettings(dsn=dsn, pool_max_size=4))  # type: ignore[arg-type]
    publisher = KafkaOutboxPublisher(
        kafka, topics, client_id="alerts-bench", key_hashes=murmur2_many
    )  # as the matcher's app builds it
    old_publisher = KafkaOutboxPublisher(kafka, topics, client_id="alerts-bench-before")
    await publisher.start()
    await old_publisher.start()
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
            fids = [
                r["id"]
                for r in await conn.fetch(
                    "INSERT INTO freelancers (display_name, token_hash) "
                    "SELECT 'f' || g, sha256(g::text::bytea) FROM generate_series(1, $1) g "
                    "RETURNING id",
                    args.freelancers,
                )
            ]
        subs = [criteria(f) for f in fids]
        per_gig = len(subs)
        gigs_needed = -(-args.alerts // per_gig)
        now = datetime.now(UTC)
        alerts = []
        for _ in range(gigs_needed):
            g = gig()
            alerts.extend(build_alerts(g, GigFacts.from_gig(g), subs, now))
        alerts = alerts[: args.alerts]
        matcher = GigMatcher(pool=pool, sync=cast(Any, None), publisher=publisher)
        before = BeforeStore(pool, old_publisher)
        paths: dict[str, Callable[[list[AlertMatched]], Awaitable[int]]] = {
            "before": before.store,
            "now": matcher.store,
        }
        rates: dict[str, list[float]] = {k: [] for k in [*paths, "plain insert"]}
        batch_ms: dict[str, list[float]] = {k: [] for k in paths}
        for round_no in range(args.rounds):
            order = list(paths) if round_no % 2 == 0 else list(paths)[::-1]  # ABBA
            for path in order:
                await pool.execute("TRUNCATE alerts")
                start = time.perf_counter()
                for i in range(0, len(alerts), args.batch):
                    t = time.perf_counter()
                    await paths[path](alerts[i : i + args.batch])
                    batch_ms[path].append((time.perf_counter() - t) * 1000)
                rates[path].append(len(alerts) / (time.perf_counter() - start))
                stored = await pool.fetchval("SELECT count(*) FROM alerts")
                assert stored == len(alerts), (path, stored)
            await pool.execute("TRUNCATE alerts")
            rates["plain insert"].append(len(alerts) / await plain_insert(pool, alerts, args.batch))
        # Replay: every alert again, as a redelivered gig would: nothing new, all published.
        start = time.perf_counter()
        new = 0
        for i in range(0, len(alerts), args.batch):
            new += await matcher.store(alerts[i : i + args.batch])
        replay = len(alerts) / (time.perf_counter() - start)
        assert new == 0 and await pool.fetchval("SELECT count(*) FROM alerts") == len(alerts)
    finally:
        await publisher.stop()
        await old_publisher.stop()
        await pool.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
    load = os.getloadavg()
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"| {len(alerts):,} alerts in batches of {args.batch:,}, {args.rounds} rounds (ABBA) | before | now |"
    )
    print("|---|---:|---:|")
    print(
        "| alerts/s durable and acknowledged, median (min–max) | "
        + " | ".join(f"{med[k]:,.0f} ({min(rates[k]):,.0f}–{max(rates[k]):,.0f})" for k in paths)
        + " |"
    )
    print(
        "| batch time median | "
        + " | ".join(f"{statistics.median(batch_ms[k]):,.0f} ms" for k in paths)
        + " |"
    )
    print(f"| now / before (ratio of medians) | | {med['now'] / med['before']:.2f}× |")
    print(f"| plain INSERT of the same rows (no Kafka), median | {med['plain insert']:,.0f}/s | |")
    print(f"| replay of every alert (0 new, all republished) | | {replay:,.0f}/s |")


if __name__ == "__main__":
    asyncio.run(main())
