"""Reading topics from the start in tests, without a consumer group."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.conftest import KAFKA


async def read_topic(
    topic: str,
    *,
    expect: int,
    timeout: float = 20.0,
    settle: float = 0.5,
    bootstrap: str = KAFKA,
) -> list[Any]:
    """Every record of `topic` from the start (no consumer group), waiting until at least
    `expect` arrived (then `settle` more seconds, so extra records — duplicates — are seen
    too); in partition and offset order."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        settle_until: float | None = None
        while True:
            now = time.monotonic()
            if settle_until is None and len(records) >= expect:
                settle_until = now + settle
            if (settle_until is not None and now >= settle_until) or now >= deadline:
                break
            batch = await consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                records.extend(recs)
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: (r.partition, r.offset))


Headers = Mapping[str, str | bytes]


async def produce(topic: str, messages: Sequence[tuple[bytes | None, bytes, Headers]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all")
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(
                topic,
                value,
                key=key,
                headers=[
                    (k, v if isinstance(v, bytes) else v.encode()) for k, v in headers.items()
                ],
            )
    finally:
        await producer.stop()


async def wait_for(predicate: Any, timeout: float = 20.0, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await predicate()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(interval)
