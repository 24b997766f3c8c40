"""Notifier benchmark: deliveries per second to local endpoints, and end-to-end latency.

    uv run python -m bench.notifier_bench

Everything runs on this machine against the local Kafka and Postgres, in fresh databases
(dropped at the end) and with fresh topics; every process the bench starts is stopped in a
``finally``. One run measures, in order:

1. **Email**: N due ``instant`` email deliveries (freelancers, email channels,
   subscriptions and deliveries made with ``deliveries.create_deliveries`` from realistic
   ``AlertMatched`` payloads) are sent by 1 and 2 real notifier processes (``gigalert
   notifier serve``) to a counting SMTP sink (aiosmtpd, a subprocess of this module: it
   records the receive time and ``X-Gigalert-Delivery-Id`` of every mail), for each SMTP
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

Prints markdown tables and writes ``docs/benchmarks.md`` (``--doc``).
Sub-commands used internally: ``sink``, ``webhook``, ``worker``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import IO, Any, Final, Literal

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.gig_texts import CATEGORIES, DOMAIN_WEIGHTS, TITLES, rate_text
from gigalert_matcher.matching.reference_sql import CRITERIA_COLUMNS
from gigalert_shared.crypto import SLACK_PREFIX, SecretBox, mask
from gigalert_shared.db import init_connection
from gigalert_shared.events import (
    AlertMatched,
    MatchReason,
)
from gigalert_shared.settings import Settings, SmtpSettings
from gigalert_shared.taxonomy import normalise_text
from gigalert_shared.topics import Topics
from tests.integration.notifier.fixtures import alert

REPO: Final = Path(__file__).resolve().parent.parent
ADMIN_DSN: Final = os.environ.get(
    "GIGALERT_BENCH_DSN", "postgresql://gigalert:gigalert@127.0.0.1:15432/gigalert"
)
KAFKA: Final = os.environ.get("GIGALERT_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
# The services run as on a laptop (http links allowed) and serve /metrics to this token.
BENCH_METRICS_TOKEN: Final = "bench-metrics-token"
SERVICE_SETTINGS: Final = {
    "GIGALERT_ENV": "development",
    "GIGALERT_HTTP_METRICS_TOKEN": BENCH_METRICS_TOKEN,
}
METRICS_AUTH: Final = {"Authorization": f"Bearer {BENCH_METRICS_TOKEN}"}
GIGALERT: Final = Path(sys.executable).parent / "gigalert"
DOC: Final = REPO / "docs" / "benchmarks-notifier.md"

EXCLUDE: Final = "負荷試験用"  # in every bench gig; every background subscription excludes it
PROBE_WORD: Final = "gigalertprobe"  # only probe gigs carry it; only probe subscriptions want it
_DELIVERY_ID: Final = re.compile(rb"(?im)^X-Gigalert-Delivery-Id:[ \t]*([^\r\n]+)")


# ================================================================== helpers


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    return f"{seconds * 1000:,.0f}" if seconds >= 0.0995 else f"{seconds * 1000:,.1f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bucket_quantile(buckets: Sequence[tuple[float, float]], q: float) -> float:
    """Prometheus ``histogram_quantile``: cumulative (le, count) pairs, linear within a
    bucket; the lower bound of the first bucket is 0."""
    if not buckets or buckets[-1][1] <= 0:
        return math.nan
    rank = q * buckets[-1][1]
    prev_le, prev_c = 0.0, 0.0
    for le, c in buckets:
        if c >= rank:
            if math.isinf(le):
                return prev_le
            if c == prev_c:
                return le
            return prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
        prev_le, prev_c = le, c
    return prev_le


def parse_histogram(text: str, name: str, labels: dict[str, str]) -> dict[float, float]:
    """Cumulative bucket counts (le → count) of one histogram series in /metrics text."""
    out: dict[float, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != name:
            continue
        for s in family.samples:
            if s.name == name + "_bucket" and all(s.labels.get(k) == v for k, v in labels.items()):
                out[float(s.labels["le"])] = float(s.value)
    return out


def diff_buckets(
    before: Sequence[dict[float, float]], after: Sequence[dict[float, float]]
) -> list[tuple[float, float]]:
    """Sum over processes of (after − before), per bucket, sorted by le."""
    total: dict[float, float] = {}
    for b, a in zip(before, after, strict=True):
        for le, c in a.items():
            total[le] = total.get(le, 0.0) + c - b.get(le, 0.0)
    return sorted(total.items())


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuWatch:
    """CPU use of some processes and of the machine over a window."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self._t0 = time.monotonic()
        self._cpu0 = {n: proc_cpu_seconds(p) for n, p in pids.items()}
        self._m0 = machine_ticks()
        self.seconds: dict[str, float] = {}

    def stop(self) -> tuple[dict[str, float], float]:
        """Per process: CPU % of one core; and the machine's busy % of all cores. The CPU
        seconds per process stay in ``self.seconds``."""
        wall = time.monotonic() - self._t0
        self.seconds = {n: proc_cpu_seconds(p) - self._cpu0[n] for n, p in self.pids.items()}
        per = {n: 100 * v / wall if wall > 0 else math.nan for n, v in self.seconds.items()}
        busy, total = machine_ticks()
        machine = 100 * (busy - self._m0[0]) / max(1, total - self._m0[1])
        return per, machine

    def cpu_ms_per(self, prefix: str, n: int) -> float:
        """CPU milliseconds per item of the processes whose name starts with ``prefix``."""
        return 1000 * sum(v for k, v in self.seconds.items() if k.startswith(prefix)) / max(1, n)


def cpu_text(per: dict[str, float]) -> str:
    return ", ".join(f"{n} {v:.0f}%" for n, v in per.items())


async def until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


# ================================================================== sub-command: sink


class CountingHandler:
    """aiosmtpd handler: accept everything, record (receive time, delivery id)."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "replace")
        m = _DELIVERY_ID.search(raw)
        did = m.group(1).decode("ascii", "replace").strip() if m else "-"
        self._out.write(f"{now:.6f}\t{did}\n")
        self._out.flush()
        return "250 OK"


async def run_sink(port: int, out: IO[str]) -> None:
    from aiosmtpd.smtp import SMTP

    loop = asyncio.get_running_loop()
    handler = CountingHandler(out)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="bench-sink", enable_SMTPUTF8=True),
        "127.0.0.1",
        port,
    )
    print("ready", flush=True)
    try:
        await until_signal()
    finally:
        server.close()


class Received:
    """Reads what a sink or webhook subprocess recorded: (time, id) per line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[tuple[float, str]]:
        out: list[tuple[float, str]] = []
        with contextlib.suppress(FileNotFoundError), open(self.path, encoding="utf-8") as f:
            for line in f:
                t, _, ident = line.rstrip("\n").partition("\t")
                if ident:
                    out.append((float(t), ident))
        return out


# ================================================================== sub-command: webhook


