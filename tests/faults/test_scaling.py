"""Scaling by consumer group, proven without Docker (issue 6, item 5).

One running system is scaled out from 1 matcher + 1 notifier to 3 matchers + 2 notifiers
(separate processes, each on its own port) over 6 partitions: the partitions are split
among the processes, the same burst of gigs is timed before and after (a figure for
docs/reliability.md, not an assertion), and a third burst loses one matcher and one
notifier to SIGKILL in the middle: their partitions move to the survivors, the killed
notifier's claimed deliveries are sent by the other after the lease, and every alert of
the three bursts is delivered exactly once (but for the documented at-least-once window of
the killed notifier).
"""

from __future__ import annotations

import asyncio
import signal
import time

import asyncpg
import pytest

from gigalert_shared.topics import Topics
from tests.faults.conftest import ReliabilityTable
from tests.faults.harness import (
    Fleet,
    LoadGenerator,
    LoadStats,
    Report,
    create_audience,
    create_platform_key,
    group_assignments,
    pipeline_counts,
    settle_and_verify,
    unique_tag,
)
from tests.support.smtp_sink import MailSink

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.smtp, pytest.mark.timeout(300)]

FREELANCERS = 3
BURST = 600  # gigs, posted as fast as ingest takes them
MATCH_EVERY = 4  # 150 matching gigs → 450 alerts and mails per burst


def merged(*stats: LoadStats) -> LoadStats:
    out = LoadStats(match_every=stats[0].match_every)
    for s in stats:
        out.accepted |= s.accepted
        out.all_accepted_after += s.all_accepted_after
    return out


class Bursts:
    """Bursts of gigs into one system, each with its own external ids."""

    def __init__(self, ingest_url: str, key: str, db_dsn: str) -> None:
        self.ingest_url = ingest_url
        self.key = key
        self.db_dsn = db_dsn
        self.done: list[LoadStats] = []

    @property
    def alerts(self) -> int:
        return sum(len(s.matching) for s in self.done) * FREELANCERS

    async def run(self, gigs: int = BURST, timeout: float = 120.0) -> tuple[float, float]:
        """Post ``gigs`` gigs at once; return the seconds until every alert of the burst
        existed and until every delivery was sent (0.0: not within ``timeout``)."""
        load = LoadGenerator(
            self.ingest_url,
            self.key,
            tag=unique_tag(),
            rate=2000,
            seconds=gigs / 2000,
            match_every=MATCH_EVERY,
            batch_size=100,
            max_in_flight=4,
        )
        started = time.monotonic()
        self.done.append(await load.run())
        expected = self.alerts
        alerts_at = sent_at = 0.0
        while time.monotonic() < started + timeout:
            alerts, statuses = await pipeline_counts(self.db_dsn)
            now = time.monotonic() - started
            if not alerts_at and alerts >= expected:
                alerts_at = now
            if statuses["sent"] >= expected:
                sent_at = now
                break
            await asyncio.sleep(0.2)
        return alerts_at, sent_at

    def figure(self, alerts_at: float, sent_at: float) -> str:
        last = self.done[-1]
        mails = len(last.matching) * FREELANCERS
        if not (alerts_at and sent_at):
            return f"{len(last.accepted)} gigs: did not finish"
        return (
            f"{len(last.accepted)} gigs → {mails} alerts and mails: every alert after "
            f"{alerts_at:.1f} s ({len(last.accepted) / alerts_at:.0f} gigs/s), every mail "
            f"after {sent_at:.1f} s ({mails / sent_at:.0f} mails/s)"
        )


async def wait_for_split(
    bootstrap: str, group: str, prefix: str, topic: str, members: int, timeout: float = 60.0
) -> dict[str, list[int]]:
    """Wait until exactly ``members`` members of ``group`` hold partitions of ``topic``,
    every one of its 6 partitions assigned once; return member → partitions."""
    deadline = time.monotonic() + timeout
    split: dict[str, list[int]] = {}
    while time.monotonic() < deadline:
        assignments = await group_assignments(bootstrap, group, prefix)
        split = {
            m: sorted(p for t, p in parts if t == topic)
            for m, parts in assignments.items()
            if any(t == topic for t, _ in parts)
        }
        owned = sorted(p for parts in split.values() for p in parts)
        if len(split) == members and owned == list(range(6)):
            return split
        await asyncio.sleep(0.5)
    raise AssertionError(f"{group}: not {members} members splitting {topic}: {split}")


