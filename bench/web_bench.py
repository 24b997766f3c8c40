"""Web pages at N concurrent users: latency per page (p50/p95/p99) of the real web app.

Creates its own migrated database, serves the web app as production does (``gigalert web
serve``: uvicorn, one process, the default pool of 10 connections) on a free port, and
signs up ``--users`` accounts through the magic link mailed to the local SMTP sink (the
real login: POST /login, the link from the Maildir, POST /auth/{token}). Each account then
gets realistic data written straight into Postgres: 3 proven channels (its login address,
Slack, LINE), 5 saved searches, 200 alerts with a delivery per channel; and the site ~5,000
gigs of the last 30 days for the live previews.

Then every user (an httpx.AsyncClient with keep-alive, no think time: one request in
flight per user at all times) loops over the pages: /home, /searches, /searches/new,
/searches/{id} (with its preview), /channels, /alerts, /alerts?cursor=… (page 2),
/account, POST /searches/preview (with the CSRF token), and the server's floor in the same
loop: GET /static/app.css and /healthz. ``--runs`` windows of ``--seconds`` each (after a
warm-up loop); the table holds the median over the runs of each figure.

The per-account preview limit (60 a minute) is raised for the bench so that every preview
is computed (a looping user asks for far more than a person would); login mails per IP
likewise (all users sign in from 127.0.0.1).

    uv run python -m bench.web_bench --users 20 --seconds 30 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import asyncpg
import httpx

from bench.gig_texts import DOMAIN_WEIGHTS, TITLES
from bench.notifier_cases.context import ADMIN_DSN, REASONS_JA, REPO, drop_databases
from gigalert_shared.crypto import SLACK_PREFIX, SecretBox, mask
from gigalert_shared.db import create_pool, init_connection
from gigalert_shared.events import RemoteMode
from gigalert_shared.migrate import migrate
from gigalert_shared.settings import PostgresSettings, Settings
from gigalert_shared.taxonomy import DOMAIN_KEYS
from gigalert_web import subscriptions as subs
from gigalert_web.repository import accounts, channels
from gigalert_web.schemas import SubscriptionIn
from tests.conftest import MAILDIR, SMTP_PORT
from tests.integration.web.conftest import log_in
from tests.integration.web.gigs import insert_gig
from tests.support.fleet import Fleet, Process
from tests.support.machine import CpuWatch, machine
from tests.support.ports import free_port
from tests.support.stats import bucket_quantile, diff_buckets, parse_histogram, pct

TARGET_MS: Final = 100.0
FLOOR: Final = ("GET /static/app.css", "GET /healthz")
DOMAINS: Final = [d for d in DOMAIN_WEIGHTS if d in DOMAIN_KEYS]
# The route each label is counted under in the app's own histogram (the in-app time).
ROUTES: Final = {
    "GET /home": "/home",
    "GET /searches": "/searches",
    "GET /searches/new": "/searches/new",
    "GET /searches/{id}": "/searches/{subscription_id}",
    "GET /channels": "/channels",
    "GET /alerts": "/alerts",
    "GET /alerts?cursor=…": "/alerts",
    "GET /account": "/account",
    "POST /searches/preview": "/searches/preview",
    "GET /static/app.css": "/static",
    "GET /healthz": "/healthz",
}
HISTOGRAM: Final = "gigalert_web_request_seconds"
METRICS_TOKEN: Final = secrets.token_urlsafe(24)
_CURSOR: Final = re.compile(r'href="/alerts\?cursor=([A-Za-z0-9_-]+)')


@dataclass
class User:
    client: httpx.AsyncClient
    csrf: str
    freelancer_id: uuid.UUID
    searches: list[uuid.UUID] = field(default_factory=list)
    cursor: str = ""


# ================================================================== data


async def add_gigs(conn: asyncpg.Connection, n: int, rng: random.Random) -> list[uuid.UUID]:
    """``n`` gigs spread over the last 30 days, as ingest stores them."""
    weights = [DOMAIN_WEIGHTS[d] for d in DOMAINS]
    modes: list[RemoteMode | None] = [*RemoteMode, None]
    ids = []
    for i in range(n):
        ids.append(
            await insert_gig(
                conn,
                title=f"{rng.choice(TITLES)}（週{rng.randint(1, 5)}日）#{i}",
                rate=rng.choice([None, rng.randrange(2500, 12000, 100)]),
                remote=rng.choice(modes),
                domains=tuple(sorted(set(rng.choices(DOMAINS, weights, k=2)))),
                url=f"https://jobs.example.jp/{i}",
                description="新規事業の立ち上げ支援。要件定義から運用まで。" * 4,
                age=timedelta(seconds=rng.uniform(60, 30 * 86400 - 3600)),
            )
        )
    return ids


def search_of(i: int, rng: random.Random) -> SubscriptionIn:
    return SubscriptionIn(
        name=f"{rng.choice(TITLES)}の案件 {i + 1}",
        remote_modes=rng.sample(list(RemoteMode), rng.randint(1, 3)),
        min_rate_jpy_h=rng.choice([None, 3000, 4500, 6000]),
        include_unknown_rate=rng.random() < 0.5,
        domains=rng.sample(DOMAINS, rng.randint(0, 3)),
        keywords_none=["常駐"] if i % 2 else [],
    )


async def add_account_data(
    pool: asyncpg.Pool,
    user: User,
    gigs: list[uuid.UUID],
    box: SecretBox,
    rng: random.Random,
    alerts: int,
) -> None:
    """Slack and LINE beside the login address, 5 searches, ``alerts`` alerts with a
    delivery per channel (mostly sent; some failed, some pending)."""
    fid = user.freelancer_id
    url = f"{SLACK_PREFIX}TBENCH/B{fid.hex[:8]}/{secrets.token_hex(12)}"
    now = datetime.now(UTC)
    for kind, target, secret in (
        ("slack", mask(url), box.seal(url)),
        ("line", "U" + uuid.uuid4().hex, None),
    ):
        await channels.insert(
            pool, freelancer_id=fid, kind=kind, target=target, secret=secret, verified_at=now
        )
    channel_ids = [c.id for c in await channels.list_for(pool, freelancer_id=fid)]
    for i in range(5):
        user.searches.append((await subs.insert(pool, fid, search_of(i, rng))).id)
    alert_rows = []
    delivery_rows = []
    for gig in rng.sample(gigs, alerts):
        alert_id = uuid.uuid4()
        sids = rng.sample(user.searches, rng.choice([1, 1, 1, 2]))
        reasons = [
            {"criterion": c, "ok": True, "text_ja": ja, "text_en": en} for c, ja, en in REASONS_JA
        ]
        created = now - timedelta(seconds=rng.uniform(60, 30 * 86400))
        alert_rows.append((alert_id, fid, gig, sids, {str(s): reasons for s in sids}, created))
        for channel in channel_ids:
            status = rng.choices(["sent", "failed", "pending"], [0.9, 0.05, 0.05])[0]
            error = "HTTP 500 from hooks.slack.com" if status == "failed" else None
            sent = created + timedelta(seconds=2) if status == "sent" else None
            delivery_rows.append((alert_id, channel, fid, status, sent, error, created))
    await pool.executemany(
        "INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        alert_rows,
    )
    await pool.executemany(
        "INSERT INTO deliveries (alert_id, channel_id, freelancer_id, status, payload, sent_at, "
        "last_error, attempts, created_at) VALUES ($1, $2, $3, $4, '{}', $5, $6, 1, $7)",
        delivery_rows,
    )


async def sign_up(base: str, pool: asyncpg.Pool, n: int) -> User:
    """A new account through the magic link in the SMTP sink; its client keeps the cookie."""
    client = httpx.AsyncClient(
        base_url=base,
        timeout=30,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )
    address = f"webbench{n}.{uuid.uuid4().hex[:10]}@example.jp"
    csrf = await log_in(client, MAILDIR, address)
    account = await accounts.by_email(pool, email=address)
    assert account is not None
    return User(client, csrf, account.id)


# ================================================================== load


def pages(user: User, turn: int) -> list[tuple[str, str, str, dict[str, str | list[str]] | None]]:
    """One loop of a user: (label, method, path, form)."""
    search = user.searches[turn % len(user.searches)]
    form: dict[str, str | list[str]] = {
        "csrf": user.csrf,
        "name": "PMO副業",
        "remote_modes": ["remote", "hybrid"],
        "min_rate_jpy_h": str(3000 + 500 * (turn % 6)),
        "include_unknown_rate": "on",
        "domains": DOMAINS[turn % len(DOMAINS)],
        "keywords_none": "常駐",
    }
    return [
        ("GET /home", "GET", "/home", None),
        ("GET /searches", "GET", "/searches", None),
        ("GET /searches/new", "GET", "/searches/new", None),
        ("GET /searches/{id}", "GET", f"/searches/{search}", None),
        ("GET /channels", "GET", "/channels", None),
        ("GET /alerts", "GET", "/alerts", None),
        ("GET /alerts?cursor=…", "GET", f"/alerts?cursor={user.cursor}", None),
        ("GET /account", "GET", "/account", None),
        ("POST /searches/preview", "POST", "/searches/preview", form),
        ("GET /static/app.css", "GET", "/static/app.css", None),
        ("GET /healthz", "GET", "/healthz", None),
    ]


@dataclass
class Run:
    latencies: dict[str, list[float]]
    seconds: float
    server_cpu: float  # % of one core
    bench_cpu: float  # the load generator (this process), % of one core
    machine_busy: float  # % of all cores
    errors: list[str]
    previews: int  # previews computed (not refused by the rate limit)
    in_app_p95: dict[str, float]  # by route: from the app's histogram, interpolated


async def user_loop(
    user: User, until: float, think: float, lat: dict[str, list[float]], errors: list[str]
) -> int:
    previews = 0
    turn = 0
    while time.monotonic() < until:
        for label, method, path, form in pages(user, turn):
            start = time.perf_counter()
            r = await user.client.request(method, path, data=form)
            elapsed = time.perf_counter() - start
            lat.setdefault(label, []).append(elapsed)
            if r.status_code != 200:
                errors.append(f"{label}: {r.status_code}")
            elif label in ("GET /searches/{id}", "POST /searches/preview"):
                previews += 'data-count="' in r.text
            if think:
                await asyncio.sleep(think)
        turn += 1
    return previews


async def in_app(port: int) -> dict[str, dict[float, float]]:
    """The app's request histogram, by route (/metrics wants the metrics token)."""
    async with httpx.AsyncClient(timeout=10) as c:
        text = (
            await c.get(
                f"http://127.0.0.1:{port}/metrics",
                headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
            )
        ).text
    return {r: parse_histogram(text, HISTOGRAM, {"route": r}) for r in set(ROUTES.values())}


