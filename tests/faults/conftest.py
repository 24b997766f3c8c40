"""Fixtures of the fault suite: the suite's own Kafka broker and PostgreSQL cluster, each
test's topics and database on them, each test's own SMTP sink and fleet of service processes
(their logs attached to a failing test's report), and the session's reliability table,
written to docs/reliability.md at the end of a run of the whole directory by `make reliability`
(never by `make test`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from gigalert_shared.migrate import migrate
from gigalert_shared.topics import Topics
from tests.conftest import ROOT, drop_database
from tests.faults.harness import Fleet, PrivateKafka, PrivatePostgres, Report
from tests.support.fleet import tail
from tests.support.machine import machine
from tests.support.smtp_sink import MailSink

DOC = ROOT / "docs" / "reliability.md"
# The suite never rewrites tracked files: the report is written only when asked for
# (`make reliability` sets this), and printed in the terminal summary otherwise.
WRITE_DOC = os.environ.get("GIGALERT_WRITE_RELIABILITY") == "1"
FLEET_KEY = pytest.StashKey[Fleet]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing scenario carries the tail of every service log it started."""
    report = yield
    fleet = item.stash.get(FLEET_KEY, None)
    if fleet is not None and report.failed and report.when in ("setup", "call"):
        for log in fleet.logs():
            report.sections.append((f"log {log.name} ({log})", tail(log, 80)))
    return report


@pytest.fixture
async def mail_sink() -> AsyncIterator[MailSink]:
    sink = MailSink()
    await sink.start()
    try:
        yield sink
    finally:
        await sink.stop()


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateKafka]:
    """The fault suite's own broker (see PrivateKafka), started once, killed at the end."""
    broker = PrivateKafka(tmp_path_factory.mktemp("kafka"))
    asyncio.run(broker.start())
    yield broker
    asyncio.run(broker.kill())


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    """The fault suite's own cluster (see PrivatePostgres), stopped and removed at the end."""
    cluster = PrivatePostgres()
    try:
        asyncio.run(cluster.start())
        yield cluster
    finally:
        asyncio.run(cluster.remove())


@pytest.fixture(scope="session")
def template_db(postgres: PrivatePostgres) -> str:
    """A migrated database on the suite's cluster that each test's database is cloned from
    (overrides the shared cluster's template of tests/conftest.py)."""
    name = "gigalert_template"

    async def create() -> None:
        conn = await asyncpg.connect(postgres.dsn())
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        conn = await asyncpg.connect(postgres.dsn(name))
        try:
            await migrate(conn)
        finally:
            await conn.close()

    asyncio.run(create())
    return name


@pytest.fixture
async def db_dsn(postgres: PrivatePostgres, template_db: str) -> AsyncIterator[str]:
    """This test's own database on the suite's cluster, which runs again first if an
    earlier test left it down."""
    await postgres.start()
    name = f"gigalert_t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(postgres.dsn())
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    finally:
        await conn.close()
    yield postgres.dsn(name)
    await drop_database(name, admin_dsn=postgres.dsn())


@pytest.fixture
async def topics(kafka: PrivateKafka) -> Topics:
    """This test's own topics (unique prefix, 6 partitions) on the suite's broker, which
    runs again first if an earlier test left it down."""
    await kafka.start()
    t = Topics(prefix=f"t{uuid.uuid4().hex[:12]}.")
    await kafka.create_topics(t)
    return t


@pytest.fixture
async def fleet(
    request: pytest.FixtureRequest,
    kafka: PrivateKafka,
    postgres: PrivatePostgres,
    db_dsn: str,
    topics: Topics,
    mail_sink: MailSink,
    tmp_path: Path,
) -> AsyncIterator[Fleet]:
    """Service processes of this test (started by the test); all stopped at the end, then
    Postgres running again if the test stopped it."""
    f = Fleet(
        kafka=kafka,
        postgres=postgres,
        db_dsn=db_dsn,
        topics=topics,
        smtp_port=mail_sink.port,
        log_dir=tmp_path,
    )
    request.node.stash[FLEET_KEY] = f
    try:
        yield f
    finally:
        try:
            await f.close()
        finally:
            if f.touched_postgres:
                await postgres.start()


# ------------------------------------------------------------------ docs/reliability.md


