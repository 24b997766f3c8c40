"""Faults under load (issue 7, item 1): bounce a process or a store in the middle of a
stream of gigs and compare what went in with what came out.

Each scenario: ingest, matcher and notifier as OS processes; FREELANCERS freelancers whose
subscriptions match one gig in MATCH_EVERY (one proven email channel each); RATE gigs/s for
STREAM_SECONDS; the fault FAULT_AT seconds into the stream (for faults that must catch
the notifier sending: once mail flows and a backlog waits); then wait until the pipeline
is quiet and check every guarantee of the README (``harness.settle_and_verify``). The
measured table goes to docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from gigalert_shared.topics import Topics
from tests.faults.conftest import ReliabilityTable
from tests.faults.harness import (
    Fleet,
    LoadGenerator,
    Report,
    create_audience,
    create_platform_key,
    settle_and_verify,
    unique_tag,
)
from tests.support.smtp_sink import MailSink

log = logging.getLogger(__name__)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.smtp, pytest.mark.timeout(240)]

FREELANCERS = 3
RATE = 300.0  # gigs a second ("a few hundred a second")
MATCH_EVERY = 10  # one gig in ten matches every freelancer's subscription
STREAM_SECONDS = 6.0
FAULT_AT = 2.5  # seconds into the stream
MAILS_BEFORE_FAULT = 30  # faults that need a busy notifier wait for this many mails ...
BACKLOG_BEFORE_FAULT = 150  # ... and this many deliveries waiting to be sent
DOWN_SECONDS = 2.0  # a killed process or broker stays down this long
SMTP_REFUSING_SECONDS = 5.0
SLOW_ANSWER_SECONDS = 0.3  # SMTP answers while a notifier stops after SIGTERM


@dataclass
class Scenario:
    fleet: Fleet
    sink: MailSink
    db_dsn: str
    tmp_path: Path
    note: str = ""
    duplicates_allowed: frozenset[str] = frozenset()
    problems: list[str] = field(default_factory=list)


Fault = Callable[[Scenario], Awaitable[None]]


async def sending_now(db_dsn: str) -> frozenset[str]:
    conn = await asyncpg.connect(db_dsn)
    try:
        rows = await conn.fetch("SELECT id FROM deliveries WHERE status = 'sending'")
    finally:
        await conn.close()
    return frozenset(str(r["id"]) for r in rows)


async def wait_for_backlog(db_dsn: str, deliveries: int, timeout: float = 30.0) -> None:
    conn = await asyncpg.connect(db_dsn)
    try:
        deadline = time.monotonic() + timeout
        while True:
            waiting = await conn.fetchval(
                "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
            )
            if waiting >= deliveries or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


def bounce(kind: str, sig: signal.Signals) -> Fault:
    async def apply(s: Scenario) -> None:
        service = s.fleet.of(kind)[0]
        slow = kind == "notifier" and sig is signal.SIGTERM
        if slow:
            # Slow SMTP answers while the notifier stops: its backlog cannot drain by
            # chance during the shutdown, so what the stop does with unfinished work shows.
            s.sink.answer_delay = SLOW_ANSWER_SECONDS
        try:
            took = await service.stop(sig)
        finally:
            s.sink.answer_delay = 0.0
        assert service.process is not None
        if sig is signal.SIGKILL:
            s.note = "killed"
            if kind == "notifier":
                # Any of these may have been accepted by the SMTP server just before the
                # kill: the documented at-least-once window (README, Guarantees).
                s.duplicates_allowed = await sending_now(s.db_dsn)
                s.note = f"{len(s.duplicates_allowed)} deliveries `sending` at the kill"
            await asyncio.sleep(DOWN_SECONDS)
        else:
            s.note = f"exited {took:.1f} s after SIGTERM (status {service.process.returncode})"
            if kind == "notifier":
                # A graceful stop finishes its sends and gives back what it claimed; a
                # delivery it leaves `sending` is sent again after the lease, twice if its
                # mail had gone out (the thread sending it outlives a cancelled send).
                left = await sending_now(s.db_dsn)
                s.note += (
                    f" (SMTP answering after {SLOW_ANSWER_SECONDS:.1f} s meanwhile), "
                    f"{len(left)} deliveries left `sending`"
                )
                if left:
                    s.problems.append(
                        f"the notifier stopped by SIGTERM left {len(left)} deliveries `sending` "
                        "(at risk of a second send after the lease)"
                    )
        down = time.monotonic()
        await service.start()
        await service.wait_ready()
        s.note += f"; up again {time.monotonic() - down:.0f} s later"

    return apply


async def kafka_sigkill(s: Scenario) -> None:
    kafka = s.fleet.kafka
    await kafka.kill()
    await asyncio.sleep(DOWN_SECONDS)
    took = await kafka.start()
    s.note = f"SIGKILL of the suite's broker, {DOWN_SECONDS:.0f} s down, restart took {took:.0f} s"


async def postgres_restart(s: Scenario) -> None:
    s.fleet.touched_postgres = True
    took = await s.fleet.postgres.restart()
    s.note = f"pg_ctl stop -m fast, then start: {took:.1f} s"


async def smtp_refusing(s: Scenario) -> None:
    await s.sink.refuse_for(SMTP_REFUSING_SECONDS)
    s.note = (
        f"451 to DATA for 1 s ({s.sink.tempfailed} mails), then connections refused "
        f"for {SMTP_REFUSING_SECONDS:.0f} s"
    )


FAULTS: dict[str, Fault] = {
    "ingest SIGTERM": bounce("ingest", signal.SIGTERM),
    "ingest SIGKILL": bounce("ingest", signal.SIGKILL),
    "matcher SIGTERM": bounce("matcher", signal.SIGTERM),
    "matcher SIGKILL": bounce("matcher", signal.SIGKILL),
    "notifier SIGTERM": bounce("notifier", signal.SIGTERM),
    "notifier SIGKILL": bounce("notifier", signal.SIGKILL),
    "Kafka broker SIGKILL + restart": kafka_sigkill,
    "Postgres restart": postgres_restart,
    "SMTP refusing": smtp_refusing,
}
# Faults that must hit the notifier in the middle of sending. Their scenario first sends
# one gig alone (the whole pipeline has delivered once), then waits for mail to flow and a
# backlog of deliveries to build before applying the fault.
NEEDS_BUSY_NOTIFIER = {"notifier SIGTERM", "notifier SIGKILL", "Postgres restart", "SMTP refusing"}
KNOWN_BUGS: dict[str, str] = {}


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(
            f,
            id=f.replace(" ", "-"),
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[f])] if f in KNOWN_BUGS else [],
        )
        for f in FAULTS
    ],
)
async def test_nothing_lost_nothing_twice(
    fault: str,
    fleet: Fleet,
    mail_sink: MailSink,
    db_dsn: str,
    topics: Topics,
    tmp_path: Path,
    reliability: ReliabilityTable,
) -> None:
    reliability.describe(
        f"Fault scenarios: {RATE:.0f} gigs/s offered for {STREAM_SECONDS:.0f} s in batches of "
        f"25; one gig in {MATCH_EVERY} matches each of {FREELANCERS} freelancers' saved "
        "searches (the notifier's mail rate, about 50 a second here, bounds how many alerts "
        "a scenario can afford); notifier retries after 1–3 s, lease 5 s."
    )
    tag = unique_tag()
    t0 = time.monotonic()
    ingest, _, _ = fleet.add("ingest"), fleet.add("matcher"), fleet.add("notifier")
    await fleet.start()
    key = await create_platform_key(db_dsn, f"board-{tag}")
    await create_audience(db_dsn, FREELANCERS, tag)
    log.info("%s: fleet ready in %.1f s", fault, time.monotonic() - t0)
    scenario = Scenario(fleet=fleet, sink=mail_sink, db_dsn=db_dsn, tmp_path=tmp_path)

    load = LoadGenerator(
        ingest.url, key, tag=tag, rate=RATE, seconds=STREAM_SECONDS, match_every=MATCH_EVERY
    )
    busy_notifier = fault in NEEDS_BUSY_NOTIFIER
    if busy_notifier:
        await load.warm_up()
        await mail_sink.wait_for(FREELANCERS)
    started = time.monotonic()
    stream = asyncio.create_task(load.run())
    try:
        await asyncio.sleep(FAULT_AT)
        if busy_notifier:
            await mail_sink.wait_for(FREELANCERS + MAILS_BEFORE_FAULT)
            await wait_for_backlog(db_dsn, BACKLOG_BEFORE_FAULT)
        when = time.monotonic() - started
        await FAULTS[fault](scenario)
    finally:
        stats = await stream
    report = await settle_and_verify(
        Report(
            fault=fault,
            note=f"at {when:.1f} s: {scenario.note}",
            known_bug=KNOWN_BUGS.get(fault, ""),
        ),
        bootstrap=fleet.kafka.bootstrap,
        db_dsn=db_dsn,
        topics=topics,
        sink=mail_sink,
        load=stats,
        freelancers=FREELANCERS,
        started=started,
        duplicates_allowed=scenario.duplicates_allowed,
    )
    log.info(
        "%s: offered %d gigs in %.1f s, accepted %d (%.0f/s), failed requests %d %s; "
        "settled after %.1f s; CPU %s",
        fault,
        stats.offered,
        stats.stream_seconds,
        len(stats.accepted),
        stats.rate,
        stats.failed_requests,
        dict(stats.errors),
        report.seconds,
        fleet.cpu(),
    )
    report.problems += scenario.problems
    reliability.add(report)
    assert not report.problems, report.verdict
