"""End to end: ingest, matcher and notifier as processes under realistic background load;
the latency of probe gigs from the ingest request to the SMTP sink."""

from __future__ import annotations

import hashlib
import math
import random
import secrets
import time
import uuid
from argparse import Namespace
from dataclasses import dataclass, field

import asyncpg

from bench.notifier_cases.context import KAFKA, SERVICE_SETTINGS, Context
from bench.notifier_cases.e2e_collect import collect
from bench.notifier_cases.e2e_data import PROBE_WORD, background_subscriptions
from bench.notifier_cases.e2e_drive import drive
from gigalert_matcher.matching.reference_sql import CRITERIA_COLUMNS
from gigalert_shared.db import init_connection
from gigalert_shared.topics import Topics
from tests.support.fleet import Process


@dataclass
class EndToEnd:
    subscriptions: int = 0
    freelancers: int = 0
    probe_freelancers: int = 0
    load_s: float = 0.0
    matcher_ready_s: float = 0.0
    seconds: float = 0.0
    bg_offered: int = 0
    bg_accepted: int = 0
    bg_rate: float = math.nan
    bg_req_p50: float = math.nan
    bg_req_p99: float = math.nan
    probes: int = 0
    probe_req_p50: float = math.nan
    probe_req_p99: float = math.nan
    expected_mails: int = 0
    mails: int = 0
    duplicates: int = 0
    latencies: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)
    match_p50: float = math.nan
    match_p99: float = math.nan
    gigs_matched: int = 0
    stray_alerts: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    machine_cpu: float = math.nan
    note: str = ""


async def load_subscribers(
    conn: asyncpg.Connection, e: EndToEnd, args: Namespace, rng: random.Random
) -> str:
    """Background freelancers and subscriptions, and the probe freelancers; the API key
    of the bench's platform."""
    from gigalert_ingest.platforms import create_platform

    t0 = time.perf_counter()
    _, key = await create_platform(conn, name="bench-board")
    fids = [uuid.uuid4() for _ in range(e.freelancers)]
    await conn.copy_records_to_table(
        "freelancers",
        records=[(f, "bench", hashlib.sha256(f.bytes).digest()) for f in fids],
        columns=["id", "display_name", "token_hash"],
    )
    await conn.copy_records_to_table(
        "channels",
        records=[(f, "email", f"bg.{f.hex[:12]}@example.jp") for f in fids],
        columns=["freelancer_id", "kind", "target"],
    )
    await conn.execute("ALTER TABLE subscriptions DISABLE TRIGGER subscriptions_changed_trg")
    await conn.copy_records_to_table(
        "subscriptions",
        records=list(background_subscriptions(rng, fids, args.subs)),
        columns=CRITERIA_COLUMNS,
    )
    await conn.execute("ALTER TABLE subscriptions ENABLE TRIGGER subscriptions_changed_trg")
    for k in range(args.probe_freelancers):
        fid = await conn.fetchval(
            "INSERT INTO freelancers (display_name, token_hash) VALUES ($1, $2) RETURNING id",
            f"probe {k}",
            secrets.token_bytes(32),
        )
        await conn.execute(
            "INSERT INTO channels (freelancer_id, kind, target, verified_at) "
            "VALUES ($1, 'email', $2, now())",
            fid,
            f"probe{k}@example.jp",
        )
        await conn.execute(
            "INSERT INTO subscriptions (freelancer_id, name, keywords_any) VALUES ($1, 'probe', $2)",
            fid,
            [PROBE_WORD],
        )
    await conn.execute("VACUUM ANALYZE")
    e.load_s = time.perf_counter() - t0
    return key


async def start_services(ctx: Context, e: EndToEnd, dsn: str, topics: Topics) -> list[Process]:
    """Ingest, matcher and notifier, each ready."""
    common = {
        "GIGALERT_POSTGRES_DSN": dsn,
        "GIGALERT_KAFKA_BOOTSTRAP_SERVERS": KAFKA,
        "GIGALERT_KAFKA_TOPIC_PREFIX": topics.prefix,
        "GIGALERT_LOG_LEVEL": "WARNING",
        **SERVICE_SETTINGS,
        "GIGALERT_HTTP_MAX_BODY_BYTES": "10000000",
    }
    notifier = {
        "GIGALERT_SMTP_HOST": "127.0.0.1",
        "GIGALERT_SMTP_PORT": str(ctx.sink_port),
        "GIGALERT_SMTP_SECURITY": "none",
        # Each probe address gets a mail every 2 s: far past a person's daily cap.
        "GIGALERT_NOTIFIER_EMAIL_DAILY_CAP": "1000000",
    }
    started = [
        ctx.procs.add(kind, common | (notifier if kind == "notifier" else {}))
        for kind in ("ingest", "matcher", "notifier")
    ]
    t0 = time.perf_counter()
    await ctx.procs.start(started, ready_timeout=180)
    e.matcher_ready_s = time.perf_counter() - t0
    return started


async def end_to_end(ctx: Context) -> EndToEnd:
    from gigalert_shared.kafka_admin import create_topics
    from gigalert_shared.settings import KafkaSettings

    args = ctx.args
    e = EndToEnd(
        subscriptions=args.subs,
        freelancers=args.subs // 10,
        probe_freelancers=args.probe_freelancers,
    )
    dsn = await ctx.fresh_db("e2e")
    topics = Topics(prefix=f"nbench{uuid.uuid4().hex[:6]}.")
    await create_topics(KafkaSettings(bootstrap_servers=KAFKA), topics)
    ctx.topics.append(topics)
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    started: list[Process] = []
    try:
        rng = random.Random(11)
        key = await load_subscribers(conn, e, args, rng)
        started = await start_services(ctx, e, dsn, topics)
        probe_sent, mail_since = await drive(ctx, e, started, key, rng)
        await collect(ctx, conn, e, probe_sent, mail_since, started[1])
    finally:
        for p in started:
            await p.stop(timeout=25)
        await conn.close()
    return e
