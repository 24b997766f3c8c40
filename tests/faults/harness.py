"""The fault suite's harness.

* :class:`Fleet`: the three services as real OS processes (``gigalert <kind> serve``,
  :mod:`tests.support.fleet`), each on its own port, logging JSON lines to a file.
* :class:`~tests.support.smtp_sink.MailSink` (the fixture ``mail_sink``): an SMTP server
  of the test's own (aiosmtpd, in a thread) that counts
  every mail by its ``X-Gigalert-Delivery-Id`` header, and can refuse mail for a while.
* :class:`LoadGenerator`: a paced stream of gig batches to ingest; a request that fails
  (connection refused, timeout, 5xx) is "not accepted" and its gigs are posted again.
* :func:`settle_and_verify`: waits until the pipeline is quiet, then compares what went
  in with what came out (Postgres, the gigs.posted topic and the mail sink).
* :class:`PrivateKafka` / :class:`PrivatePostgres`: the suite's own Kafka broker and
  PostgreSQL cluster (why: see the classes), which scenarios SIGKILL and restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import (
    ConsumerProtocolMemberAssignment,
    ConsumerProtocolMemberMetadata,
)

from gigalert_ingest.platforms import create_platform
from gigalert_shared.kafka_admin import create_topics
from gigalert_shared.settings import KafkaSettings
from gigalert_shared.topics import Topics
from tests.conftest import ROOT
from tests.support import fleet
from tests.support.fleet import open_log, tail
from tests.support.kafka_helpers import read_topic
from tests.support.ports import free_port
from tests.support.smtp_sink import MailSink

log = logging.getLogger(__name__)

INFRA = ROOT / "deploy" / "local" / "infra.sh"

# Short retry and lease times so a fault heals within a scenario's budget.
SERVICE_ENV = {
    "GIGALERT_ENV": "development",  # http links, the shipped channel key: a laptop's setup
    "GIGALERT_SMTP_HOST": "127.0.0.1",
    "GIGALERT_NOTIFIER_BASE_DELAY_SECONDS": "1",
    "GIGALERT_NOTIFIER_MAX_DELAY_SECONDS": "3",
    "GIGALERT_NOTIFIER_LEASE_SECONDS": "5",
    "GIGALERT_NOTIFIER_MAX_ATTEMPTS": "50",
    # Each audience address gets hundreds of alerts a scenario: the daily cap (100) would
    # hold the rest until tomorrow, which is the cap working, not a loss.
    "GIGALERT_NOTIFIER_EMAIL_DAILY_CAP": "100000",
    "GIGALERT_NOTIFIER_POLL_INTERVAL_SECONDS": "0.2",
    "GIGALERT_LOG_LEVEL": "INFO",
}


# ------------------------------------------------------------------ service processes


class Fleet(fleet.Fleet):
    """The service processes of one test, sharing its database, topics and SMTP sink, on
    the suite's own Kafka and Postgres (which a scenario may kill or restart)."""

    def __init__(
        self,
        *,
        kafka: PrivateKafka,
        postgres: PrivatePostgres,
        db_dsn: str,
        topics: Topics,
        smtp_port: int,
        log_dir: Path,
    ) -> None:
        super().__init__(
            log_dir,
            {
                **{k: v for k, v in os.environ.items() if not k.startswith("GIGALERT_")},
                **SERVICE_ENV,
                "GIGALERT_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
                "GIGALERT_POSTGRES_DSN": db_dsn,
                "GIGALERT_KAFKA_TOPIC_PREFIX": topics.prefix,
                "GIGALERT_SMTP_PORT": str(smtp_port),
            },
        )
        self.topics = topics
        self.kafka = kafka
        self.postgres = postgres
        self.touched_postgres = False


# ------------------------------------------------------------------ audience, platform


async def create_platform_key(db_dsn: str, name: str) -> str:
    conn = await asyncpg.connect(db_dsn)
    try:
        _, key = await create_platform(conn, name=name)
    finally:
        await conn.close()
    return key


