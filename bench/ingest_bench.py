"""Ingest throughput: gigs/s through POST /v1/gigs/batch into Postgres and Kafka.

Runs the real service (uvicorn, one process) against the local Kafka and Postgres, in a
fresh database and with fresh topics, and reports request latency p50/p99, accepted gigs/s,
and the time until every event was published (outbox drained). Baselines measured in the
same run: the same requests against /healthz (HTTP floor) and validation + normalisation of
the same gigs in-process (CPU floor).

    uv run python -m bench.ingest_bench --batches 60 --batch-size 500 --concurrency 4

The machine is shared, so compare against a baseline in the same run: export the code to
compare against and pass it with ``--baseline-src``; the bench then alternates the two
servers ``--rounds`` times (baseline first), each on its own fresh database and topics, and
reports each run and the medians, with the ratio current / baseline:

    rm -rf /tmp/ingest-base && mkdir /tmp/ingest-base
    git archive <ref> shared/src services/ingest/src | tar -x -C /tmp/ingest-base
    uv run python -m bench.ingest_bench --rounds 3 --baseline-src /tmp/ingest-base

The CPU floor of each server is measured in a child process that imports that server's code
(``PYTHONPATH``), as CPU time (``time.process_time``) of validate + build over the same gigs,
the median of ``--cpu-passes`` passes: the least noisy number on a shared machine. With
``--cpu-only`` the bench measures only that, alternating the two trees, with no servers:

    uv run python -m bench.ingest_bench --cpu-only --rounds 5 --baseline-src /tmp/ingest-base
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.gig_texts import CATEGORIES, TITLES, rate_text
from gigalert_ingest.build import Platform, build_gig
from gigalert_ingest.platforms import create_platform
from gigalert_ingest.service import validate_item
from gigalert_shared.kafka_admin import create_topics
from gigalert_shared.migrate import migrate
from gigalert_shared.settings import KafkaSettings
from gigalert_shared.topics import Topics
from tests.support.fleet import Fleet
from tests.support.stats import pct

ADMIN_DSN = "postgresql://gigalert:gigalert@127.0.0.1:15432/gigalert"
KAFKA = "127.0.0.1:19092"
REPO = Path(__file__).resolve().parent.parent

REMOTE = ["フルリモート", "一部リモート（週1出社）", "常駐", "Remote", "リモート可"]


def make_gig(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "external_id": f"bench-{i}",
        "title": f"{rng.choice(TITLES)} #{i}",
        "description": "新規事業の立ち上げ支援。" * 5,
        "url": f"https://jobs.example.jp/{i}",
        "category": rng.choice(CATEGORIES),
        "skills": ["PMO", "Jira"],
        "remote": rng.choice(REMOTE),
        "location": "東京都",
        "rate": rate_text(rng),
        "days_per_week": rng.choice(["週2〜3日", "週5日", "週1日～"]),
    }


async def fire(
    client: httpx.AsyncClient, path: str, bodies: list[dict[str, Any]], key: str, concurrency: int
) -> tuple[float, list[float]]:
    sem = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(body: dict[str, Any]) -> None:
        async with sem:
            start = time.perf_counter()
            r = await client.post(path, json=body, headers={"X-API-Key": key})
            latencies.append(time.perf_counter() - start)
            if r.status_code not in (200, 202):
                raise RuntimeError(f"{path}: {r.status_code} {r.text[:200]}")

    start = time.perf_counter()
    await asyncio.gather(*(one(b) for b in bodies))
    return time.perf_counter() - start, latencies


@dataclass
class Run:
    label: str
    rate: float
    p50: float
    p99: float
    published_after: float
    end_to_end: float
    health_p50: float
    cpu_per_gig: float
    stored: int
    server_cpu_per_gig: float


def cpu_floor(n: int, passes: int) -> float:
    """CPU seconds per gig of validate_item + build_gig on the bench's first ``n`` gigs, in
    this process (whose code ``PYTHONPATH`` chose): the median of ``passes`` passes, after
    one warm-up pass."""
    rng = random.Random(7)
    gigs = [make_gig(i, rng) for i in range(n)]
    platform = Platform(uuid.uuid4(), "bench")
    now = datetime.now(UTC)
    fx = {"USD": 150.0}
    per_gig: list[float] = []
    for _ in range(passes + 1):
        start = time.process_time()
        for g in gigs:
            item = validate_item(g)
            assert not isinstance(item, list)
            build_gig(item, platform=platform, gig_id=uuid.uuid4(), received_at=now, fx_to_jpy=fx)
        per_gig.append((time.process_time() - start) / n)
    return statistics.median(per_gig[1:])


def _src_env(src: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if src is not None:
        paths = [os.path.join(src, "shared/src"), os.path.join(src, "services/ingest/src")]
        env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")])
    return env


def cpu_floor_of(src: str | None, n: int, passes: int) -> float:
    """:func:`cpu_floor` of the code in ``src`` (None: this tree), in a child process."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.ingest_bench", "--cpu-floor-of", str(n), str(passes)],
        env=_src_env(src),
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


