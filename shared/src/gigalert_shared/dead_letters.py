"""Dead-letter messages: the reason, the original bytes and headers, and where they came from."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker

from gigalert_shared.kafka_records import Record, shareable_headers


def dead_letter_payload(record: Record, reason: str, now: datetime) -> bytes:
    return json.dumps(
        {
            "reason": reason,
            "original_b64": base64.b64encode(record.value or b"").decode(),
            "original_headers": shareable_headers(record),
            "source_topic": record.topic,
            "source_partition": record.partition,
            "source_offset": record.offset,
            "failed_at": now.isoformat(),
        }
    ).encode()


async def publish_dead_letter(broker: KafkaBroker, topic: str, record: Record, reason: str) -> None:
    """Publish and wait for the broker's ack, so the offset may be committed after it."""
    payload = dead_letter_payload(record, reason, datetime.now(UTC))
    await broker.publish(payload, topic=topic, key=record.key)