async def measure(users: list[User], seconds: float, think: float, server: Process) -> Run:
    assert server.port is not None
    lat: dict[str, list[float]] = {}
    errors: list[str] = []
    before = await in_app(server.port)
    watch = CpuWatch({"web": server.pid, "bench": os.getpid()})
    start = time.monotonic()
    done = await asyncio.gather(*(user_loop(u, start + seconds, think, lat, errors) for u in users))
    elapsed = time.monotonic() - start
    per, busy = watch.stop()
    after = await in_app(server.port)
    p95 = {r: bucket_quantile(diff_buckets([before[r]], [after[r]]), 0.95) for r in after}
    return Run(lat, elapsed, per["web"], per["bench"], busy, errors, sum(done), p95)


# ================================================================== report


def table(runs: list[Run]) -> str:
    out = [
        "| page | requests | p50 ms | p95 ms | p99 ms | p95 per run ms | in-app p95 ms "
        "| p95 < 100 ms |",
        "|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for label in runs[0].latencies:

        def med(p: float, name: str = label) -> float:
            return statistics.median(pct(r.latencies[name], p) * 1000 for r in runs)

        n = statistics.median(len(r.latencies[label]) for r in runs)
        p95 = med(0.95)
        per_run = ", ".join(f"{pct(r.latencies[label], 0.95) * 1000:.0f}" for r in runs)
        verdict = "floor" if label in FLOOR else ("pass" if p95 < TARGET_MS else "**FAIL**")
        app = statistics.median(r.in_app_p95[ROUTES[label]] * 1000 for r in runs)
        out.append(
            f"| {label} | {n:,.0f} | {med(0.5):.1f} | {p95:.1f} | {med(0.99):.1f} "
            f"| {per_run} | {'-' if math.isnan(app) else f'{app:.0f}'} | {verdict} |"
        )
    return "\n".join(out)


def summary(runs: list[Run], users: int) -> str:
    total = [sum(len(v) for v in r.latencies.values()) / r.seconds for r in runs]
    return (
        f"throughput {statistics.median(total):,.0f} requests/s (median of runs); CPU, % of one "
        f"core: web process {statistics.median(r.server_cpu for r in runs):.0f}%, load "
        f"generator {statistics.median(r.bench_cpu for r in runs):.0f}%; machine busy "
        f"{statistics.median(r.machine_busy for r in runs):.0f}% of all cores (everything on "
        f"it: web, load generator, Postgres, others); previews computed per run "
        f"{', '.join(str(r.previews) for r in runs)}; non-200 answers "
        f"{sum(len(r.errors) for r in runs)}; {users} users"
    )


# ================================================================== main


async def run(args: argparse.Namespace) -> None:
    info = machine()
    rng = random.Random(20)
    db = f"gigalert_bench_web_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    pg = await admin.fetchval("SHOW server_version")
    await admin.execute(f'CREATE DATABASE "{db}"')
    dbs = [db]
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + db
    procs = Fleet(Path(tempfile.mkdtemp(prefix="web-bench-")), os.environ, cwd=REPO)
    pool = await create_pool(PostgresSettings(dsn=dsn, pool_max_size=4))  # type: ignore[arg-type]
    users: list[User] = []
    try:
        conn = await asyncpg.connect(dsn)
        try:
            await init_connection(conn)
            await migrate(conn)
            t0 = time.perf_counter()
            gigs = await add_gigs(conn, args.gigs, rng)
        finally:
            await conn.close()
        print(f"{len(gigs):,} gigs in {time.perf_counter() - t0:.1f} s", flush=True)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = await procs.launch(
            "web",
            [sys.executable, "-m", "bench.web_bench", "--serve-profiled", args.profile]
            if args.profile
            else [sys.executable, "-m", "gigalert_shared.cli", "web", "serve"],
            {
                "GIGALERT_ENV": "development",  # http and the dev key: a laptop's server
                "GIGALERT_POSTGRES_DSN": dsn,
                "GIGALERT_HTTP_METRICS_TOKEN": METRICS_TOKEN,
                "GIGALERT_WEB_PORT": str(port),
                "GIGALERT_WEB_PUBLIC_BASE_URL": base,
                "GIGALERT_SMTP_PORT": str(SMTP_PORT),
                "GIGALERT_WEB_PREVIEWS_PER_MINUTE": "1000000",
                "GIGALERT_WEB_MAILS_PER_IP_HOUR": "10000",
            },
            port=port,
        )
        await server.wait_ready(timeout=120)

        t0 = time.perf_counter()
        for i in range(args.users):  # one at a time: a login waits on the Maildir
            users.append(await sign_up(base, pool, i))
        print(f"{len(users)} accounts by magic link in {time.perf_counter() - t0:.1f} s")
        box = SecretBox(Settings().channel_secret_key.get_secret_value())
        for u in users:
            await add_account_data(pool, u, gigs, box, rng, args.alerts)
        await pool.execute("VACUUM ANALYZE")
        for u in users:
            found = _CURSOR.search((await u.client.get("/alerts")).text)
            assert found, "no next-page link on /alerts"
            u.cursor = found[1]

        think = args.think_ms / 1000
        await measure(users, args.warmup, think, server)  # warm up: plans, caches, previews
        runs: list[Run] = []
        for i in range(args.runs):
            r = await measure(users, args.seconds, think, server)
            runs.append(r)
            worst = max((pct(v, 0.95), k) for k, v in r.latencies.items() if k not in FLOOR)
            print(
                f"run {i + 1}: {sum(len(v) for v in r.latencies.values()):,} requests in "
                f"{r.seconds:.0f} s; slowest p95 {worst[0] * 1000:.0f} ms ({worst[1]}); "
                f"web CPU {r.server_cpu:.0f}%, machine busy {r.machine_busy:.0f}%",
                flush=True,
            )
    finally:
        for u in users:
            await u.client.aclose()
        await procs.close()
        await pool.close()
        await drop_databases(admin, dbs)

    print(
        f"\nmachine: {info.cpu_model}, {info.usable_cpus} cores, load average "
        f"{' / '.join(f'{v:.2f}' for v in os.getloadavg())} (after the run), Python "
        f"{info.python}, PostgreSQL {pg}, kernel {info.kernel}"
    )
    print(
        f"data: {args.users} accounts x (3 channels, 5 searches, {args.alerts} alerts x 3 "
        f"deliveries); {args.gigs:,} gigs in the last 30 days"
    )
    print(
        f"load: {args.users} users, think time {args.think_ms:.0f} ms, {args.runs} run(s) of {args.seconds:.0f} s "
        f"after {args.warmup:.0f} s of warm-up; medians over the runs\n"
    )
    print(table(runs))
    print()
    print(summary(runs, args.users))
    errors = [e for r in runs for e in r.errors]
    if errors:
        print(f"errors (first 10): {errors[:10]}")


def serve_profiled(path: str) -> None:
    """``gigalert web serve`` under cProfile; the stats are written at SIGTERM (uvicorn
    raises the signal again after its graceful shutdown, to the handler set here)."""
    import cProfile
    import signal

    from gigalert_web.cli import serve

    profile = cProfile.Profile()

    def dump(*_: object) -> None:
        profile.disable()
        profile.dump_stats(path)
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)
    profile.enable()
    serve()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=20, help="concurrent simulated users")
    p.add_argument("--seconds", type=float, default=30.0, help="length of one measured run")
    p.add_argument("--runs", type=int, default=3, help="measured runs (medians reported)")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of warm-up load")
    p.add_argument("--think-ms", type=float, default=0.0, help="pause of a user after each answer")
    p.add_argument("--gigs", type=int, default=5_000, help="gigs of the last 30 days")
    p.add_argument("--alerts", type=int, default=200, help="alerts per account")
    p.add_argument("--profile", help="write the web process's cProfile stats to this file")
    p.add_argument("--serve-profiled", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve_profiled:  # the server process of --profile
        serve_profiled(args.serve_profiled)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