async def _drop_database(db: str) -> None:
    """Drop a bench database, retrying: a backend of another role in it (seen: once in a
    shared server's life) makes FORCE fail for a moment, and the measured run was fine."""
    for attempt in range(5):
        # A fresh connection: a long run can outlive one (other people's tests share the server).
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
            return
        except asyncpg.PostgresError as exc:
            if attempt == 4:
                print(f"could not drop {db}: {exc}; drop it by hand", file=sys.stderr)
                return
        finally:
            await admin.close()
        await asyncio.sleep(2.0)


async def run_once(args: argparse.Namespace, label: str, src: str | None) -> Run:
    """One measured run of a fresh server (from ``src`` when given) on a fresh database."""
    db = f"gigalert_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{db}"')
    finally:
        await admin.close()
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + db
    topics = Topics(prefix=f"bench{uuid.uuid4().hex[:6]}.")
    await create_topics(KafkaSettings(bootstrap_servers=KAFKA), topics)
    conn = await asyncpg.connect(dsn)
    await migrate(conn)
    _, key = await create_platform(conn, name="bench")

    env = {
        "GIGALERT_POSTGRES_DSN": dsn,
        "GIGALERT_POSTGRES_POOL_MAX_SIZE": "10",
        "GIGALERT_KAFKA_TOPIC_PREFIX": topics.prefix,
        "GIGALERT_HTTP_MAX_BODY_BYTES": "10000000",
        "GIGALERT_LOG_LEVEL": "WARNING",
        "GIGALERT_ENV": "development",
    }
    fleet = Fleet(Path(tempfile.mkdtemp(prefix="ingest-bench-")), _src_env(src), cwd=REPO)
    server = fleet.add("ingest", env)
    rng = random.Random(7)
    total = args.batches * args.batch_size
    gigs = [make_gig(i, rng) for i in range(total)]
    bodies = [{"gigs": gigs[i : i + args.batch_size]} for i in range(0, total, args.batch_size)]
    try:
        await fleet.start([server], ready_timeout=50)
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            # Warm up on other ids, then the measured run.
            await fire(
                client,
                "/v1/gigs/batch",
                [{"gigs": [make_gig(-1 - i, rng) for i in range(50)]}],
                key,
                1,
            )
            health_lat: list[float] = []
            for _ in range(200):
                t = time.perf_counter()
                await client.get("/healthz")
                health_lat.append(time.perf_counter() - t)
            cpu_before = server.cpu_seconds()
            elapsed, lat = await fire(client, "/v1/gigs/batch", bodies, key, args.concurrency)
            accepted_at = time.perf_counter()
            while await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
                await asyncio.sleep(0.05)
            published_after = time.perf_counter() - accepted_at
            server_cpu = server.cpu_seconds() - cpu_before
        stored = await conn.fetchval("SELECT count(*) FROM gigs")
    finally:
        await fleet.close()
        shutil.rmtree(fleet.log_dir, ignore_errors=True)
        await conn.close()
        await _drop_database(db)

    # The CPU floor of the same code, measured right after each run.
    cpu_per_gig = cpu_floor_of(src, min(len(gigs), 10 * args.batch_size), args.cpu_passes)
    return Run(
        label=label,
        rate=total / elapsed,
        p50=statistics.median(lat),
        p99=pct(lat, 0.99),
        published_after=published_after,
        end_to_end=total / (elapsed + published_after),
        health_p50=statistics.median(health_lat),
        cpu_per_gig=cpu_per_gig,
        stored=stored - 50,  # less the warm-up
        server_cpu_per_gig=server_cpu / total,
    )


def _row(r: Run, total: int) -> str:
    return (
        f"| {r.label} | {r.rate:,.0f} | {r.p50 * 1000:.0f} / {r.p99 * 1000:.0f} ms "
        f"| {r.published_after * 1000:.0f} ms | {r.end_to_end:,.0f} "
        f"| {r.health_p50 * 1000:.1f} ms | {r.cpu_per_gig * 1e6:.0f} µs "
        f"| {r.rate * r.cpu_per_gig:.2f} | {r.server_cpu_per_gig * 1e6:.0f} µs "
        f"| {r.stored}/{total} |"
    )


