"""Notifier benchmark: deliveries per second to local endpoints, and end-to-end latency.

    uv run python -m bench.notifier_bench

Everything runs on this machine against the local Kafka and Postgres, in fresh databases
(dropped at the end) and with fresh topics; every process the bench starts is stopped in a
``finally``. One run measures, in order:

1. **Email**: N due ``instant`` email deliveries (freelancers, email channels,
   subscriptions and deliveries made with ``deliveries.create_deliveries`` from realistic
   ``AlertMatched`` payloads) are sent by 1 and 2 real notifier processes (``gigalert
   notifier serve``) to a counting SMTP sink (``tests/support/smtp_sink.py`` in a process of
   its own: it records the receive time and ``X-Gigalert-Delivery-Id`` of every mail), for each SMTP
   concurrency. The deliveries are inserted "held" (due tomorrow); after the processes are
   ready and warmed up (a few deliveries each, so Apprise's plugin import is not timed) all
   N are made due at once and the clock runs until every one is ``sent``. Reported:
   deliveries/s (N / (last ``sent_at`` − release)), due → ``sent_at`` p50/p99 (mostly
   queueing: the whole backlog is due at once), and the per-send time p50/p99 from the
   processes' ``gigalert_notifier_send_seconds`` histogram (interpolated within buckets).
2. **Webhook**: the same with Slack channels, but Slack URLs cannot point at localhost, so
   the real ``DeliveryWorker`` runs in 1 and 2 subprocesses (``worker`` sub-command) whose
   ``sender`` calls the real ``sending.send`` on an Apprise ``json://127.0.0.1:PORT/…`` URL
   served by a local uvicorn endpoint (``webhook`` sub-command). This measures worker +
   Apprise + HTTP, not Slack.
3. **End to end**: ingest, matcher and notifier as processes; 100,000 active subscriptions
   (10,000 freelancers) bulk-loaded with a realistic spread of remote modes, floors,
   domains, keywords, day limits and locations, every one excluding a word that every
   bench gig carries (``keywords_none``), so the index gathers and filters real candidate
   sets but no background mail is sent; plus a few probe freelancers whose subscriptions
   match only probe gigs. Background gigs at ``--e2e-rate`` gigs/s (batches via
   ``/v1/gigs/batch``) for ``--e2e-seconds``, a probe gig (``/v1/gigs``) every 0.5 s; latency
   = SMTP receipt − the probe's request start, joined through Postgres (delivery →
   ``payload.gig.gig_id`` → ``gigs.external_id``).
4. **Baselines** in the same run: raw ``smtplib`` from one thread to the same sink (a
   connection per mail, as Apprise does, and one reused connection), ``send()`` alone
   in-process (Apprise without worker or database), and POST loops to the same webhook
   endpoint (httpx with keep-alive; ``requests.post``, a connection per request, as
   Apprise's json plugin does).

A/B on a shared machine: export the code to compare against and pass it with
``--baseline-src``; the throughput runs then alternate baseline and current ``--rounds``
times (baseline first; the notifier processes and bench workers get the baseline's sources
first on ``PYTHONPATH``) and a summary gives the medians and the ratio current / baseline,
overall and per round (each round's pair ran back to back, so it is the least disturbed by
other load). A smaller run, e.g.:

    rm -rf /tmp/notifier-base && mkdir /tmp/notifier-base
    git archive <ref> shared/src services/notifier/src | tar -x -C /tmp/notifier-base
    uv run python -m bench.notifier_bench --baseline-src /tmp/notifier-base --rounds 3 \
        --deliveries 600 --procs 1 --smtp-concurrency 8 --skip-e2e --skip-baselines --doc ''

Prints markdown tables; ``--doc FILE`` also writes them to FILE (nothing in the tree by
default: results go into docs/benchmarks.md by hand). This module is the
runner; the cases are the modules of ``bench/notifier_cases/``. Sub-commands used
internally: ``webhook``, ``worker``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Final

import asyncpg

from bench.notifier_cases import (
    apprise_alone,
    bare_aiosmtplib,
    bare_httpx,
    bare_smtplib,
)
from bench.notifier_cases.baseline import Baseline
from bench.notifier_cases.context import (
    ADMIN_DSN,
    KAFKA,
    REPO,
    Context,
    delete_topics,
    drop_databases,
    load_population,
)
from bench.notifier_cases.deliveries import Throughput
from bench.notifier_cases.doc import Report, write_doc
from bench.notifier_cases.e2e import EndToEnd, end_to_end
from bench.notifier_cases.email_pool import email_run
from bench.notifier_cases.endpoints import run_webhook, run_worker
from bench.notifier_cases.summary import summary
from bench.notifier_cases.tables import ab_summary, baseline_table, e2e_table, throughput_table
from bench.notifier_cases.webhooks import webhook_run
from gigalert_shared.crypto import SecretBox
from gigalert_shared.db import init_connection
from gigalert_shared.topics import Topics
from tests.support.fleet import Fleet
from tests.support.machine import CpuWatch, machine
from tests.support.ports import free_port
from tests.support.smtp_sink import Received

# In the order of the baseline table.
BASELINES: Final[list[Callable[[Context], Awaitable[list[Baseline]]]]] = [
    bare_smtplib.run,
    bare_aiosmtplib.run,
    apprise_alone.email,
    bare_httpx.run,
    apprise_alone.json_hook,
]


def facts() -> dict[str, str]:
    m = machine()
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False)
    return {
        "nproc": str(m.usable_cpus),
        "cpu": m.cpu_model,
        "free": free.stdout.strip("\n"),
        "python": m.python,
        "kernel": m.kernel,
    }


async def baselines(ctx: Context) -> list[Baseline]:
    out: list[Baseline] = []
    for case in BASELINES:
        out += await case(ctx)
    return out


async def run(args: argparse.Namespace) -> Report:
    wall0 = time.perf_counter()
    info = facts()
    idle = CpuWatch({})
    await asyncio.sleep(3)
    _, busy = idle.stop()
    info["busy_before"] = f"{busy:.0f}%"
    info["loadavg"] = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"machine: nproc {info['nproc']}, {info['cpu']}, Python {info['python']}; "
        f"busy {info['busy_before']} before the bench started anything (load {info['loadavg']})"
    )
    workdir = Path(tempfile.mkdtemp(prefix="notifier-bench-"))
    procs = Fleet(workdir, os.environ, cwd=REPO)
    admin = await asyncpg.connect(ADMIN_DSN)
    ctx = Context(args, admin, procs, workdir)
    email: list[Throughput] = []
    hooks: list[Throughput] = []
    base: list[Baseline] = []
    e: EndToEnd | None = None
    try:
        ctx.sink_port, ctx.webhook_port = free_port(), free_port()
        ctx.sink_log = Received(workdir / "sink.tsv")
        ctx.webhook_log = Received(workdir / "webhook.tsv")
        sink_argv = ["--port", str(ctx.sink_port), "--out", str(ctx.sink_log.path)]
        sink = await procs.launch(
            "sink", [sys.executable, "-m", "tests.support.smtp_sink", *sink_argv], ready_line=True
        )
        hook_argv = ["--port", str(ctx.webhook_port), "--out", str(ctx.webhook_log.path)]
        hook = await procs.launch(
            "webhook",
            [sys.executable, "-m", "bench.notifier_bench", "webhook", *hook_argv],
            ready_line=True,
        )
        await sink.wait_line()
        await hook.wait_line()
        ctx.sink_pid, ctx.webhook_pid = sink.pid, hook.pid

        if not args.skip_throughput:
            from gigalert_shared.kafka_admin import create_topics
            from gigalert_shared.settings import KafkaSettings

            dsn = await ctx.fresh_db("tput")
            topics = Topics(prefix=f"nbench{uuid.uuid4().hex[:6]}.")
            await create_topics(KafkaSettings(bootstrap_servers=KAFKA), topics)
            ctx.topics.append(topics)
            conn = await asyncpg.connect(dsn)
            try:
                await init_connection(conn)
                box = SecretBox(ctx.settings.channel_secret_key.get_secret_value())
                extra = 10 * args.warmup_rounds
                await conn.execute(
                    "ALTER TABLE subscriptions DISABLE TRIGGER subscriptions_changed_trg"
                )
                email_pop = await load_population(conn, args.deliveries + extra, "email", box)
                slack_pop = await load_population(conn, args.deliveries, "slack", box)
                await conn.execute(
                    "ALTER TABLE subscriptions ENABLE TRIGGER subscriptions_changed_trg"
                )
                await conn.execute("VACUUM ANALYZE")
                variants: list[tuple[str, str | None]] = [("current", None)]
                if args.baseline_src:
                    variants = [("baseline", args.baseline_src), ("current", None)]
                for k in range(args.rounds):
                    for variant, src in variants:
                        tag = f" [{variant} #{k + 1}]" if args.baseline_src else ""
                        for n_procs in args.procs:
                            for conc in args.smtp_concurrency:
                                r = await email_run(
                                    ctx, conn, dsn, topics, email_pop, n_procs, conc, src
                                )
                                r.label, r.variant = r.label + tag, variant
                                email.append(r)
                                print(throughput_table([r]).splitlines()[-1], flush=True)
                        for n_procs in args.procs:
                            r = await webhook_run(ctx, conn, dsn, slack_pop, n_procs, src)
                            r.label, r.variant = r.label + tag, variant
                            hooks.append(r)
                            print(throughput_table([r]).splitlines()[-1], flush=True)
            finally:
                await conn.close()
            if not args.skip_baselines:
                base = await baselines(ctx)
                print(baseline_table(base), flush=True)
        if not args.skip_e2e:
            e = await end_to_end(ctx)
            print(e2e_table(e, args), flush=True)
    finally:
        with contextlib.suppress(Exception):
            await procs.close()
        await drop_databases(admin, ctx.dbs)
        await delete_topics(ctx.topics)
        shutil.rmtree(workdir, ignore_errors=True)
    return Report(info, email, hooks, base, e, time.perf_counter() - wall0)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    w = sub.add_parser("webhook", help="(internal) local HTTP endpoint")
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--out", required=True)
    k = sub.add_parser("worker", help="(internal) DeliveryWorker sending to the local endpoint")
    k.add_argument("--webhook-port", type=int, required=True)
    k.add_argument("--out", required=True)
    parser.add_argument(
        "--deliveries", type=int, default=2000, help="deliveries per throughput run"
    )
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--smtp-concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--batch-size", type=int, default=100, help="GIGALERT_NOTIFIER_BATCH_SIZE")
    parser.add_argument(
        "--warmup-rounds", type=int, default=6, help="rounds of 10 warm-up deliveries at most"
    )
    parser.add_argument(
        "--baseline-messages", type=int, default=1000, help="messages per baseline loop"
    )
    parser.add_argument("--subs", type=int, default=100_000)
    parser.add_argument("--probe-freelancers", type=int, default=4)
    parser.add_argument("--e2e-rate", type=float, default=100.0, help="background gigs/s")
    parser.add_argument("--e2e-batch", type=int, default=10, help="gigs per background request")
    parser.add_argument("--e2e-seconds", type=float, default=25.0)
    parser.add_argument("--probe-interval", type=float, default=0.5)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--skip-baselines", action="store_true", help="no raw-client baselines")
    parser.add_argument(
        "--baseline-src",
        help="a directory holding shared/src and services/notifier/src to compare against "
        "(A/B: see the module docstring)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="A/B rounds (--baseline-src)")
    parser.add_argument("--doc", default="", help="a markdown file to write the tables to")
    return parser.parse_args(argv)


def _as_served() -> asyncio.Runner:
    """uvloop, as uvicorn picks it for the services (``loop="auto"``)."""
    import uvloop

    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def main(argv: Sequence[str] | None = None) -> None:
    given = list(sys.argv[1:] if argv is None else argv)
    args = parse(given)
    if args.command == "webhook":
        with open(args.out, "a", encoding="utf-8") as out, _as_served() as runner:
            runner.run(run_webhook(args.port, out))
        return
    if args.command == "worker":
        with _as_served() as runner:  # the loop `gigalert notifier serve` runs the worker on
            durations = runner.run(run_worker(args.webhook_port))
        Path(args.out).write_text(json.dumps({"send_seconds": durations}), encoding="utf-8")
        return
    report = asyncio.run(run(args))
    e = report.e2e
    print("\n" + throughput_table(report.email + report.hooks))
    print("\n" + baseline_table(report.base))
    if e is not None:
        print("\n" + e2e_table(e, args))
    if args.baseline_src:
        print("\n" + ab_summary(report.email + report.hooks))
    else:
        print("\n" + "\n".join(summary(report.email, report.hooks, report.base, e)))
    print(f"\nwhole run: {report.elapsed / 60:.1f} min")
    if args.doc:
        command = "uv run python -m bench.notifier_bench" + (
            "" if not given else " " + " ".join(given)
        )
        write_doc(Path(args.doc), command, report, args)
        print(f"wrote {args.doc}")


if __name__ == "__main__":
    main()
