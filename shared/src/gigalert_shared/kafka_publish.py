"""Durable publishing of outbox rows with FastStream's Kafka broker."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from gigalert_shared.outbox import OutboxMessage
from gigalert_shared.topics import Topics


class BrokerPublisher:
    """Publishes outbox rows (stored with base topic names) under the configured prefix."""

    def __init__(self, broker: KafkaBroker, topics: Topics) -> None:
        self._broker = broker
        self._topics = topics

    async def publish_batch(self, messages: Sequence[OutboxMessage]) -> None:
        # Enqueue in order (keeps per-key order), then wait for every ack; any failure
        # fails the whole batch, which stays in the outbox and is published again.
        futures = [
            await self._broker.publish(
                m.payload,
                topic=self._topics.name(m.topic),
                key=m.key,
                headers=m.headers,
                no_confirm=True,
            )
            for m in messages
        ]
        await asyncio.gather(*futures)