def webhook_app(out: IO[str]) -> Any:
    async def app(
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = bool(message.get("more_body", False))
        out.write(f"{time.time():.6f}\t{scope['path']}\n")
        out.flush()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok":true}'})

    return app


async def run_webhook(port: int, out: IO[str]) -> None:
    import uvicorn

    config = uvicorn.Config(
        webhook_app(out),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="httptools",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            return
        await asyncio.sleep(0.02)
    print("ready", flush=True)
    await task


# ================================================================== sub-command: worker


async def run_worker(webhook_port: int) -> list[float]:
    """The real DeliveryWorker, its sender redirected to a local json:// endpoint."""
    from gigalert_notifier.schedule import SystemClock
    from gigalert_notifier.sending import SendOutcome, send
    from gigalert_notifier.worker import DeliveryWorker
    from gigalert_shared.db import create_pool
    from gigalert_shared.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_level, "bench-worker")
    pool = await create_pool(settings.postgres)
    target = f"json://127.0.0.1:{webhook_port}/hook/"
    durations: list[float] = []

    async def sender(
        url: str, *, title: str, body: str, body_format: str, timeout: float
    ) -> SendOutcome:
        hook = url.rstrip("/").rsplit("/", 1)[-1]
        start = time.perf_counter()
        outcome = await send(
            target + hook, title=title, body=body, body_format=body_format, timeout=timeout
        )
        durations.append(time.perf_counter() - start)
        return outcome

    warm = await send(target + "warm-up", title="w", body="w", body_format="markdown", timeout=10)
    if not warm.ok:
        raise SystemExit(f"warm-up send failed: {warm.error}")
    worker = DeliveryWorker(pool, settings, clock=SystemClock(), sender=sender)
    await worker.start()
    print("ready", flush=True)
    try:
        await until_signal()
    finally:
        await worker.stop()
        await pool.close()
    return durations


# ================================================================== processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, n: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        return ""


class Processes:
    """Every process this bench starts, so a ``finally`` can stop them all (by pid)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: list[Proc] = []

    def start(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str] | None = None,
        *,
        port: int | None = None,
        stdout_pipe: bool = False,
    ) -> Proc:
        log = self.workdir / f"{name}-{len(self.running)}-{uuid.uuid4().hex[:6]}.log"
        with open(log, "wb") as err:
            popen = subprocess.Popen(
                argv,
                env={**os.environ, **(env or {})},
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if stdout_pipe else err,
                stderr=err,
            )
        proc = Proc(name, popen, log, port)
        self.running.append(proc)
        return proc

    async def wait_line(self, proc: Proc, expected: str, timeout: float = 60) -> None:
        """Wait for a line on the process's stdout (``ready``)."""
        stdout = proc.popen.stdout
        assert stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(stdout.readline), timeout)
        if line.decode(errors="replace").strip() != expected:
            raise RuntimeError(f"{proc.name} did not start: {line!r}\n{proc.tail()}")

    async def wait_ready(self, proc: Proc, path: str = "/readyz", timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{proc.port}", timeout=5) as c:
            while time.monotonic() < deadline:
                if proc.popen.poll() is not None:
                    raise RuntimeError(f"{proc.name} exited early:\n{proc.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await c.get(path)).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{proc.name} not ready after {timeout:.0f} s:\n{proc.tail()}")

    def stop(self, proc: Proc, timeout: float = 25) -> None:
        if proc.popen.poll() is None:
            proc.popen.send_signal(signal.SIGTERM)
            try:
                proc.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait(10)
        if proc.popen.stdout is not None:
            proc.popen.stdout.close()
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self) -> None:
        for proc in list(reversed(self.running)):
            with contextlib.suppress(Exception):
                self.stop(proc)


# ================================================================== data


Criterion = Literal["remote_mode", "rate", "domain", "keyword", "days", "location"]
REASONS_JA: Final[list[tuple[Criterion, str, str]]] = [
    ("remote_mode", "フルリモート ✓", "fully remote ✓"),
    (
        "rate",
        "¥5,000/h ≥ ¥4,500（月額80万円 ÷ 160h、精算幅140-180hの中央）",
        "¥5,000/h ≥ ¥4,500 (¥800,000/month ÷ 160h, middle of 140-180h)",
    ),
    ("domain", "分野: PMO ✓", "domain: PMO ✓"),
    ("days", "週2〜3日 ≤ 週3日", "2-3 days/week ≤ 3"),
]


def make_alert(fid: uuid.UUID, sid: uuid.UUID, n: int) -> AlertMatched:
    """The tests' alert, with a longer title and the four reasons a typical match has."""
    reasons = [MatchReason(criterion=c, text_ja=ja, text_en=en) for c, ja, en in REASONS_JA]
    base = alert(fid, sid, title=f"大手SaaSの新規事業PMO支援（フルリモート・週2〜3日）#{n}")
    return base.model_copy(update={"reasons": {str(sid): reasons}})


@dataclass
class Population:
    """Freelancers with one channel and one instant subscription each."""

    kind: str
    freelancers: list[uuid.UUID]
    subscriptions: list[uuid.UUID]


async def load_population(
    conn: asyncpg.Connection, n: int, kind: str, box: SecretBox
) -> Population:
    fids = [uuid.uuid4() for _ in range(n)]
    sids = [uuid.uuid4() for _ in range(n)]
    await conn.copy_records_to_table(
        "freelancers",
        records=[(f, "ベンチ太郎", hashlib.sha256(f.bytes).digest()) for f in fids],
        columns=["id", "display_name", "token_hash"],
    )
    if kind == "email":
        channels: list[tuple[uuid.UUID, uuid.UUID, str, str, bytes | None]] = [
            (uuid.uuid4(), f, "email", f"bench.{f.hex[:12]}@example.jp", None) for f in fids
        ]
    else:
        channels = []
        for i, f in enumerate(fids):
            url = f"{SLACK_PREFIX}TBENCH/B{i:08d}/{secrets.token_hex(12)}"
            channels.append((uuid.uuid4(), f, "slack", mask(url), box.seal(url)))
    verified = datetime.now(UTC)  # only proven channels receive alerts
    await conn.copy_records_to_table(
        "channels",
        records=[(*c, verified) for c in channels],
        columns=["id", "freelancer_id", "kind", "target", "secret_encrypted", "verified_at"],
    )
    await conn.copy_records_to_table(
        "subscriptions",
        records=[(s, f, "PMO副業") for s, f in zip(sids, fids, strict=True)],
        columns=["id", "freelancer_id", "name"],
    )
    return Population(kind, fids, sids)


# ================================================================== part 1 and 2: throughput


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


def src_env(src: str | None) -> dict[str, str]:
    """Run a subprocess on the sources under ``src`` (a ``git archive`` of shared/src and
    services/notifier/src) instead of the working tree's."""
    if src is None:
        return {}
    paths = [os.path.join(src, "shared/src"), os.path.join(src, "services/notifier/src")]
    return {"PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")])}


@dataclass
class Context:
    args: argparse.Namespace
    admin: asyncpg.Connection
    procs: Processes
    workdir: Path
    dbs: list[str] = field(default_factory=list)
    topics: list[Topics] = field(default_factory=list)
    sink_port: int = 0
    sink_log: Received | None = None
    webhook_port: int = 0
    webhook_log: Received | None = None
    sink_pid: int = 0
    webhook_pid: int = 0
    settings: Settings = field(default_factory=Settings)

    async def fresh_db(self, tag: str) -> str:
        from gigalert_shared.migrate import migrate

        name = f"gigalert_nbench_{tag}_{uuid.uuid4().hex[:8]}"
        await self.admin.execute(f'CREATE DATABASE "{name}"')
        self.dbs.append(name)
        dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        return dsn


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


async def scrape(port: int, name: str, labels: dict[str, str]) -> dict[float, float]:
    async with httpx.AsyncClient(timeout=10) as c:
        text = (await c.get(f"http://127.0.0.1:{port}/metrics", headers=METRICS_AUTH)).text
    return parse_histogram(text, name, labels)


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


