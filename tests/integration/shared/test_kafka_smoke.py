"""An event published through FastStream to the real broker is consumed back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from gigalert_shared.events import GigPosted, RemoteMode
from gigalert_shared.topics import Topics
from tests.conftest import KAFKA


def _gig() -> GigPosted:
    return GigPosted(
        gig_id=uuid.uuid4(),
        platform_id=uuid.uuid4(),
        platform_name="board",
        external_id="ext-1",
        title="PMO支援（フルリモート）",
        remote_mode=RemoteMode.REMOTE,
        rate_min_jpy_h=5000,
        received_at=datetime.now(UTC),
        content_hash="h",
    )


async def test_event_round_trip_through_real_kafka(topics: Topics) -> None:
    broker = KafkaBroker(KAFKA)
    received: asyncio.Queue[GigPosted] = asyncio.Queue()

    @broker.subscriber(
        topics.gigs_posted,
        group_id=f"smoke-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
    )
    async def handle(event: GigPosted) -> None:
        await received.put(event)

    sent = _gig()
    async with broker:
        await broker.start()
        await broker.publish(sent.model_dump(mode="json"), topic=topics.gigs_posted, key=b"k")
        got = await asyncio.wait_for(received.get(), timeout=30)

    assert got == sent
    assert got.title == "PMO支援（フルリモート）"
    assert got.schema_version == 1
