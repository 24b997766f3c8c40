"""Email: due deliveries sent by real ``gigalert notifier serve`` processes to the sink."""

from __future__ import annotations

import asyncio
import math

import asyncpg

from bench.notifier_cases.context import (
    KAFKA,
    SERVICE_SETTINGS,
    Context,
    Population,
    scrape,
    src_env,
)
from bench.notifier_cases.deliveries import (
    Throughput,
    count_received,
    held_deliveries,
    measure_release,
    release,
    wait_sent,
)
from gigalert_shared.topics import Topics
from tests.support.machine import CpuWatch
from tests.support.stats import bucket_quantile, diff_buckets


def notifier_env(ctx: Context, dsn: str, topics: Topics, conc: int) -> dict[str, str]:
    return {
        "GIGALERT_POSTGRES_DSN": dsn,
        "GIGALERT_KAFKA_BOOTSTRAP_SERVERS": KAFKA,
        "GIGALERT_KAFKA_TOPIC_PREFIX": topics.prefix,
        "GIGALERT_SMTP_HOST": "127.0.0.1",
        "GIGALERT_SMTP_PORT": str(ctx.sink_port),
        "GIGALERT_SMTP_SECURITY": "none",
        "GIGALERT_NOTIFIER_BATCH_SIZE": str(ctx.args.batch_size),
        "GIGALERT_NOTIFIER_SMTP_CONCURRENCY": str(conc),
        "GIGALERT_LOG_LEVEL": "WARNING",
        **SERVICE_SETTINGS,
    }


async def email_run(
    ctx: Context,
    conn: asyncpg.Connection,
    dsn: str,
    topics: Topics,
    pop: Population,
    procs: int,
    conc: int,
    src: str | None = None,
) -> Throughput:
    args = ctx.args
    n = args.deliveries
    assert ctx.sink_log is not None
    r = Throughput(
        f"email, {procs} × notifier serve", "email", procs, str(conc), args.batch_size, n
    )
    ids, warm = await held_deliveries(conn, pop, n, 10 * args.warmup_rounds)
    env = notifier_env(ctx, dsn, topics, conc) | src_env(src)
    started = [ctx.procs.add("notifier", env) for _ in range(procs)]
    try:
        await ctx.procs.start(started, ready_timeout=120)
        # Warm up every process (Apprise imports ~190 plugin modules on the first send).
        warmed = False
        for k in range(args.warmup_rounds):
            chunk = warm[10 * k : 10 * (k + 1)]
            await release(conn, chunk)
            await wait_sent(conn, chunk, 60)
            counts = [
                (
                    await scrape(p.port or 0, "gigalert_notifier_send_seconds", {"kind": "email"})
                ).get(math.inf, 0.0)
                for p in started
            ]
            warmed = all(c > 0 for c in counts)
            if warmed:
                break
        before = [
            await scrape(p.port or 0, "gigalert_notifier_send_seconds", {"kind": "email"})
            for p in started
        ]
        since = len(ctx.sink_log.lines())
        watch = CpuWatch(
            {f"notifier{i + 1}": p.pid for i, p in enumerate(started)} | {"sink": ctx.sink_pid}
        )
        await measure_release(conn, ids, r, timeout=max(60.0, n / 20))
        r.cpu, r.machine_cpu = watch.stop()
        r.cpu_ms = watch.cpu_ms_per("notifier", r.sent)
        after = [
            await scrape(p.port or 0, "gigalert_notifier_send_seconds", {"kind": "email"})
            for p in started
        ]
        buckets = diff_buckets(before, after)
        r.send_p50, r.send_p99 = bucket_quantile(buckets, 0.5), bucket_quantile(buckets, 0.99)
        await asyncio.sleep(0.2)
        r.received, r.duplicates = count_received(ctx.sink_log, ids, since)
        if not warmed:
            r.note = (r.note + "; " if r.note else "") + "a process got no warm-up send"
    finally:
        for p in started:
            await p.stop(timeout=25)
    return r