async def notifier_env(
    ctx: Context, dsn: str, topics: Topics, port: int, conc: int
) -> dict[str, str]:
    return {
        "GIGALERT_POSTGRES_DSN": dsn,
        "GIGALERT_KAFKA_BOOTSTRAP_SERVERS": KAFKA,
        "GIGALERT_KAFKA_TOPIC_PREFIX": topics.prefix,
        "GIGALERT_HTTP_NOTIFIER_PORT": str(port),
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
    await conn.execute("TRUNCATE deliveries")
    hold = datetime.now(UTC) + timedelta(days=1)
    ids = await make_deliveries(conn, pop, 0, n, hold)
    warm = await make_deliveries(conn, pop, n, 10 * args.warmup_rounds, hold)
    started: list[Proc] = []
    try:
        for _ in range(procs):
            port = free_port()
            started.append(
                ctx.procs.start(
                    "notifier",
                    [str(GIGALERT), "notifier", "serve"],
                    await notifier_env(ctx, dsn, topics, port, conc) | src_env(src),
                    port=port,
                )
            )
        for p in started:
            await ctx.procs.wait_ready(p)
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
            ctx.procs.stop(p)
    return r


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
    await conn.execute("TRUNCATE deliveries")
    hold = datetime.now(UTC) + timedelta(days=1)
    ids = await make_deliveries(conn, pop, 0, n, hold)
    env = {
        "GIGALERT_POSTGRES_DSN": dsn,
        "GIGALERT_NOTIFIER_BATCH_SIZE": str(args.batch_size),
        "GIGALERT_LOG_LEVEL": "WARNING",
        **SERVICE_SETTINGS,
    } | src_env(src)
    started: list[Proc] = []
    outs: list[Path] = []
    try:
        for i in range(procs):
            out = ctx.workdir / f"worker-{procs}-{i}.json"
            outs.append(out)
            started.append(
                ctx.procs.start(
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
                    stdout_pipe=True,
                )
            )
        for p in started:
            await ctx.procs.wait_line(p, "ready")
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
            ctx.procs.stop(p)
    durations: list[float] = []
    for out in outs:
        with contextlib.suppress(OSError, ValueError):
            durations.extend(json.loads(out.read_text(encoding="utf-8"))["send_seconds"])
    r.send_p50, r.send_p99 = pct(durations, 0.5), pct(durations, 0.99)
    return r


# ================================================================== part 4: baselines


@dataclass
class Baseline:
    label: str
    n: int
    seconds: float
    received: int
    cpu_s: float = math.nan
    p50: float = math.nan
    p99: float = math.nan

    @property
    def rate(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else math.nan

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / self.n


def sample_rendered() -> tuple[str, str, str, str]:
    """(subject, html, markdown, unsubscribe url) of one realistic alert."""
    from gigalert_notifier.render import render_alert

    alert = make_alert(uuid.uuid4(), uuid.uuid4(), 0)
    unsub = f"http://127.0.0.1:8000/v1/unsubscribe/{alert.alert_id}.abcdefghijklmnop"
    rendered = render_alert(alert, locale="ja", unsubscribe_url=unsub)
    return rendered.subject, rendered.html, rendered.markdown, unsub


def mail_template() -> bytes:
    """The bare clients' message: multipart text + HTML, built once (``@@ID@@`` is each
    mail's delivery-id header)."""
    subject, html_body, _, unsub = sample_rendered()
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = "gigalert <alerts@gigalert.local>"
    msg["To"] = "bench@example.jp"
    msg["List-Unsubscribe"] = f"<{unsub}>"
    msg["X-Gigalert-Delivery-Id"] = "@@ID@@"
    msg.set_content(re.sub(r"<[^>]+>", "", html_body), cte="base64")
    msg.add_alternative(html_body, subtype="html", cte="base64")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))  # sent as is


