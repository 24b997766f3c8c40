"""Durable publishing of outbox rows.

The relay talks to aiokafka's producer directly (acks=all, idempotent): it publishes
thousands of rows a second and needs none of FastStream's per-message middleware.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from gigalert_shared.outbox import OutboxMessage
from gigalert_shared.settings import KafkaSettings
from gigalert_shared.topics import Topics


class KafkaOutboxPublisher:
    """Publishes outbox rows (stored with base topic names) under the configured prefix."""

    def __init__(self, settings: KafkaSettings, topics: Topics, client_id: str) -> None:
        self._topics = topics
        self._producer = AIOKafkaProducer(
            bootstrap_servers=settings.bootstrap_servers,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_batch_size=256 * 1024,
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish_batch(self, messages: Sequence[OutboxMessage]) -> None:
        # Enqueue in order (keeps per-key order), then wait for every ack; any failure
        # fails the whole batch, which stays in the outbox and is published again.
        futures = [
            await self._producer.send(
                self._topics.name(m.topic),
                m.payload,
                key=m.key,
                headers=[
                    ("content-type", b"application/json"),
                    *((k, v.encode()) for k, v in m.headers.items()),
                ],
            )
            for m in messages
        ]
        await asyncio.gather(*futures)
