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
from typing import Any

import asyncpg
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from gigalert_matcher.alerts import EncodedAlert, build_alerts, encode_alerts
from gigalert_matcher.index_sync import IndexSync
from gigalert_matcher.matching import GigFacts
from gigalert_matcher.metrics import ALERTS, DEAD_LETTERS, GIGS_MATCHED, MATCH_SECONDS
from gigalert_matcher.repository import q
from gigalert_shared.dead_letters import publish_dead_letter
from gigalert_shared.events import (
    AlertMatched,
    AnyGigEvent,
    GigBody,
    event_headers,
)
from gigalert_shared.kafka_records import UNTOUCHED, records_of
from gigalert_shared.outbox import OutboxMessage, Publisher
from gigalert_shared.topics import ALERTS_MATCHED, Topics

log = logging.getLogger(__name__)

GROUP_ID = "matcher"
_GIG_EVENT: TypeAdapter[Any] = TypeAdapter(AnyGigEvent)
_STAGED = ["id", "freelancer_id", "gig_id", "subscription_ids", "reasons"]


class PoisonGig(Exception):
    """A gig that can never be processed (undecodable): dead-lettered at once."""


def decode(record: Any) -> GigBody:
    try:
        event: GigBody = _GIG_EVENT.validate_json(record.value or b"")
    except ValidationError as exc:
        raise PoisonGig(f"undecodable gig event: {exc.error_count()} errors") from exc
    return event


class GigMatcher:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        sync: IndexSync,
        publisher: Publisher,
        broker: KafkaBroker,
        topics: Topics,
        max_attempts: int,
    ) -> None:
        self._pool = pool
        self._sync = sync
        self._publisher = publisher
        self._broker = broker
        self._topics = topics
        self._max_attempts = max_attempts
        self._attempts: dict[tuple[str, int, int], int] = {}

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
        reasons for the row. The rows go in by binary ``COPY`` into a temporary table and
        one ``INSERT … SELECT … ON CONFLICT DO NOTHING``, in one transaction."""
        unique = list({a.alert_id: a for a in alerts}.values())
        if not unique:
            return 0
        encoded = encode_alerts(unique)
        # Both must finish before the offsets are committed; neither depends on the other.
        rows, _ = await asyncio.gather(
            self._insert(unique, encoded), self._publish(unique[0], encoded)
        )
        ALERTS.inc(len(rows))
        return len(rows)

    async def _insert(self, alerts: list[AlertMatched], encoded: list[EncodedAlert]) -> list[Any]:
        records = [
            (a.alert_id, a.freelancer_id, a.gig.gig_id, a.subscription_ids, e.reasons)
            for a, e in zip(alerts, encoded, strict=True)
        ]
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(q("alerts_staging"))
            await conn.copy_records_to_table("alerts_in", records=records, columns=_STAGED)
            return list(await conn.fetch(q("insert_staged_alerts")))

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

    async def handle_records(self, records: Sequence[Any]) -> None:
        gigs: list[GigBody] = []
        for record in records:
            try:
                gigs.append(decode(record))
            except PoisonGig as exc:
                await self.dead_letter(record, str(exc))
        try:
            await self.process(gigs)
            return
        except Exception:
            log.exception("batch failed; retrying gig by gig", extra={"gigs": len(gigs)})
        failed = False
        for record in records:
            key = (record.topic, record.partition, record.offset)
            try:
                await self.process([decode(record)])
                self._attempts.pop(key, None)
            except PoisonGig:
                continue  # already dead-lettered above
            except Exception as exc:
                attempts = self._attempts.get(key, 0) + 1
                self._attempts[key] = attempts
                if attempts >= self._max_attempts:
                    await self.dead_letter(record, f"failed {attempts} times: {exc!r}"[:1000])
                    self._attempts.pop(key, None)
                else:
                    failed = True
        if failed:
            await asyncio.sleep(0.5)
            raise RuntimeError("some gigs failed; the batch will be redelivered")

    async def dead_letter(self, record: Any, reason: str) -> None:
        DEAD_LETTERS.labels(reason=reason.split(":")[0][:40]).inc()
        log.error(
            "gig dead-lettered",
            extra={"reason": reason, "partition": record.partition, "offset": record.offset},
        )
        await publish_dead_letter(self._broker, self._topics.gigs_posted_dlq, record, reason)


def register_gig_consumer(broker: KafkaBroker, matcher: GigMatcher, topics: Topics) -> None:
    @broker.subscriber(
        topics.gigs_posted,
        topics.gigs_updated,
        group_id=topics.name(GROUP_ID),  # the topic prefix scopes the group too
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=500,
        **UNTOUCHED,
    )
    async def on_gigs(msg: KafkaMessage) -> None:
        records = records_of(msg.raw_message)
        await matcher.handle_records(records)