def _median_run(label: str, runs: list[Run]) -> Run:
    def med(attr: str) -> float:
        return float(statistics.median(float(getattr(r, attr)) for r in runs))

    return Run(
        label=label,
        rate=med("rate"),
        p50=med("p50"),
        p99=med("p99"),
        published_after=med("published_after"),
        end_to_end=med("end_to_end"),
        health_p50=med("health_p50"),
        cpu_per_gig=med("cpu_per_gig"),
        stored=min(r.stored for r in runs),
        server_cpu_per_gig=med("server_cpu_per_gig"),
    )


def _cpu_only(args: argparse.Namespace) -> None:
    labels = ["baseline", "current"] if args.baseline_src else ["current"]
    floors: dict[str, list[float]] = {label: [] for label in labels}
    n = 10 * args.batch_size
    for i in range(args.rounds):
        for label in labels:
            src = args.baseline_src if label == "baseline" else None
            floors[label].append(cpu_floor_of(src, n, args.cpu_passes))
            print(f"{label} #{i + 1}: {floors[label][-1] * 1e6:.1f} µs/gig", flush=True)
    medians = {label: statistics.median(xs) for label, xs in floors.items()}
    print(f"\nCPU floor (validate + normalise, CPU time), {n} gigs, {args.rounds} round(s):")
    for label, m in medians.items():
        print(f"{label} (median): {m * 1e6:.1f} µs/gig")
    if args.baseline_src:
        ratios = [c / b for b, c in zip(floors["baseline"], floors["current"], strict=True)]
        print(
            f"ratio current / baseline (medians): x{medians['current'] / medians['baseline']:.2f}"
            f"; per round {', '.join(f'x{r:.2f}' for r in ratios)}"
            f" (median x{statistics.median(ratios):.2f})"
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--baseline-src",
        help="a directory holding shared/src and services/ingest/src to compare against",
    )
    parser.add_argument("--cpu-passes", type=int, default=5, help="passes per CPU floor")
    parser.add_argument(
        "--cpu-only", action="store_true", help="only the CPU floor (no servers, no infra)"
    )
    parser.add_argument("--cpu-floor-of", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cpu_floor_of:  # the child process of cpu_floor_of
        print(cpu_floor(*args.cpu_floor_of))
        return
    if args.cpu_only:
        _cpu_only(args)
        return
    total = args.batches * args.batch_size

    runs: dict[str, list[Run]] = {"current": []}
    if args.baseline_src:
        runs = {"baseline": [], "current": []}
    for i in range(args.rounds):
        for label in runs:
            src = args.baseline_src if label == "baseline" else None
            run = await run_once(args, f"{label} #{i + 1}", src)
            runs[label].append(run)
            print(_row(run, total), flush=True)

    print(
        f"\n{args.batches} batches x {args.batch_size} gigs, concurrency {args.concurrency}, "
        f"{args.rounds} round(s); medians:\n"
    )
    print(
        "| server | accepted gigs/s | batch p50 / p99 | all on Kafka after last 202 "
        "| end-to-end gigs/s | GET /healthz p50 | CPU floor (validate + normalise) "
        "| rate x CPU floor | server CPU per gig (incl. publish) | stored |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    medians = {label: _median_run(f"{label} (median)", rs) for label, rs in runs.items()}
    for m in medians.values():
        print(_row(m, total))
    if "baseline" in medians:
        b, c = medians["baseline"], medians["current"]
        print(
            f"\nratio current / baseline (medians): accepted gigs/s x{c.rate / b.rate:.2f}, "
            f"p50 x{c.p50 / b.p50:.2f}, p99 x{c.p99 / b.p99:.2f}, "
            f"end-to-end x{c.end_to_end / b.end_to_end:.2f}, "
            f"server CPU per gig x{c.server_cpu_per_gig / b.server_cpu_per_gig:.2f}"
        )
        # Each round's pair ran back to back, so its ratio is the least disturbed by load.
        pairs = list(zip(runs["baseline"], runs["current"], strict=True))
        rate_ratios = [cur.rate / base.rate for base, cur in pairs]
        cpu_ratios = [cur.server_cpu_per_gig / base.server_cpu_per_gig for base, cur in pairs]
        print(
            "ratio per round (current / baseline): accepted gigs/s "
            + ", ".join(f"x{x:.2f}" for x in rate_ratios)
            + f" (median x{statistics.median(rate_ratios):.2f}); server CPU per gig "
            + ", ".join(f"x{x:.2f}" for x in cpu_ratios)
            + f" (median x{statistics.median(cpu_ratios):.2f})"
        )


if __name__ == "__main__":
    asyncio.run(main())