class ReliabilityTable:
    """Rows measured in this session; written to docs/reliability.md at its end."""

    def __init__(self) -> None:
        self.faults: list[Report] = []
        self.scaling: list[tuple[str, str]] = []
        self.setup: list[str] = []
        self.expected = 0
        self.started = 0.0

    def add(self, report: Report) -> None:
        self.faults.append(report)

    def add_scaling(self, what: str, figure: str) -> None:
        self.scaling.append((what, figure))

    def describe(self, line: str) -> None:
        """A line about how the rows were measured (once per line)."""
        if line not in self.setup:
            self.setup.append(line)

    def render(self) -> str:
        lines = [
            "# Reliability: faults under load",
            "",
            "Measured by the fault suite (`tests/faults/`, part of `make test`); this file is "
            "rewritten by every run of it. Every scenario starts ingest, matcher and notifier "
            "as separate processes (`gigalert <service> serve`) on a fresh database, with an "
            "SMTP server of its own, streams gigs to ingest, applies one fault in the middle "
            "of the stream, waits until the pipeline is quiet, and compares what went in "
            "with what came out: every accepted gig stored once and published, every "
            "expected alert stored once, every delivery received by the SMTP server once "
            "(by its `X-Gigalert-Delivery-Id` header), nothing left `sending`, nothing "
            "`dead`.",
            "",
            *(f"- {line}" for line in self.setup),
            "- Kafka: a broker of the suite's own (deploy/local/infra.sh on free ports, "
            "state in a temporary directory), not the shared one on 19092: a broker "
            "recovers all its partitions after SIGKILL, and the shared broker holds every "
            "test's topics ever created (16,000 partitions here: minutes to come back, and "
            "it ran out of heap). Postgres: likewise a cluster of the "
            "suite's own (restarted for its scenario), so the restart cuts no other test.",
            f"- Command: `{command()}`",
            f"- Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
            f"{time.monotonic() - self.started:.0f} s from the first of these tests to the "
            "last",
            f"- Machine: {facts()}",
            "",
        ]
        if self.faults:
            lines += [
                "## Faults",
                "",
                "*gigs in*: gigs ingest answered 202 `created`/`duplicate` for (the gigs of a "
                "request that failed are posted again, same external ids); *gigs/s*: gigs "
                "in ÷ seconds until the last was accepted; *alerts expected*: matching gigs "
                "× freelancers (one email channel each, so as many deliveries); *mails "
                "sent*: mails the SMTP server took; *duplicates*: mails beyond the first "
                "per delivery; *lost*: deliveries the SMTP server never saw; *posted dup.*: "
                "repeated gig events on `gigs.posted` (at least once through Kafka; the "
                "consumers are idempotent); *seconds*: from the first gig until the "
                "pipeline was quiet.",
                "",
                HEADER,
                SEPARATOR,
                *(row(r) for r in self.faults),
                "",
                "A notifier killed with SIGKILL after the SMTP server took a mail but before "
                "it marked the delivery `sent` sends it again after the lease (README, "
                "Guarantees): for the SIGKILL rows duplicates are allowed, once each, for "
                "deliveries that were `sending` at the kill. Every other row must show "
                "exactly once.",
                "",
            ]
        bugs = sorted({r.known_bug for r in self.faults if r.known_bug})
        if bugs:
            lines += [
                "## Known bugs (scenarios marked xfail until fixed)",
                "",
                *(f"- {b}" for b in bugs),
                "",
            ]
        if self.scaling:
            lines += [
                "## Scaling by consumer group",
                "",
                "| what | measured |",
                "|---|---|",
                *(f"| {w} | {f} |" for w, f in self.scaling),
                "",
                "Figures, not assertions: on two cores the extra processes compete with "
                "Kafka, Postgres, the SMTP server and the load generator for the same CPUs.",
                "",
            ]
        return "\n".join(lines)


HEADER = (
    "| fault | gigs in | gigs/s | alerts expected | alerts | mails sent | duplicates | lost "
    "| posted dup. | stuck sending | dead | seconds | result | note |"
)
SEPARATOR = "|" + "---|" * 14


def row(r: Report) -> str:
    return (
        f"| {r.fault} | {r.gigs_in} | {r.rate:.0f} | {r.alerts_expected} | {r.alerts} "
        f"| {r.mails} | {r.duplicates} | {r.lost} | {r.posted_duplicates} "
        f"| {r.stuck_sending} | {r.dead} | {r.seconds:.0f} | {r.verdict} | {r.note} |"
    )


def command() -> str:
    return " ".join(["uv run pytest", *sys.argv[1:]])


def facts() -> str:
    m = machine()
    kafka = "?"
    pom = ROOT / "deploy" / "local" / "kafka-pom.xml"
    if found := re.search(r"<kafka.version>(.+?)</kafka.version>", pom.read_text()):
        kafka = found.group(1)
    pg = "?"
    with contextlib.suppress(OSError):
        out = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False)
        if found := re.search(r"\d+\.\d+", out.stdout):
            pg = found.group(0)
    return (
        f"{m.cpus} CPUs ({m.cpu_model}), {m.mem_gib:.0f} GiB RAM; {m.system} {m.kernel}; "
        f"Python {m.python}; Kafka {kafka} (KRaft, one node); PostgreSQL {pg}"
    )


TABLE = ReliabilityTable()
HERE = Path(__file__).parent


@pytest.hookimpl(trylast=True)  # after -k/-m deselection
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The table is complete only when every test file of this directory runs with every
    parameter of its tests; otherwise ``expected`` stays out of reach."""
    ours = [item for item in items if item.path.is_relative_to(HERE)]
    variants: dict[tuple[Path, str], int] = {}
    for item in ours:
        marker = item.get_closest_marker("parametrize")
        variants[(item.path, getattr(item, "originalname", item.name))] = (
            len(marker.args[1]) if marker else 1
        )
    every_file = {item.path for item in ours} == set(HERE.glob("test_*.py"))
    complete = every_file and len(ours) == sum(variants.values())
    TABLE.expected = len(ours) if complete else len(ours) + 1_000_000


@pytest.fixture(scope="session")
def reliability() -> Iterator[ReliabilityTable]:
    """The session's table. docs/reliability.md is rewritten from it at the end when every
    test of this directory added its row (a run of a few scenarios leaves it alone)."""
    TABLE.started = time.monotonic()
    yield TABLE
    if WRITE_DOC and TABLE.faults and len(TABLE.faults) >= TABLE.expected:
        DOC.write_text(TABLE.render() + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not (TABLE.faults or TABLE.scaling):
        return
    written = WRITE_DOC and TABLE.faults and len(TABLE.faults) >= TABLE.expected
    terminalreporter.section(
        "reliability" + (" (written to docs/reliability.md)" if written else " (partial run)")
    )
    if TABLE.faults:
        for line in (HEADER, SEPARATOR, *(row(r) for r in TABLE.faults)):
            terminalreporter.write_line(line)
    for what, figure in TABLE.scaling:
        terminalreporter.write_line(f"{what}: {figure}")