def built_mail(subject: str, html_body: str, text: str, unsub: str, ident: str) -> bytes:
    """One mail built with the stdlib's ``email`` package, as a client that makes each
    recipient's message would (multipart text + HTML, encoded Japanese subject)."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = "gigalert <alerts@gigalert.local>"
    msg["To"] = "bench@example.jp"
    msg["List-Unsubscribe"] = f"<{unsub}>"
    msg["X-Gigalert-Delivery-Id"] = ident
    msg.set_content(text, cte="base64")
    msg.add_alternative(html_body, subtype="html", cte="base64")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def smtplib_loop(
    port: int, n: int, tag: str, reuse: bool, build: bool = False
) -> tuple[float, float]:
    """One thread, to the sink: the same message (built once), or each one built
    (``build``); (wall seconds, CPU seconds of this thread)."""
    template = mail_template()
    subject, html_body, _, unsub = sample_rendered()
    text = re.sub(r"<[^>]+>", "", html_body)
    start, cpu = time.perf_counter(), time.thread_time()
    server: smtplib.SMTP | None = smtplib.SMTP("127.0.0.1", port) if reuse else None
    try:
        for i in range(n):
            if build:
                body = built_mail(subject, html_body, text, unsub, f"{tag}-{i}")
            else:
                body = template.replace(b"@@ID@@", f"{tag}-{i}".encode())
            if server is not None:
                server.sendmail("alerts@gigalert.local", ["bench@example.jp"], body)
                continue
            with smtplib.SMTP("127.0.0.1", port) as s:
                s.sendmail("alerts@gigalert.local", ["bench@example.jp"], body)
    finally:
        if server is not None:
            server.quit()
    return time.perf_counter() - start, time.thread_time() - cpu


async def aiosmtplib_pool(port: int, n: int, tag: str, conns: int) -> tuple[float, float]:
    """``conns`` aiosmtplib connections opened first and kept, sending the same message
    (built once) in turn from one event loop; (wall seconds, CPU seconds of this process)."""
    import aiosmtplib

    template = mail_template()
    clients = [aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30) for _ in range(conns)]
    for client in clients:
        await client.connect()
    numbers = iter(range(n))

    async def run(client: Any) -> None:
        for i in numbers:
            body = template.replace(b"@@ID@@", f"{tag}-{i}".encode())
            await client.sendmail("alerts@gigalert.local", ["bench@example.jp"], body)

    start, cpu = time.perf_counter(), time.process_time()
    try:
        await asyncio.gather(*(run(c) for c in clients))
    finally:
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        for client in clients:
            with contextlib.suppress(Exception):
                await client.quit()
    return elapsed, cpu


async def apprise_loop(
    urls: list[str], body: str, body_format: str, concurrency: int
) -> tuple[float, float, list[float]]:
    """The real ``send()`` in this process, ``concurrency`` at a time, no worker, no DB;
    (wall seconds, CPU seconds of this process, per-send seconds)."""
    from gigalert_notifier.sending import send

    sem = asyncio.Semaphore(concurrency)
    durations: list[float] = []
    failures: list[str] = []

    async def one(url: str) -> None:
        async with sem:
            t0 = time.perf_counter()
            out = await send(
                url, title="【新着案件】ベンチ", body=body, body_format=body_format, timeout=20
            )
            durations.append(time.perf_counter() - t0)
            if not out.ok:
                failures.append(out.error or "?")

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(u) for u in urls))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if failures:
        raise RuntimeError(f"{len(failures)} baseline sends failed: {failures[0]}")
    return elapsed, cpu, durations


def count_tag(log: Received, tag: str, since: int) -> int:
    return len({i for _, i in log.lines()[since:] if i.rsplit("/", 1)[-1].startswith(tag + "-")})


async def baselines(ctx: Context) -> list[Baseline]:
    from gigalert_notifier.apprise_urls import email_url
    from gigalert_notifier.sending import load_apprise_plugins, send

    sink, hooks = ctx.sink_log, ctx.webhook_log
    assert sink is not None and hooks is not None
    n = ctx.args.baseline_messages
    conc = ctx.args.smtp_concurrency[0]
    out: list[Baseline] = []

    for tag, reuse, build, label in (
        (
            "smtplib",
            False,
            False,
            "email floor: smtplib, 1 thread, a connection per mail (as Apprise)",
        ),
        ("smtpreuse", True, False, "email: smtplib, 1 thread, one reused connection"),
        (
            "smtpbuild",
            True,
            True,
            "email (for scale): smtplib, 1 thread, one reused connection, "
            "each message built with the stdlib `email` package",
        ),
    ):
        since = len(sink.lines())
        secs, cpu = await asyncio.to_thread(smtplib_loop, ctx.sink_port, n, tag, reuse, build)
        await asyncio.sleep(0.3)
        out.append(Baseline(label, n, secs, count_tag(sink, tag, since), cpu))

    since = len(sink.lines())
    secs, cpu = await aiosmtplib_pool(ctx.sink_port, n, "aiosmtp", conc)
    await asyncio.sleep(0.3)
    out.append(
        Baseline(
            f"email: aiosmtplib, {conc} kept connections, one event loop",
            n,
            secs,
            count_tag(sink, "aiosmtp", since),
            cpu,
        )
    )

    load_apprise_plugins()
    _, html_body, markdown, unsub = sample_rendered()
    smtp = SmtpSettings(host="127.0.0.1", port=ctx.sink_port, security="none")
    warm = email_url("warm@example.jp", smtp, delivery_id="warm-0", unsubscribe_url=unsub)
    await send(warm, title="w", body="w", body_format="html", timeout=20)
    since = len(sink.lines())
    urls = [
        email_url(f"b{i}@example.jp", smtp, delivery_id=f"apprise-{i}", unsubscribe_url=unsub)
        for i in range(n)
    ]
    secs, cpu, durations = await apprise_loop(urls, html_body, "html", conc)
    await asyncio.sleep(0.3)
    out.append(
        Baseline(
            f"Apprise `send()` alone, email, {conc} at a time, in-process (no worker, no DB)",
            n,
            secs,
            count_tag(sink, "apprise", since),
            cpu,
            pct(durations, 0.5),
            pct(durations, 0.99),
        )
    )

    base = f"http://127.0.0.1:{ctx.webhook_port}/hook/"
    payload = {
        "version": "1.0",
        "title": "【新着案件】ベンチ",
        "message": markdown,
        "attachments": [],
        "type": "info",
    }
    since = len(hooks.lines())
    lat: list[float] = []
    async with httpx.AsyncClient(timeout=10) as c:
        (await c.post(f"{base}warm", json=payload)).raise_for_status()
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            t0 = time.perf_counter()
            (await c.post(f"{base}httpx-{i}", json=payload)).raise_for_status()
            lat.append(time.perf_counter() - t0)
        secs, cpu = time.perf_counter() - start, time.process_time() - cpu
    await asyncio.sleep(0.3)
    out.append(
        Baseline(
            "webhook floor: httpx POST loop, keep-alive, sequential",
            n,
            secs,
            count_tag(hooks, "httpx", since),
            cpu,
            pct(lat, 0.5),
            pct(lat, 0.99),
        )
    )

    def requests_loop() -> tuple[float, float]:
        import requests

        t, c = time.perf_counter(), time.thread_time()
        for i in range(n):
            requests.post(f"{base}requests-{i}", json=payload, timeout=10).raise_for_status()
        return time.perf_counter() - t, time.thread_time() - c

    since = len(hooks.lines())
    secs, cpu = await asyncio.to_thread(requests_loop)
    await asyncio.sleep(0.3)
    out.append(
        Baseline(
            "webhook: `requests.post` loop, a connection per POST (as Apprise), sequential",
            n,
            secs,
            count_tag(hooks, "requests", since),
            cpu,
        )
    )

    since = len(hooks.lines())
    urls = [f"json://127.0.0.1:{ctx.webhook_port}/hook/apprisejson-{i}" for i in range(n)]
    await send(
        f"{base}warm".replace("http://", "json://"),
        title="w",
        body="w",
        body_format="markdown",
        timeout=20,
    )
    secs, cpu, durations = await apprise_loop(urls, markdown, "markdown", 16)
    await asyncio.sleep(0.3)
    out.append(
        Baseline(
            "Apprise `send()` alone, json://, 16 at a time, in-process (no worker, no DB)",
            n,
            secs,
            count_tag(hooks, "apprisejson", since),
            cpu,
            pct(durations, 0.5),
            pct(durations, 0.99),
        )
    )
    return out


# ================================================================== part 3: end to end


KEYWORDS: Final = [
    "pmo",
    "jira",
    "マーケティング",
    "広報",
    "データ分析",
    "python",
    "sql",
    "aws",
    "新規事業",
]
PREFS: Final = ["東京", "大阪", "神奈川", "福岡", "愛知"]
MODES: Final = [
    ["remote"],
    ["hybrid", "remote"],
    ["hybrid", "onsite", "remote"],
    ["hybrid", "onsite"],
]
REMOTE: Final = ["フルリモート", "一部リモート（週1出社）", "常駐", "リモート可", "フルリモート"]
SKILLS: Final = ["PMO", "Jira", "Python", "SQL", "AWS", "Excel", "Figma", "Salesforce"]


def background_subscriptions(
    rng: random.Random, freelancers: list[uuid.UUID], n: int
) -> Iterator[tuple[Any, ...]]:
    """Realistic criteria (see the module docstring), each excluding EXCLUDE."""
    domains, weights = list(DOMAIN_WEIGHTS), list(DOMAIN_WEIGHTS.values())
    exclude = normalise_text(EXCLUDE)
    for _ in range(n):
        doms: list[str] = []
        if rng.random() >= 0.30:
            doms = sorted(set(rng.choices(domains, weights, k=1 if rng.random() < 0.75 else 2)))
        keywords = (
            sorted(set(rng.sample(KEYWORDS, rng.randint(1, 3)))) if rng.random() < 0.40 else []
        )
        floor = (
            None
            if rng.random() < 0.20
            else int(
                min(15000, max(1500, round(rng.lognormvariate(math.log(5000), 0.3) / 500) * 500))
            )
        )
        days = None if rng.random() < 0.5 else float(rng.choice([1, 2, 2, 3, 3, 4, 5]))
        locations = (
            sorted(set(rng.choices(PREFS, k=rng.randint(1, 2)))) if rng.random() < 0.15 else []
        )
        yield (
            uuid.uuid4(),
            rng.choice(freelancers),
            "bench",
            rng.choices(MODES, [0.60, 0.20, 0.15, 0.05])[0],
            floor,
            rng.random() < 0.40,
            doms,
            keywords,
            [exclude],
            days,
            locations,
        )


def background_gig(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "external_id": f"bg-{i}",
        "title": f"{rng.choice(TITLES)} #{i}",
        "description": f"新規事業の立ち上げ支援（{EXCLUDE}）。"
        + "要件定義から運用まで。" * rng.randint(2, 6),
        "url": f"https://jobs.example.jp/bg/{i}",
        "category": rng.choice(CATEGORIES),
        "skills": rng.sample(SKILLS, 3),
        "remote": rng.choice(REMOTE),
        "location": rng.choice(["東京都渋谷区", "大阪府大阪市", "神奈川県横浜市", "福岡県福岡市"]),
        "rate": rate_text(rng),
        "days_per_week": rng.choice(["週2〜3日", "週5日", "週1日～", "週3日"]),
    }


def probe_gig(name: str) -> dict[str, Any]:
    return {
        "external_id": name,
        "title": f"新規事業PMO支援 {PROBE_WORD} {name}",
        "description": f"フルリモート、週2日から（{EXCLUDE}）。Jira/Confluence運用。",
        "url": f"https://jobs.example.jp/probe/{name}",
        "category": "PMO",
        "remote": "フルリモート",
        "rate": "月額80万円（140-180h）",
        "days_per_week": "週2〜3日",
    }


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


async def end_to_end(ctx: Context) -> EndToEnd:
    from gigalert_ingest.platforms import create_platform
    from gigalert_shared.kafka_admin import create_topics
    from gigalert_shared.settings import KafkaSettings

    args = ctx.args
    assert ctx.sink_log is not None
    e = EndToEnd(
        subscriptions=args.subs,
        freelancers=args.subs // 10,
        probe_freelancers=args.probe_freelancers,
    )
    rng = random.Random(11)
    dsn = await ctx.fresh_db("e2e")
    topics = Topics(prefix=f"nbench{uuid.uuid4().hex[:6]}.")
    await create_topics(KafkaSettings(bootstrap_servers=KAFKA), topics)
    ctx.topics.append(topics)
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    started: list[Proc] = []
    try:
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
                "INSERT INTO channels (freelancer_id, kind, target) VALUES ($1, 'email', $2)",
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

        common = {
            "GIGALERT_POSTGRES_DSN": dsn,
            "GIGALERT_KAFKA_BOOTSTRAP_SERVERS": KAFKA,
            "GIGALERT_KAFKA_TOPIC_PREFIX": topics.prefix,
            "GIGALERT_LOG_LEVEL": "WARNING",
            **SERVICE_SETTINGS,
            "GIGALERT_HTTP_MAX_BODY_BYTES": "10000000",
        }
        ports = {name: free_port() for name in ("ingest", "matcher", "notifier")}
        t0 = time.perf_counter()
        for name, port in ports.items():
            env = {**common, f"GIGALERT_HTTP_{name.upper()}_PORT": str(port)}
            if name == "notifier":
                env |= {
                    "GIGALERT_SMTP_HOST": "127.0.0.1",
                    "GIGALERT_SMTP_PORT": str(ctx.sink_port),
                    "GIGALERT_SMTP_SECURITY": "none",
                }
            started.append(ctx.procs.start(name, [str(GIGALERT), name, "serve"], env, port=port))
        for p in started:
            await ctx.procs.wait_ready(p, timeout=180)
        e.matcher_ready_s = time.perf_counter() - t0
        ingest = started[0]

        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{ingest.port}",
            headers={"X-API-Key": key},
            timeout=30,
            limits=limits,
        ) as client:
            # Warm-up: probe gigs until mail flows (consumer groups assigned, Apprise loaded).
            since = len(ctx.sink_log.lines())
            deadline = time.monotonic() + 90
            warm = 0
            while time.monotonic() < deadline:
                (await client.post("/v1/gigs", json=probe_gig(f"warm-{warm}"))).raise_for_status()
                warm += 1
                await asyncio.sleep(1.0)
                if len(ctx.sink_log.lines()) - since >= args.probe_freelancers:
                    break
            else:
                raise RuntimeError("no mail came through the pipeline during warm-up")
            await asyncio.sleep(2.0)

            per_batch = args.e2e_batch
            interval = per_batch / args.e2e_rate
            n_batches = int(args.e2e_seconds / interval)
            batches = [
                {"gigs": [background_gig(b * per_batch + j, rng) for j in range(per_batch)]}
                for b in range(n_batches)
            ]
            n_probes = int(args.e2e_seconds / args.probe_interval)
            bg_lat: list[float] = []
            bg_ok: list[int] = []
            probe_sent: dict[str, float] = {}
            probe_lat: list[float] = []
            errors: list[str] = []

            async def post_batch(body: dict[str, Any]) -> None:
                t = time.perf_counter()
                try:
                    r = await client.post("/v1/gigs/batch", json=body)
                    bg_lat.append(time.perf_counter() - t)
                    if r.status_code == 202:
                        bg_ok.append(int(r.json()["accepted"]))
                    else:
                        errors.append(f"batch {r.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"batch {type(exc).__name__}")

            async def post_probe(name: str) -> None:
                probe_sent[name] = time.time()
                t = time.perf_counter()
                try:
                    r = await client.post("/v1/gigs", json=probe_gig(name))
                    probe_lat.append(time.perf_counter() - t)
                    if r.status_code != 202:
                        errors.append(f"probe {r.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"probe {type(exc).__name__}")

            loop = asyncio.get_running_loop()
            tasks: list[asyncio.Task[None]] = []
            start = loop.time() + 0.05
            schedule = [(start + b * interval, 0, b) for b in range(n_batches)] + [
                (start + args.probe_interval / 2 + k * args.probe_interval, 1, k)
                for k in range(n_probes)
            ]
            schedule.sort()
            mail_since = len(ctx.sink_log.lines())
            watch = CpuWatch({p.name: p.pid for p in started} | {"sink": ctx.sink_pid})
            wall0 = time.perf_counter()
            for at, what, k in schedule:  # open loop: a slow answer does not delay the next
                delay = at - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if what == 0:
                    tasks.append(asyncio.create_task(post_batch(batches[k])))
                else:
                    tasks.append(asyncio.create_task(post_probe(f"probe-{k}")))
            await asyncio.gather(*tasks)
            e.seconds = time.perf_counter() - wall0
            e.cpu, e.machine_cpu = watch.stop()
            e.bg_offered = n_batches * per_batch
            e.bg_accepted = sum(bg_ok)
            e.bg_rate = e.bg_accepted / e.seconds
            e.bg_req_p50, e.bg_req_p99 = pct(bg_lat, 0.5), pct(bg_lat, 0.99)
            e.probes = len(probe_sent)
            e.probe_req_p50, e.probe_req_p99 = pct(probe_lat, 0.5), pct(probe_lat, 0.99)
            e.expected_mails = e.probes * args.probe_freelancers
            if errors:
                e.note = f"{len(errors)} request errors (first: {errors[0]})"

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
        matcher = started[1]
        async with httpx.AsyncClient(timeout=10) as c:
            url = f"http://127.0.0.1:{matcher.port}/metrics"
            text = (await c.get(url, headers=METRICS_AUTH)).text
        buckets = sorted(parse_histogram(text, "gigalert_matcher_match_seconds", {}).items())
        e.match_p50, e.match_p99 = bucket_quantile(buckets, 0.5), bucket_quantile(buckets, 0.99)
        e.gigs_matched = int(buckets[-1][1]) if buckets else 0
    finally:
        for p in started:
            ctx.procs.stop(p)
        await conn.close()
    return e


# ================================================================== report


def machine() -> dict[str, str]:
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.strip(
        "\n"
    )
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "nproc": nproc,
        "cpu": model,
        "free": free,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def throughput_table(rows: list[Throughput]) -> str:
    out = [
        "| path | processes | concurrency / process | batch | deliveries | sent | received (dupes) | wall (s) | **deliveries/s** | per process | due → sent p50 / p99 (ms) | per-send p50 / p99 (ms) | sender CPU ms / delivery | CPU (% of a core) | machine busy | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in rows:
        out.append(
            f"| {r.label} | {r.procs} | {r.concurrency} | {r.batch} | {r.n:,} | {r.sent:,} | "
            f"{r.received:,} ({r.duplicates}) | {r.wall_s:.1f} | **{r.rate:,.0f}** | {r.rate / r.procs:,.0f} | "
            f"{ms(r.due_p50)} / {ms(r.due_p99)} | {ms(r.send_p50)} / {ms(r.send_p99)} | "
            f"{r.cpu_ms:.1f} | {cpu_text(r.cpu)} | {r.machine_cpu:.0f}% | {r.note} |"
        )
    return "\n".join(out)


def baseline_table(rows: list[Baseline]) -> str:
    out = [
        "| baseline | messages | received | s | **messages/s** | sender CPU ms / message | per-message p50 / p99 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for b in rows:
        out.append(
            f"| {b.label} | {b.n:,} | {b.received:,} | {b.seconds:.1f} | **{b.rate:,.0f}** | "
            f"{b.cpu_ms:.2f} | {ms(b.p50)} / {ms(b.p99)} |"
        )
    return "\n".join(out)


def e2e_table(e: EndToEnd, args: argparse.Namespace) -> str:
    lat = e.latencies
    rows = [
        "| measure | value |",
        "|---|---|",
        f"| subscriptions loaded (freelancers) | {e.subscriptions:,} ({e.freelancers:,}) + {e.probe_freelancers} probe freelancers; load {e.load_s:.1f} s; services ready after {e.matcher_ready_s:.1f} s |",
        f"| background load offered / accepted | {e.bg_offered:,} gigs in {e.seconds:.1f} s, batches of {args.e2e_batch} → {e.bg_accepted:,} accepted = **{e.bg_rate:,.0f} gigs/s** |",
        f"| background batch request p50 / p99 | {ms(e.bg_req_p50)} / {ms(e.bg_req_p99)} ms |",
        f"| probe gigs (1 every {args.probe_interval:g} s), ingest request p50 / p99 | {e.probes} , {ms(e.probe_req_p50)} / {ms(e.probe_req_p99)} ms |",
        f"| probe mails received / expected (duplicates) | {e.mails} / {e.expected_mails} ({e.duplicates}) |",
        f"| **end-to-end p50 / p99 / max** (ingest request → SMTP receipt) | **{ms(pct(lat, 0.5))} / {ms(pct(lat, 0.99))} / {ms(max(lat) if lat else math.nan)} ms** |",
    ]
    slow = sum(1 for v in lat if v > 0.5)
    rows.append(
        f"| p90 / p95; mails over 500 ms | {ms(pct(lat, 0.9))} / {ms(pct(lat, 0.95))} ms; "
        f"{slow} of {len(lat)} |"
    )
    for name, values in e.stages.items():
        rows.append(
            f"| stage: {name}, p50 / p99 | {ms(pct(values, 0.5))} / {ms(pct(values, 0.99))} ms |"
        )
    rows += [
        f"| matcher index lookup per gig p50 / p99 (histogram; {e.gigs_matched:,} gigs) | {e.match_p50 * 1e6:,.0f} / {e.match_p99 * 1e6:,.0f} µs |",
        f"| alerts for background gigs (must be 0) | {e.stray_alerts} |",
        f"| CPU during the drive (% of one core) | {cpu_text(e.cpu)}; machine busy {e.machine_cpu:.0f}% of {os.cpu_count()} cores |",
    ]
    if e.note:
        rows.append(f"| note | {e.note} |")
    return "\n".join(rows)


def ab_summary(rows: list[Throughput]) -> str:
    """Per configuration: the medians of baseline and current, and current / baseline
    (of the medians, and of each round's back-to-back pair)."""
    out = [
        "| path | processes | concurrency | baseline deliveries/s (median) | current | "
        "**ratio** | per round | CPU ms / delivery baseline → current (ratio) |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    configs = sorted({(r.kind, r.procs, r.concurrency) for r in rows})
    for kind, procs, conc in configs:
        same = [r for r in rows if (r.kind, r.procs, r.concurrency) == (kind, procs, conc)]
        base = [r for r in same if r.variant == "baseline"]
        cur = [r for r in same if r.variant == "current"]
        if not base or not cur:
            continue
        b_rate = statistics.median(r.rate for r in base)
        c_rate = statistics.median(r.rate for r in cur)
        b_cpu = statistics.median(r.cpu_ms for r in base)
        c_cpu = statistics.median(r.cpu_ms for r in cur)
        rounds = ", ".join(f"×{c.rate / b.rate:.2f}" for b, c in zip(base, cur, strict=False))
        name = "email (notifier serve)" if kind == "email" else "webhook (DeliveryWorker)"
        out.append(
            f"| {name} | {procs} | {conc} | {b_rate:,.0f} | {c_rate:,.0f} | "
            f"**×{c_rate / b_rate:.2f}** | {rounds} | {b_cpu:.1f} → {c_cpu:.1f} "
            f"(×{c_cpu / b_cpu:.2f}) |"
        )
    return "\n".join(out)


def _find(base: list[Baseline], prefix: str) -> Baseline | None:
    return next((b for b in base if b.label.startswith(prefix)), None)


def summary(
    email: list[Throughput], hooks: list[Throughput], base: list[Baseline], e: EndToEnd | None
) -> list[str]:
    """Medians, ratios and the aims, in words."""
    lines: list[str] = []
    ones = [r for r in email if r.procs == 1 and not math.isnan(r.rate)]
    twos = [r for r in email if r.procs == 2 and not math.isnan(r.rate)]
    floor = _find(base, "email floor: smtplib")
    alone = _find(base, "Apprise `send()` alone, email")
    if ones:
        best = max(ones, key=lambda r: r.rate)
        cpu = statistics.median(r.cpu_ms for r in email)
        lines.append(
            f"- **Email, one notifier process: {best.rate:,.0f} deliveries/s at best** (SMTP "
            f"concurrency {best.concurrency}; median over the concurrencies tried "
            f"{statistics.median(r.rate for r in ones):,.0f}/s). Aim ≥ 1,000/s per process: "
            f"**{'met' if best.rate >= 1000 else 'not met'}**. The notifier spent a median "
            f"{cpu:.1f} ms of CPU per delivery (all email rows), so one process would top out "
            f"around ~{1000 / cpu:,.0f}/s even with a whole core to itself (its Python code runs "
            f"on one core at a time: the GIL)."
        )
    for c in sorted({r.concurrency for r in ones}, key=int):
        one = next(r for r in ones if r.concurrency == c)
        two = next((r for r in twos if r.concurrency == c), None)
        if two is not None:
            lines.append(
                f"- Email, SMTP concurrency {c}: 2 processes / 1 process = "
                f"{two.rate / one.rate:.2f}× ({one.rate:,.0f} → {two.rate:,.0f}/s)."
            )
    bare = [
        b
        for b in base
        if b.label.startswith(("email floor: smtplib", "email: smtplib", "email: aiosmtplib"))
    ]
    if ones and bare:
        best = max(ones, key=lambda r: r.rate)
        top = max(bare, key=lambda b: b.rate)
        lines.append(
            f"- **Email: notifier (1 process, best) / best bare client in this run "
            f"({top.label}, {top.rate:,.0f}/s) = {best.rate / top.rate:.2f}** "
            f"(CPU per mail: notifier {best.cpu_ms:.2f} ms, that client {top.cpu_ms:.2f} ms; "
            f"ratio {best.cpu_ms / top.cpu_ms:.1f}×)."
        )
    if ones and floor and alone:
        best = max(ones, key=lambda r: r.rate)
        lines.append(
            f"- Email against the floors: notifier (1 process, best) / raw smtplib from one "
            f"thread = {best.rate / floor.rate:.2f}; Apprise `send()` alone / smtplib = "
            f"{alone.rate / floor.rate:.2f}; notifier / Apprise alone = "
            f"{best.rate / alone.rate:.2f}. CPU per mail: smtplib {floor.cpu_ms:.2f} ms, "
            f"Apprise alone {alone.cpu_ms:.1f} ms, notifier {best.cpu_ms:.1f} ms."
        )
    h1 = next((r for r in hooks if r.procs == 1), None)
    h2 = next((r for r in hooks if r.procs == 2), None)
    hfloor = _find(base, "webhook floor: httpx")
    hreq = _find(base, "webhook: `requests.post`")
    hal = _find(base, "Apprise `send()` alone, json")
    if h1 is not None:
        lines.append(
            f"- **Webhook (json://, not Slack), one worker process: {h1.rate:,.0f} "
            f"deliveries/s**; aim ≥ 1,000/s: **{'met' if h1.rate >= 1000 else 'not met'}**; "
            f"{h1.cpu_ms:.1f} ms CPU per delivery (ceiling ~{1000 / h1.cpu_ms:,.0f}/s per core)."
            + (f" Two processes: {h2.rate:,.0f}/s ({h2.rate / h1.rate:.2f}×)." if h2 else "")
        )
    if h1 is not None and hfloor:
        lines.append(
            f"- **Webhook: worker (1 process) / httpx keep-alive loop = "
            f"{h1.rate / hfloor.rate:.2f}** ({h1.rate:,.0f} vs {hfloor.rate:,.0f}/s; CPU per "
            f"message {h1.cpu_ms:.2f} vs {hfloor.cpu_ms:.2f} ms)."
        )
    if h1 is not None and hfloor and hreq and hal:
        lines.append(
            f"- Webhook against the floors: worker / httpx keep-alive loop = "
            f"{h1.rate / hfloor.rate:.2f}; worker / `requests.post` loop = "
            f"{h1.rate / hreq.rate:.2f}; worker / Apprise `send()` alone = "
            f"{h1.rate / hal.rate:.2f}. CPU per message: httpx {hfloor.cpu_ms:.2f} ms, requests "
            f"{hreq.cpu_ms:.2f} ms, Apprise alone {hal.cpu_ms:.1f} ms, worker {h1.cpu_ms:.1f} ms."
        )
    if e is not None and e.latencies:
        p99 = pct(e.latencies, 0.99)
        lines.append(
            f"- **End to end** at {e.bg_rate:,.0f} gigs/s with {e.subscriptions:,} "
            f"subscriptions: **p50 {ms(pct(e.latencies, 0.5))} ms, p99 {ms(p99)} ms** over "
            f"{len(e.latencies)} probe mails ({e.mails} of {e.expected_mails} arrived). "
            f"Aim p99 < 500 ms: **{'met' if p99 < 0.5 else 'not met'}**."
        )
        stages = {k: v for k, v in e.stages.items() if v}
        if stages:
            worst = max(stages, key=lambda k: pct(stages[k], 0.99))
            lines.append(
                f"- The largest p99 among the stages: {worst} ({ms(pct(stages[worst], 0.99))} ms; "
                f"p50 {ms(pct(stages[worst], 0.5))} ms)."
            )
    return lines


NOTES: Final = """\
- **What each number includes.** Email rows: the real `gigalert notifier serve` processes
  (claim with `FOR UPDATE SKIP LOCKED`, render, Apprise, SMTP to the sink, `mark_sent_many`), the
  sink in its own process. Webhook rows: the real `DeliveryWorker` and `sending.send`, with
  Slack channels (decrypting the webhook, markdown rendering, per-channel pacing, the worker's
  fixed Slack semaphore of 16) but the URL swapped for Apprise's `json://` plugin on a local
  uvicorn endpoint: worker + Apprise + HTTP, **not Slack** (no TLS, no Slack latency, no
  Slack rate limit of ~1 message/s per webhook). "due → sent" is measured from the moment the
  whole backlog was made due, so it is mostly queueing (p99 ≈ the time to drain N); the
  per-send time is the `gigalert_notifier_send_seconds` histogram (email; interpolated in
  its buckets 5, 10, 25, 50, 100, 250 ms …) or exact timings around `send()` (webhook).
- **How Apprise is used** (`sending.py`): one `PooledEmail` (a `NotifyEmail` subclass) per
  SMTP configuration, its SMTP sessions kept in a pool of `GIGALERT_NOTIFIER_SMTP_CONCURRENCY`
  and reused (renewed after `GIGALERT_NOTIFIER_SMTP_MAX_MESSAGES_PER_CONNECTION` mails);
  Slack/LINE/json plugins kept per URL, posting through one keep-alive `requests.Session` per
  host; sends in our own thread pool ({pool} is the size Apprise's own pool would have had
  here, no longer used). This bench gives every webhook delivery its own URL, so a plugin is
  instantiated per post; email builds each message with Apprise (`prepare_emails`).
- **What limits throughput: CPU per send, in one Python process.** Each send cost the
  notifier {email_cpu} ms of CPU for a mail and {hook_cpu} ms for a json:// POST (median of
  the "sender CPU ms" column), against {smtp_cpu} ms (smtplib) and {httpx_cpu} / {req_cpu}
  ms (httpx / requests) for the raw clients in the baselines. One process runs its Python
  code on one core at a time (the GIL; only time in system calls overlaps), so roughly
  ~{email_cap} mails/s per process is the ceiling even on an idle core; more concurrency
  only lengthens each send. A second process
  helps only as far as there is a free core (this machine has two, shared with Kafka,
  Postgres, the sink and, here, other work). Since the 2026-12-02 rework the largest
  share of a mail is building it (Apprise's `prepare_emails`, ~0.9 ms); before it, a quick
  profile (py-spy 0.4.3, 250 Hz; not part of the run) of `send()` alone found no single hot spot
  but Apprise's per-send machinery spread thin: building the plugin from the URL
  (`Apprise.instantiate`: URL parsing, and CWE-312 redaction of the URL for its debug
  log), creating the `Apprise` object (its `AppriseLocale` looks up gettext catalogues on
  disk every time), the debug log records we keep on to read SMTP reply codes, Apprise's
  async dispatch (call state, thread hand-off), the MIME build, and smtplib/requests with a
  new connection per send. Attributing each sample to its deepest such frame: for email
  about a quarter in Apprise's logging and URL redaction, ~15 % each in smtplib, Apprise's
  dispatch and `instantiate`, ~11 % the MIME build, ~7 % the `Apprise` object; for
  json:// ~30 % the HTTP client (requests, urllib3), ~25 % logging, ~20 % dispatch. Inside `gigalert notifier serve` the
  worker adds about 2–3 ms per delivery: asyncpg round trips (the claim, then the
  outcomes; these were a `mark_sent` + `channel_succeeded` transaction per delivery, ~14 % of
  samples, and are now a `mark_sent_many` per handful of sends), validating
  each claimed payload into `AlertMatched` with pydantic (~11 %) and rendering (~7 %).
  Reaching 1,000/s per process would need ≤ 1 ms of CPU per delivery, all included; raw
  smtplib with a connection per mail already costs about that here, so it would take
  reused connections (one SMTP session per batch, an HTTP session per webhook host) and no
  Apprise object per message, i.e. not Apprise's per-URL `notify` for each send.
- **End to end.** Each probe gig gives one mail per probe freelancer, so the mails of one
  gig are correlated: with 4 probe freelancers the p99 of the mails is about the slowest
  probe gig. The notifier's worker is woken by its consumer when deliveries are created, so
  its 0.5 s poll is not on this path; the stages (from `gigs.received_at`,
  `alerts.created_at`, `deliveries.created_at` and the sink's receive time) show where the
  time went. The index checks `keywords_none` last, on the subscriptions that passed remote
  mode, rate, domain and days, so the background subscriptions cost it the full work of a
  real match and are dropped only at that step: the lookup time is close to what these
  gigs would cost if those subscriptions matched (without building the alerts). The tail
  follows the machine's load: the services, Kafka, Postgres and the
  bench driver share two cores, and a short stall anywhere (a Kafka fetch wait, a consumer
  batch, a GC pause, the scheduler) delays every gig in flight, so expect run-to-run spread
  on a busy machine.
- **The worker claims in rounds.** `run_once` claims `batch_size` rows and waits for the
  whole batch (`asyncio.gather`) before claiming again, so every round ends with a tail where
  fewer than `concurrency` sends are in flight; an idle worker notices new due rows only at
  its next poll (`poll_interval_seconds` 0.5 s) unless the consumer wakes it.
"""


def notes(report: Report, pool: int) -> str:
    email = [r.cpu_ms for r in report.email if not math.isnan(r.cpu_ms)]
    hooks = [r.cpu_ms for r in report.hooks if not math.isnan(r.cpu_ms)]

    def cpu(b: Baseline | None) -> str:
        return "-" if b is None else f"{b.cpu_ms:.2f}"

    email_cpu = statistics.median(email) if email else math.nan
    return NOTES.format(
        pool=pool,
        email_cpu=f"{email_cpu:.1f}",
        hook_cpu=f"{statistics.median(hooks):.1f}" if hooks else "-",
        smtp_cpu=cpu(_find(report.base, "email floor: smtplib")),
        httpx_cpu=cpu(_find(report.base, "webhook floor: httpx")),
        req_cpu=cpu(_find(report.base, "webhook: `requests.post`")),
        email_cap=f"{1000 / email_cpu:,.0f}" if email else "-",
    )


def write_doc(path: Path, command: str, report: Report, args: argparse.Namespace) -> None:
    info, email, hooks, base = report.info, report.email, report.hooks, report.base
    e, elapsed = report.e2e, report.elapsed
    pool = min(32, (os.cpu_count() or 1) + 4)
    parts = [
        "## Notifier",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in one run of {elapsed / 60:.1f} min "
        f"(`bench/notifier_bench.py`; its docstring describes the method).",
        "",
        "Machine: `nproc` = " + info["nproc"] + f", CPU {info['cpu']}, Python {info['python']}, "
        f"Linux {info['kernel']}; Kafka, Postgres, the SMTP sink, the webhook endpoint and every "
        "service share these cores with the bench driver. In the 3 s before the bench started "
        f"anything the machine was already {info['busy_before']} busy (load average "
        f"{info['loadavg']}): other work was running on it, so absolute rates are lower than on "
        "an idle machine; the CPU milliseconds per message are the steadier figure. `free -h`:",
        "",
        "```",
        info["free"],
        "```",
        "",
        "Command:",
        "",
        "```sh",
        command,
        "```",
        "",
        "### Summary",
        "",
        *summary(email, hooks, base, e),
        "",
        "### Deliveries per second to local endpoints",
        "",
        throughput_table(email + hooks),
        "",
        "### Baselines (same run, same endpoints)",
        "",
        baseline_table(base),
        "",
    ]
    if e is not None:
        parts += [
            "### End-to-end latency (ingest request → SMTP receipt)",
            "",
            e2e_table(e, args),
            "",
        ]
    parts += ["### Notes", "", notes(report, pool)]
    path.write_text("\n".join(parts).rstrip() + "\n", encoding="utf-8")


# ================================================================== main


async def drop_databases(admin: asyncpg.Connection, names: list[str]) -> None:
    """Drop the bench's databases; on a fresh connection if the first one was lost (a
    Postgres restart by someone else)."""
    with contextlib.suppress(Exception):
        await admin.close()
    for attempt in range(5):
        try:
            conn = await asyncpg.connect(ADMIN_DSN)
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(2 * (attempt + 1))
            continue
        try:
            for db in list(names):
                await conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                names.remove(db)
            return
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await asyncio.sleep(2 * (attempt + 1))
        finally:
            with contextlib.suppress(Exception):
                await conn.close()
    if names:
        print(f"could not drop {names}: drop them by hand", file=sys.stderr)


async def delete_topics(topics: list[Topics]) -> None:
    """Best effort: the bench's topics go too."""
    from aiokafka.admin import AIOKafkaAdminClient

    names = [n for t in topics for n in t.all()]
    if not names:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    try:
        await admin.start()
        await admin.delete_topics(names)
    except Exception as exc:
        print(f"could not delete topics {names}: {exc!r}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


@dataclass
class Report:
    info: dict[str, str]
    email: list[Throughput]
    hooks: list[Throughput]
    base: list[Baseline]
    e2e: EndToEnd | None
    elapsed: float


async def run(args: argparse.Namespace) -> Report:
    wall0 = time.perf_counter()
    info = machine()
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
    procs = Processes(workdir)
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
        me = [sys.executable, "-m", "bench.notifier_bench"]
        sink = procs.start(
            "sink",
            [*me, "sink", "--port", str(ctx.sink_port), "--out", str(ctx.sink_log.path)],
            stdout_pipe=True,
        )
        hook = procs.start(
            "webhook",
            [*me, "webhook", "--port", str(ctx.webhook_port), "--out", str(ctx.webhook_log.path)],
            stdout_pipe=True,
        )
        await procs.wait_line(sink, "ready")
        await procs.wait_line(hook, "ready")
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
        procs.stop_all()
        await drop_databases(admin, ctx.dbs)
        await delete_topics(ctx.topics)
        shutil.rmtree(workdir, ignore_errors=True)
    return Report(info, email, hooks, base, e, time.perf_counter() - wall0)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    s = sub.add_parser("sink", help="(internal) counting SMTP sink")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--out", required=True)
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
    parser.add_argument("--doc", default=str(DOC), help="markdown file to write ('' = none)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    given = list(sys.argv[1:] if argv is None else argv)
    args = parse(given)
    if args.command in ("sink", "webhook"):
        with open(args.out, "a", encoding="utf-8") as out:
            asyncio.run((run_sink if args.command == "sink" else run_webhook)(args.port, out))
        return
    if args.command == "worker":
        durations = asyncio.run(run_worker(args.webhook_port))
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
