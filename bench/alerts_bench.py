"""Alerts made durable and published per second: the matcher's write path.

Builds alerts as the matcher does (one per freelancer and gig, with reasons), inserts them
(unique per freelancer and gig) and publishes them to Kafka with acks from all in-sync
replicas, exactly as GigMatcher.store does. Baseline in the same run: the same rows
inserted without Kafka.

    uv run python -m bench.alerts_bench --alerts 40000 --batch 5000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any, cast

import asyncpg

from gigalert_matcher.alerts import build_alerts
from gigalert_matcher.consumer import GigMatcher
from gigalert_matcher.matching import Criteria, GigFacts
from gigalert_shared.db import create_pool
from gigalert_shared.events import GigBody, RateSource, RemoteMode
from gigalert_shared.kafka_admin import create_topics
from gigalert_shared.kafka_publish import KafkaOutboxPublisher
from gigalert_shared.migrate import migrate
from gigalert_shared.settings import KafkaSettings, PostgresSettings
from gigalert_shared.topics import Topics

ADMIN_DSN = "postgresql://gigalert:gigalert@127.0.0.1:15432/gigalert"
KAFKA = "127.0.0.1:19092"


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
    args = parser.parse_args()

    name = f"gigalert_abench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
    topics = Topics(prefix=f"abench{uuid.uuid4().hex[:6]}.")
    kafka = KafkaSettings(bootstrap_servers=KAFKA)
    await create_topics(kafka, topics)
    pool = await create_pool(PostgresSettings(dsn=dsn, pool_max_size=4))  # type: ignore[arg-type]
    publisher = KafkaOutboxPublisher(kafka, topics, client_id="alerts-bench")
    await publisher.start()
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
        matcher = GigMatcher(
            pool=pool,
            sync=cast(Any, None),
            publisher=publisher,
            broker=cast(Any, None),
            topics=topics,
            max_attempts=5,
        )
        store_times: list[float] = []
        start = time.perf_counter()
        for i in range(0, len(alerts), args.batch):
            t = time.perf_counter()
            await matcher.store(alerts[i : i + args.batch])
            store_times.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - start
        stored = await pool.fetchval("SELECT count(*) FROM alerts")
        published = len(alerts)  # store() returns only after every publish was acknowledged

        # Baseline: the same inserts without outbox and Kafka, into a fresh table copy.
        async with pool.acquire() as conn:
            await conn.execute("TRUNCATE alerts")
            t = time.perf_counter()
            for i in range(0, len(alerts), args.batch):
                chunk = alerts[i : i + args.batch]
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
            baseline = time.perf_counter() - t
    finally:
        await publisher.stop()
        await pool.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
    print(f"alerts stored {stored}, published {published}")
    print("| measure | value |")
    print("|---|---|")
    print(f"| alerts, batch | {len(alerts):,}, {args.batch:,} |")
    print(
        f"| alerts/s durable in Postgres and acknowledged by Kafka | {len(alerts) / elapsed:,.0f} |"
    )
    print(f"| batch time median | {statistics.median(store_times) * 1000:.0f} ms |")
    print(f"| baseline: plain INSERT of the same rows, alerts/s | {len(alerts) / baseline:,.0f} |")
    print(f"| ratio (full path / plain insert) | {baseline / elapsed:.2f} |")


if __name__ == "__main__":
    asyncio.run(main())
