"""Dead-letter messages: the reason and the original bytes, with where they came from."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker


def dead_letter_payload(record: Any, reason: str) -> bytes:
    return json.dumps(
        {
            "reason": reason,
            "original_b64": base64.b64encode(record.value or b"").decode(),
            "source_topic": record.topic,
            "source_partition": record.partition,
            "source_offset": record.offset,
            "failed_at": datetime.now(UTC).isoformat(),
        }
    ).encode()


async def publish_dead_letter(broker: KafkaBroker, topic: str, record: Any, reason: str) -> None:
    """Publish and wait for the broker's ack, so the offset may be committed after it."""
    await broker.publish(dead_letter_payload(record, reason), topic=topic, key=record.key)
