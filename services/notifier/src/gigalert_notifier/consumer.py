"""Consumes alerts.matched (group ``notifier``) in batches: deliveries are made durable in
Postgres, then the offsets are committed. Undecodable events go to alerts.matched.dlq."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import asyncpg
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from gigalert_notifier.deliveries import create_deliveries
from gigalert_notifier.metrics import DELIVERIES_CREATED
from gigalert_notifier.schedule import Clock
from gigalert_shared.dead_letters import publish_dead_letter
from gigalert_shared.events import AlertMatched
from gigalert_shared.kafka_records import UNTOUCHED, records_of
from gigalert_shared.topics import Topics

log = logging.getLogger(__name__)

GROUP_ID = "notifier"


class AlertConsumer:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        topics: Topics,
        clock: Clock,
        on_created: Any = None,
    ) -> None:
        self._pool = pool
        self._broker = broker
        self._topics = topics
        self._clock = clock
        self._on_created = on_created

    async def handle_records(self, records: Sequence[Any]) -> None:
        alerts: list[AlertMatched] = []
        for record in records:
            try:
                alerts.append(AlertMatched.model_validate_json(record.value or b""))
            except ValidationError as exc:
                await self._dead_letter(record, f"undecodable alert: {exc.error_count()} errors")
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                created = await create_deliveries(conn, alerts, self._clock.now())
        except Exception:
            log.exception("alert batch failed; it will be redelivered")
            await asyncio.sleep(1.0)
            raise
        DELIVERIES_CREATED.inc(created)
        if created and self._on_created is not None:
            self._on_created()

    async def _dead_letter(self, record: Any, reason: str) -> None:
        log.error("alert dead-lettered", extra={"reason": reason, "offset": record.offset})
        await publish_dead_letter(self._broker, self._topics.alerts_matched_dlq, record, reason)


def register_alert_consumer(broker: KafkaBroker, consumer: AlertConsumer, topics: Topics) -> None:
    @broker.subscriber(
        topics.alerts_matched,
        group_id=topics.name(GROUP_ID),  # the topic prefix scopes the group too
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=500,
        **UNTOUCHED,
    )
    async def on_alerts(msg: KafkaMessage) -> None:
        records = records_of(msg.raw_message)
        await consumer.handle_records(records)