async def create_audience(db_dsn: str, count: int, tag: str) -> list[str]:
    """``count`` freelancers, each with one proven email channel and one subscription that
    matches every generated gig (remote, ¥4,500/h or more, PMO). Written straight to
    Postgres, as the web app stores them once an address is confirmed: these scenarios are
    about the pipeline, and the web app is not part of the fleet."""
    ids: list[str] = []
    conn = await asyncpg.connect(db_dsn)
    try:
        for n in range(count):
            async with conn.transaction():
                fid = await conn.fetchval(
                    "INSERT INTO freelancers (display_name) VALUES ($1) RETURNING id",
                    f"フリーランス{n}",
                )
                await conn.execute(
                    "INSERT INTO channels (freelancer_id, kind, target, verified_at) "
                    "VALUES ($1, 'email', $2, now())",
                    fid,
                    f"f{n}.{tag}@example.jp",
                )
                await conn.execute(
                    "INSERT INTO subscriptions (freelancer_id, name, remote_modes, "
                    "min_rate_jpy_h, domains) VALUES ($1, 'PMO副業', '{remote}', 4500, '{pmo}')",
                    fid,
                )
            ids.append(str(fid))
    finally:
        await conn.close()
    return ids


# ------------------------------------------------------------------ load


def make_gig(tag: str, i: int, *, matching: bool) -> dict[str, str]:
    """A remote PMO gig, 週2日; at 時給5,000円 every subscription of ``create_audience``
    matches it, at 時給3,000円 none does (below the ¥4,500 floor)."""
    return {
        "external_id": f"{tag}-{i:06d}",  # LoadGenerator.external_id
        "title": f"PMO支援 #{i}（フルリモート・週2日）",
        "url": f"https://jobs.example.jp/{tag}/{i}",
        "category": "PMO",
        "remote": "フルリモート",
        "rate": "時給5,000円" if matching else "時給3,000円",
        "days_per_week": "週2日",
    }


@dataclass
class LoadStats:
    match_every: int = 1
    offered: int = 0
    accepted: set[str] = field(default_factory=set)
    created: int = 0
    duplicate: int = 0
    rejected: int = 0
    failed_requests: int = 0
    reposted_gigs: int = 0
    started: float = 0.0
    stream_seconds: float = 0.0
    all_accepted_after: float = 0.0
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def matching(self) -> set[str]:
        """Accepted gigs that every subscription matches."""
        return {e for e in self.accepted if int(e.rsplit("-", 1)[1]) % self.match_every == 0}

    @property
    def rate(self) -> float:
        """Gigs accepted per second of the stream (first answers and re-posts alike)."""
        return len(self.accepted) / self.all_accepted_after if self.all_accepted_after else 0.0


class LoadGenerator:
    """Posts ``rate`` gigs a second for ``seconds`` in batches of ``batch_size``, at most
    ``max_in_flight`` requests at once; one gig in ``match_every`` matches the audience's
    subscriptions, the others match none (the notifier's mail throughput, not ingest or the
    matcher, limits how many alerts a scenario can afford). Gigs of a failed request are
    posted again (same external ids) until ingest accepts them or ``retry_for`` seconds
    pass."""

    def __init__(
        self,
        ingest_url: str,
        api_key: str,
        *,
        tag: str,
        rate: float,
        seconds: float,
        match_every: int = 1,
        batch_size: int = 25,
        max_in_flight: int = 6,
        retry_for: float = 90.0,
    ) -> None:
        self.url = ingest_url + "/v1/gigs/batch"
        self.headers = {"X-API-Key": api_key}
        self.tag = tag
        self.rate = rate
        self.seconds = seconds
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.retry_for = retry_for
        self.match_every = match_every
        self.stats = LoadStats(match_every=match_every)
        self._failed: list[list[int]] = []

    @property
    def total(self) -> int:
        return int(self.rate * self.seconds)

    async def _post(self, client: httpx.AsyncClient, batch: list[int]) -> None:
        body = {"gigs": [make_gig(self.tag, i, matching=i % self.match_every == 0) for i in batch]}
        try:
            r = await client.post(self.url, json=body, headers=self.headers)
        except httpx.HTTPError as exc:
            self.stats.failed_requests += 1
            self.stats.errors[type(exc).__name__] += 1
            self._failed.append(batch)
            return
        if r.status_code != 202:
            self.stats.failed_requests += 1
            self.stats.errors[f"HTTP {r.status_code}"] += 1
            if r.status_code < 500 and r.status_code != 429:
                raise AssertionError(f"ingest answered {r.status_code}: {r.text[:500]}")
            self._failed.append(batch)
            return
        for result in r.json()["results"]:
            status = result["status"]
            if status in ("created", "duplicate"):
                self.stats.accepted.add(result["external_id"])
                self.stats.created += status == "created"
                self.stats.duplicate += status == "duplicate"
            else:
                self.stats.rejected += 1
                raise AssertionError(f"ingest did not accept a valid gig: {result}")

    def external_id(self, i: int) -> str:
        return f"{self.tag}-{i:06d}"

    async def warm_up(self) -> None:
        """Post the stream's first gig (a matching one) alone, before the stream."""
        async with httpx.AsyncClient(timeout=15.0) as client:
            await self._post(client, [0])
        if self._failed:
            raise AssertionError(f"warm-up gig not accepted: {dict(self.stats.errors)}")

    async def run(self) -> LoadStats:
        ids = [i for i in range(self.total) if self.external_id(i) not in self.stats.accepted]
        batches = [ids[i : i + self.batch_size] for i in range(0, len(ids), self.batch_size)]
        interval = self.batch_size / self.rate
        limit = asyncio.Semaphore(self.max_in_flight)
        self.stats.started = time.monotonic()
        start = self.stats.started

        async def one(batch: list[int]) -> None:
            try:
                await self._post(client, batch)
            finally:
                limit.release()

        limits = httpx.Limits(max_connections=self.max_in_flight + 2)
        async with httpx.AsyncClient(timeout=15.0, limits=limits) as client:
            async with asyncio.TaskGroup() as tasks:
                for k, batch in enumerate(batches):
                    delay = start + k * interval - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    await limit.acquire()
                    self.stats.offered += len(batch)
                    tasks.create_task(one(batch))
            self.stats.stream_seconds = time.monotonic() - start
            deadline = time.monotonic() + self.retry_for
            while self._failed and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                todo, self._failed = self._failed, []
                self.stats.reposted_gigs += sum(map(len, todo))
                async with asyncio.TaskGroup() as tasks:
                    for batch in todo:
                        await limit.acquire()
                        tasks.create_task(one(batch))
        self.stats.all_accepted_after = time.monotonic() - start
        if self._failed:
            raise AssertionError(
                f"{sum(map(len, self._failed))} gigs never accepted: {dict(self.stats.errors)}"
            )
        return self.stats