def describe(split: dict[str, list[int]]) -> str:
    return " / ".join("{" + ",".join(map(str, p)) + "}" for p in sorted(split.values()))


async def sending_now(db_dsn: str) -> set[str]:
    conn = await asyncpg.connect(db_dsn)
    try:
        rows = await conn.fetch("SELECT id FROM deliveries WHERE status = 'sending'")
    finally:
        await conn.close()
    return {str(r["id"]) for r in rows}


async def test_scale_out_split_partitions_and_survive_kills(
    fleet: Fleet,
    mail_sink: MailSink,
    db_dsn: str,
    topics: Topics,
    reliability: ReliabilityTable,
) -> None:
    reliability.describe(
        f"Scaling: bursts of {BURST} gigs posted as fast as ingest takes them (batches of "
        f"100), one in {MATCH_EVERY} matching each of {FREELANCERS} freelancers; each timed "
        "burst follows a 40-gig warm-up burst."
    )
    kafka = fleet.kafka.bootstrap
    ingest, _, _ = fleet.add("ingest"), fleet.add("matcher"), fleet.add("notifier")
    await fleet.start()
    tag = unique_tag()
    await create_audience(db_dsn, FREELANCERS, tag)
    bursts = Bursts(ingest.url, await create_platform_key(db_dsn, f"board-{tag}"), db_dsn)
    started = time.monotonic()

    # 1 matcher + 1 notifier, warmed up by a small burst (Apprise loads its plugins on
    # the first send), then timed.
    await bursts.run(40)
    timing = await bursts.run()
    reliability.add_scaling("burst, 1 matcher + 1 notifier", bursts.figure(*timing))

    # Scale out the running system to 3 matchers + 2 notifiers.
    await fleet.start([fleet.add("matcher"), fleet.add("matcher"), fleet.add("notifier")])
    matchers = await wait_for_split(kafka, "matcher", topics.prefix, topics.gigs_posted, 3)
    notifiers = await wait_for_split(kafka, "notifier", topics.prefix, topics.alerts_matched, 2)
    reliability.add_scaling("gigs.posted partitions per matcher process", describe(matchers))
    reliability.add_scaling("alerts.matched partitions per notifier process", describe(notifiers))
    await bursts.run(40)
    timing = await bursts.run()
    reliability.add_scaling("burst, 3 matchers + 2 notifiers", bursts.figure(*timing))

    # A third burst; one matcher and one notifier are SIGKILLed in the middle of it.
    before = bursts.alerts
    third = asyncio.create_task(bursts.run())
    window: set[str] = set()
    try:
        await mail_sink.wait_for(before + 60)
        await asyncio.gather(
            fleet.of("matcher")[2].stop(signal.SIGKILL),
            fleet.of("notifier")[1].stop(signal.SIGKILL),
        )
        # A superset of the killed notifier's window (the survivor's claims are in it too).
        window = await sending_now(db_dsn)
    finally:
        await third
    report = await settle_and_verify(
        Report(
            fault="scale-out to 3 matchers + 2 notifiers; one of each SIGKILLed mid-burst",
            note=f"{len(bursts.done)} bursts; {len(window)} deliveries `sending` at the kill",
        ),
        bootstrap=kafka,
        db_dsn=db_dsn,
        topics=topics,
        sink=mail_sink,
        load=merged(*bursts.done),
        freelancers=FREELANCERS,
        started=started,
        duplicates_allowed=window,
    )
    reliability.add(report)
    assert not report.problems, report.verdict
    # The survivors own every partition now.
    await wait_for_split(kafka, "matcher", topics.prefix, topics.gigs_posted, 2)
    await wait_for_split(kafka, "notifier", topics.prefix, topics.alerts_matched, 1)
