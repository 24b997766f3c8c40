"""Consumes gigs.posted and gigs.updated (group ``matcher``) in batches.

For each batch: catch the index up with Postgres, match every gig, write the alerts (unique
per freelancer and gig), publish their events with acks from all in-sync replicas, and only
then let the offsets be committed. A batch that fails is retried gig by gig; a gig
that keeps failing goes to ``gigs.posted.dlq`` with the reason and the original bytes, and
the partition moves on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from faststream.kafka import KafkaBroker
from pydantic import TypeAdapter

from gigalert_matcher.alerts import EncodedAlert, build_alerts, encode_alerts
from gigalert_matcher.index_sync import IndexSync
from gigalert_matcher.matching import GigFacts
from gigalert_matcher.metrics import ALERTS, DEAD_LETTERS, GIGS_MATCHED, MATCH_SECONDS
from gigalert_matcher.repository import insert_alerts
from gigalert_shared.events import (
    AlertMatched,
    AnyGigEvent,
    GigBody,
    GigPosted,
    GigUpdated,
    event_headers,
)
from gigalert_shared.kafka_consumer import (
    DeadLettering,
    DeadLetterTopic,
    json_values,
    subscribe_batches,
)
from gigalert_shared.outbox import OutboxMessage, Publisher
from gigalert_shared.topics import ALERTS_MATCHED, Topics

log = logging.getLogger(__name__)

GROUP_ID = "matcher"
_GIG_EVENT: TypeAdapter[GigPosted | GigUpdated] = TypeAdapter(AnyGigEvent)


decode = json_values(_GIG_EVENT.validate_json, "gig event")


class GigMatcher:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        sync: IndexSync,
        publisher: Publisher,
    ) -> None:
        self._pool = pool
        self._sync = sync
        self._publisher = publisher

    def match(self, gigs: Sequence[GigBody]) -> list[AlertMatched]:
        now = datetime.now(UTC)
        alerts: list[AlertMatched] = []
        for gig in gigs:
            start = time.perf_counter()
            facts = GigFacts.from_gig(gig)
            matched = self._sync.index.match(facts)
            MATCH_SECONDS.observe(time.perf_counter() - start)
            alerts.extend(build_alerts(gig, facts, matched, now))
        GIGS_MATCHED.inc(len(gigs))
        return alerts

    async def store(self, alerts: list[AlertMatched]) -> int:
        """Insert alerts (one per freelancer and gig; repeats are skipped) and publish every
        alert of the batch, new or not, waiting for the acks. Return how many were new.

        No outbox is needed here: the gig's offset is committed only after both finished, so
        a crash in between redelivers the gig, the insert changes nothing and the publish
        happens then. The price is that a redelivered gig publishes
        its alerts again; the notifier creates deliveries once per (alert, channel).

        Each alert is serialised once (:func:`encode_alerts`): its event for Kafka, its
        reasons for the row (:func:`.repository.insert_alerts`)."""
        unique = list({a.alert_id: a for a in alerts}.values())
        if not unique:
            return 0
        encoded = encode_alerts(unique)
        # Both must finish before the offsets are committed; neither depends on the other.
        new, _ = await asyncio.gather(
            self._insert(unique, encoded), self._publish(unique[0], encoded)
        )
        ALERTS.inc(new)
        return new

    async def _insert(self, alerts: list[AlertMatched], encoded: list[EncodedAlert]) -> int:
        async with self._pool.acquire() as conn:
            return await insert_alerts(conn, alerts, [e.reasons for e in encoded])

    async def _publish(self, first: AlertMatched, encoded: list[EncodedAlert]) -> None:
        headers = event_headers(first)  # the same for every alert
        await self._publisher.publish_batch(
            [
                OutboxMessage(ALERTS_MATCHED, e.payload, e.key, {**headers, "alert-id": e.alert_id})
                for e in encoded
            ]
        )

    async def process(self, gigs: Sequence[GigBody]) -> int:
        await self._sync.catch_up()
        return await self.store(self.match(gigs))


def register_gig_consumer(
    broker: KafkaBroker, matcher: GigMatcher, topics: Topics, *, max_attempts: int
) -> None:
    """Gigs that can't be decoded, or that fail ``max_attempts`` deliveries, go to
    gigs.posted.dlq; the others are matched batch by batch."""
    handle = DeadLettering(
        decode=decode,
        process=matcher.process,
        dead_letters=DeadLetterTopic(broker, topics.gigs_posted_dlq, on_dead=_count_dead),
        max_attempts=max_attempts,
    )
    subscribe_batches(
        broker,
        topics.gigs_posted,
        topics.gigs_updated,
        group_id=topics.name(GROUP_ID),  # the topic prefix scopes the group too
        handle=handle,
        retry_pause=0.5,
    )


def _count_dead(reason: str) -> None:
    DEAD_LETTERS.labels(reason=reason.split(":")[0][:40]).inc()