# ------------------------------------------------------------------ settle and verify


@dataclass
class Report:
    fault: str
    gigs_in: int = 0
    rate: float = 0.0
    alerts_expected: int = 0
    alerts: int = 0
    deliveries: int = 0
    mails: int = 0
    duplicates: int = 0
    lost: int = 0
    posted_events: int = 0
    posted_duplicates: int = 0
    stuck_sending: int = 0
    dead: int = 0
    seconds: float = 0.0
    note: str = ""
    known_bug: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.problems:
            return "ok"
        return ("known bug: " if self.known_bug else "FAILED: ") + "; ".join(self.problems)


async def pipeline_counts(db_dsn: str) -> tuple[int, Counter[str]]:
    conn = await asyncpg.connect(db_dsn)
    try:
        alerts: int = await conn.fetchval("SELECT count(*) FROM alerts")
        rows = await conn.fetch("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
    finally:
        await conn.close()
    return alerts, Counter({r["status"]: r["n"] for r in rows})


async def settle(
    db_dsn: str, expected_alerts: int, deliveries_per_alert: int, timeout: float
) -> bool:
    """Wait until every expected alert exists and every delivery is done (sent or dead)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            alerts, statuses = await pipeline_counts(db_dsn)
        except (OSError, asyncpg.PostgresError):
            alerts, statuses = -1, Counter()
        busy = statuses["pending"] + statuses["failed"] + statuses["sending"]
        done = statuses["sent"] + statuses["dead"]
        if (
            alerts == expected_alerts
            and done == expected_alerts * deliveries_per_alert
            and busy == 0
        ):
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.5)


async def settle_and_verify(
    report: Report,
    *,
    bootstrap: str,
    db_dsn: str,
    topics: Topics,
    sink: MailSink,
    load: LoadStats,
    freelancers: int,
    started: float,
    duplicates_allowed: Iterable[str] = (),
    timeout: float = 120.0,
) -> Report:
    """Fill ``report`` with what went in and what came out, and list every broken
    guarantee in ``report.problems``."""
    matching = load.matching
    expected = len(matching) * freelancers
    report.gigs_in = len(load.accepted)
    report.rate = load.rate
    report.alerts_expected = expected
    settled = await settle(db_dsn, expected, 1, timeout)
    await asyncio.sleep(1.0)  # a late duplicate would arrive now
    report.seconds = time.monotonic() - started
    if not settled:
        report.problems.append(f"did not settle within {timeout:.0f} s")

    conn = await asyncpg.connect(db_dsn)
    try:
        gigs = await conn.fetch("SELECT id, external_id FROM gigs")
        alerts_per_gig = await conn.fetch(
            "SELECT g.external_id, count(*) AS n, count(DISTINCT a.freelancer_id) AS who "
            "FROM alerts a JOIN gigs g ON g.id = a.gig_id GROUP BY g.external_id"
        )
        alerts = await conn.fetchval("SELECT count(*) FROM alerts")
        deliveries = await conn.fetch("SELECT id, status FROM deliveries")
        outbox_left = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    finally:
        await conn.close()

    # every accepted gig stored once
    stored_ids = {str(r["external_id"]) for r in gigs}
    if len(gigs) != len(load.accepted) or stored_ids != load.accepted:
        report.problems.append(
            f"gigs stored {len(gigs)} (distinct external ids {len(stored_ids)}) != "
            f"accepted {len(load.accepted)}; missing {len(load.accepted - stored_ids)}, "
            f"unexpected {len(stored_ids - load.accepted)}"
        )
    if outbox_left:
        report.problems.append(f"{outbox_left} outbox rows never published")

    # ... and published (at least once)
    records = await read_topic(
        topics.gigs_posted, expect=len(gigs), timeout=30.0, settle=1.0, bootstrap=bootstrap
    )
    published = Counter(str(json.loads(r.value)["gig_id"]) for r in records)
    report.posted_events = len(records)
    report.posted_duplicates = len(records) - len(published)
    gig_ids = {str(r["id"]) for r in gigs}
    if set(published) != gig_ids:
        report.problems.append(
            f"gigs.posted has {len(published)} distinct gigs, Postgres {len(gig_ids)}: "
            f"unpublished {len(gig_ids - set(published))}, "
            f"unknown {len(set(published) - gig_ids)}"
        )

    # every expected alert exists once (one per freelancer), and no other
    report.alerts = alerts
    per_gig = {str(r["external_id"]): (r["n"], r["who"]) for r in alerts_per_gig}
    short = [e for e in matching if per_gig.get(e) != (freelancers, freelancers)]
    unexpected = set(per_gig) - matching
    if alerts != expected or short or unexpected:
        report.problems.append(
            f"alerts {alerts}, expected {expected}: {len(short)} matching gigs without "
            f"exactly one alert per freelancer, {len(unexpected)} other gigs with alerts"
        )

    # every delivery received by the SMTP server exactly once
    statuses = Counter(r["status"] for r in deliveries)
    delivery_ids = {str(r["id"]) for r in deliveries}
    report.deliveries = len(deliveries)
    received = sink.received()
    report.mails = sum(received.values())
    report.lost = len(delivery_ids - set(received))
    dupes = {d: n - 1 for d, n in received.items() if n > 1}
    report.duplicates = sum(dupes.values())
    report.stuck_sending = statuses["sending"]
    report.dead = statuses["dead"]
    if len(deliveries) != expected:
        report.problems.append(f"deliveries {len(deliveries)} != expected {expected}")
    if report.lost:
        report.problems.append(f"{report.lost} deliveries never reached the SMTP server")
    unknown = set(received) - delivery_ids
    if unknown or sink.without_id:
        report.problems.append(
            f"{len(unknown)} mails for unknown deliveries, {sink.without_id} without an id"
        )
    allowed = set(duplicates_allowed)
    unexplained = {d: n for d, n in dupes.items() if d not in allowed or n > 1}
    if unexplained:
        report.problems.append(
            f"{sum(unexplained.values())} duplicate mails outside the documented window"
        )
        log.info("duplicated deliveries: %s", sorted(unexplained))
    if report.stuck_sending or report.dead or statuses["pending"] or statuses["failed"]:
        report.problems.append(f"deliveries not all sent: {dict(statuses)}")
    return report


# ------------------------------------------------------------------ Kafka


async def group_assignments(
    bootstrap: str, group: str, topic_prefix: str
) -> dict[str, list[tuple[str, int]]]:
    """Members of ``group`` (the services prefix it with the topic prefix) subscribed to
    this test's topics, and their partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([topic_prefix + group])
    finally:
        await admin.close()
    out: dict[str, list[tuple[str, int]]] = {}
    for response in responses:
        for g in response.groups:
            members = g[5]
            for member_id, _client, _host, metadata, assignment in members:
                # Both are empty while the group rebalances.
                subscribed: list[str] = []
                if metadata:
                    subscribed = ConsumerProtocolMemberMetadata.decode(metadata).subscription
                parts: list[tuple[str, int]] = []
                if assignment:
                    decoded = ConsumerProtocolMemberAssignment.decode(assignment)
                    parts = [(tp.topic, tp.partition) for tp in decoded.partitions()]
                topics = subscribed + [t for t, _ in parts]
                if any(t.startswith(topic_prefix) for t in topics):
                    out[str(member_id)] = parts
    return out


# ------------------------------------------------------------------ infrastructure faults


async def _run_infra(*args: str, log: Path, env: dict[str, str] | None = None) -> None:
    """``deploy/local/infra.sh ARGS`` in its own session (the broker or postmaster it
    starts must not share the test's process group), output appended to ``log``."""
    fd = open_log(log, f"--- infra.sh {' '.join(args)} at {time.time():.3f}\n")
    try:
        proc = await asyncio.create_subprocess_exec(
            str(INFRA),
            *args,
            stdin=subprocess.DEVNULL,
            stdout=fd,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    finally:
        os.close(fd)
    code = await proc.wait()
    if code != 0:
        raise RuntimeError(f"infra.sh {' '.join(args)} exited {code}:\n{tail(log)}")


def _alive(pid: int) -> bool:
    """Running and not a zombie (PID 1 here reaps orphans only every second or so)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class PrivateKafka:
    """The fault suite's own Kafka broker, started by deploy/local/infra.sh (the same jars
    and configuration as the shared one) on free ports, with its state in a temporary
    directory. Why not the shared broker on 19092:

    * after an unclean stop a broker recovers every partition it holds, and the shared one
      holds every topic every test ever created (13,000 partitions here took 5.5 minutes
      to come back, and later ran out of heap), during which every other test on the
      machine has no Kafka;
    * consumer group ids are not prefixed (``matcher``, ``notifier``, ``ingest``): on the
      shared broker every service process of every test joins the same groups, and each
      start or stop rebalances all of them, which muddies timings and partition splits.
    """

    def __init__(self, state: Path) -> None:
        self.state = state
        self.port = free_port()
        self.env = {
            "GIGALERT_STATE_DIR": str(state),
            "GIGALERT_LOCAL_KAFKA_PORT": str(self.port),
            "GIGALERT_LOCAL_KAFKA_CONTROLLER_PORT": str(free_port()),
        }
        self.log = state / "infra.log"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pidfile(self) -> Path:
        return self.state / "kafka" / "kafka.pid"

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    async def start(self) -> float:
        """Start the broker (idempotent) and wait until it answers; return the seconds."""
        started = time.monotonic()
        self.state.mkdir(parents=True, exist_ok=True)
        await _run_infra("up", "kafka", log=self.log, env=self.env)
        return time.monotonic() - started

    async def kill(self) -> None:
        """SIGKILL the broker and wait until it is gone."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while True:  # polling /proc: nothing to wait on
            if not _alive(pid) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        # infra.sh tests liveness with `kill -0`, which a not yet reaped zombie passes.
        self.pidfile.unlink(missing_ok=True)

    async def create_topics(self, topics: Topics) -> None:
        await create_topics(KafkaSettings(bootstrap_servers=self.bootstrap, partitions=6), topics)


class PrivatePostgres:
    """The fault suite's own PostgreSQL cluster, started by deploy/local/infra.sh (the same
    packages and configuration as the shared one) on a free port. The restart scenario
    stops it: on the shared cluster on 15432 that cut every other test running on the
    machine at the time.

    Its state is in a directory of its own under the system's temporary directory, not
    under pytest's: run as root, infra.sh runs Postgres as the ``postgres`` user and opens
    the path to the data folder to it (``chmod o+x`` on each parent), but every pytest
    session that starts meanwhile closes ``/tmp/pytest-of-root`` to its owner again, after
    which ``pg_ctl`` could neither stop nor restart the cluster."""

    def __init__(self) -> None:
        self.state = Path(tempfile.mkdtemp(prefix="gigalert-faults-pg-"))
        self.port = free_port()
        self.env = {"GIGALERT_STATE_DIR": str(self.state), "GIGALERT_LOCAL_PG_PORT": str(self.port)}
        self.log = self.state / "infra.log"

    def dsn(self, database: str = "gigalert") -> str:
        return f"postgresql://gigalert:gigalert@127.0.0.1:{self.port}/{database}"

    async def start(self) -> None:
        """Initialise (first time) and start the cluster (idempotent); wait until it answers."""
        await _run_infra("up", "postgres", log=self.log, env=self.env)

    async def restart(self) -> float:
        """Stop the cluster (fast shutdown: sessions are cut) and start it again; return
        the seconds it was away."""
        started = time.monotonic()
        try:
            await _run_infra("down", "postgres", log=self.log, env=self.env)
        finally:
            await self.start()
        return time.monotonic() - started

    async def remove(self) -> None:
        """Stop the cluster and delete its files."""
        try:
            await _run_infra("down", "postgres", log=self.log, env=self.env)
        finally:
            shutil.rmtree(self.state, ignore_errors=True)


def unique_tag() -> str:
    return uuid.uuid4().hex[:10]
