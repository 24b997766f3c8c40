"""Consumes alerts.matched (group ``notifier``) in batches: deliveries are made durable in
Postgres, then the offsets are committed. Undecodable events go to alerts.matched.dlq."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import asyncpg
from faststream.kafka import KafkaBroker

from gigalert_notifier.deliveries import create_deliveries
from gigalert_notifier.metrics import DELIVERIES_CREATED
from gigalert_notifier.schedule import Clock
from gigalert_shared.events import AlertMatched
from gigalert_shared.kafka_consumer import (
    DeadLettering,
    DeadLetterTopic,
    json_values,
    subscribe_batches,
)
from gigalert_shared.topics import Topics

GROUP_ID = "notifier"


decode = json_values(AlertMatched.model_validate_json, "alert")


class AlertConsumer:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        topics: Topics,
        clock: Clock,
        on_created: Callable[[], None] | None = None,
    ) -> None:
        self._pool = pool
        self._clock = clock
        self._on_created = on_created
        # A decodable alert is retried (whole batch) until Postgres takes it.
        self.handle_records = DeadLettering(
            decode=decode,
            process=self.store,
            dead_letters=DeadLetterTopic(broker, topics.alerts_matched_dlq),
        )

    async def store(self, alerts: Sequence[AlertMatched]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            created = await create_deliveries(conn, alerts, self._clock.now())
        DELIVERIES_CREATED.inc(created)
        if created and self._on_created is not None:
            self._on_created()


def register_alert_consumer(broker: KafkaBroker, consumer: AlertConsumer, topics: Topics) -> None:
    subscribe_batches(
        broker,
        topics.alerts_matched,
        group_id=topics.name(GROUP_ID),  # the topic prefix scopes the group too
        handle=consumer.handle_records,
    )
