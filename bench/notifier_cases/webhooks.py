"""Webhook: the real DeliveryWorker in subprocesses, posting to the local json:// endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path

import asyncpg

from bench.notifier_cases.context import SERVICE_SETTINGS, Context, Population, src_env
from bench.notifier_cases.deliveries import Throughput, held_deliveries, measure_release
from gigalert_shared.crypto import SecretBox
from tests.support.fleet import Process
from tests.support.machine import CpuWatch
from tests.support.stats import pct


async def webhook_run(
    ctx: Context,
    conn: asyncpg.Connection,
    dsn: str,
    pop: Population,
    procs: int,
    src: str | None = None,
) -> Throughput:
    args = ctx.args
    n = args.deliveries
    assert ctx.webhook_log is not None
    r = Throughput(
        f"webhook, {procs} × DeliveryWorker → json://",
        "slack",
        procs,
        "16 (fixed)",
        args.batch_size,
        n,
    )
    ids, _ = await held_deliveries(conn, pop, n)
    env = {
        "GIGALERT_POSTGRES_DSN": dsn,
        "GIGALERT_NOTIFIER_BATCH_SIZE": str(args.batch_size),
        "GIGALERT_LOG_LEVEL": "WARNING",
        **SERVICE_SETTINGS,
    } | src_env(src)
    started: list[Process] = []
    outs: list[Path] = []
    try:
        for i in range(procs):
            out = ctx.workdir / f"worker-{procs}-{i}.json"
            outs.append(out)
            started.append(
                await ctx.procs.launch(
                    "worker",
                    [
                        sys.executable,
                        "-m",
                        "bench.notifier_bench",
                        "worker",
                        "--webhook-port",
                        str(ctx.webhook_port),
                        "--out",
                        str(out),
                    ],
                    env,
                    ready_line=True,
                )
            )
        for p in started:
            await p.wait_line()
        since = len(ctx.webhook_log.lines())
        watch = CpuWatch(
            {f"worker{i + 1}": p.pid for i, p in enumerate(started)} | {"endpoint": ctx.webhook_pid}
        )
        await measure_release(conn, ids, r, timeout=max(60.0, n / 20))
        r.cpu, r.machine_cpu = watch.stop()
        r.cpu_ms = watch.cpu_ms_per("worker", r.sent)
        await asyncio.sleep(0.2)
        # The webhook path is /hook/<last segment of the Slack URL>; map back via channels.
        rows = await conn.fetch(
            "SELECT d.id, c.secret_encrypted FROM deliveries d JOIN channels c ON c.id = d.channel_id "
            "WHERE d.id = ANY($1::uuid[])",
            ids,
        )
        box = SecretBox(ctx.settings.channel_secret_key.get_secret_value())
        by_hook = {box.open(row["secret_encrypted"]).rsplit("/", 1)[-1]: row["id"] for row in rows}
        seen: dict[str, int] = {}
        for _, path in ctx.webhook_log.lines()[since:]:
            hook = path.rsplit("/", 1)[-1]
            if hook in by_hook:
                seen[hook] = seen.get(hook, 0) + 1
        r.received, r.duplicates = len(seen), sum(c - 1 for c in seen.values())
    finally:
        for p in started:
            await p.stop(timeout=25)
    durations: list[float] = []
    for out in outs:
        with contextlib.suppress(OSError, ValueError):
            durations.extend(json.loads(out.read_text(encoding="utf-8"))["send_seconds"])
    r.send_p50, r.send_p99 = pct(durations, 0.5), pct(durations, 0.99)
    return r
