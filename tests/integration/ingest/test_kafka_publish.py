"""The relay's publisher: record batches per partition, the partition send() would choose."""

from __future__ import annotations

from aiokafka.partitioner import murmur2

from gigalert_shared.kafka_publish import KafkaOutboxPublisher
from gigalert_shared.outbox import OutboxMessage
from gigalert_shared.settings import Settings
from gigalert_shared.topics import GIGS_POSTED, GIGS_UPDATED, Topics
from tests.support.kafka_helpers import read_topic


async def test_every_message_lands_once_on_its_keys_partition_in_order(
    settings: Settings, topics: Topics
) -> None:
    # More than one record batch per partition (256 KiB each), a key repeated across
    # batches, two topics and a keyless message.
    keys = [f"gig-{i % 300}".encode() for i in range(1200)]
    messages = [
        OutboxMessage(
            GIGS_POSTED if i % 7 else GIGS_UPDATED,
            f'{{"n":{i},"pad":"{"x" * 2000}"}}'.encode(),
            key,
            {"event": "gig.posted", "schema-version": "1"},
        )
        for i, key in enumerate(keys)
    ]
    messages.append(OutboxMessage(GIGS_POSTED, b'{"n":-1}', None))
    publisher = KafkaOutboxPublisher(settings.kafka, topics, client_id="test-outbox")
    await publisher.start()
    try:
        await publisher.publish_batch(messages)
    finally:
        await publisher.stop()

    posted = await read_topic(
        topics.gigs_posted, expect=sum(m.topic == GIGS_POSTED for m in messages)
    )
    updated = await read_topic(
        topics.gigs_updated, expect=sum(m.topic == GIGS_UPDATED for m in messages)
    )
    for records, base in ((posted, GIGS_POSTED), (updated, GIGS_UPDATED)):
        sent = [m for m in messages if m.topic == base]
        assert sorted(r.value for r in records) == sorted(m.payload for m in sent)
        for r in records:
            if r.key is not None:
                assert r.partition == (murmur2(r.key) & 0x7FFFFFFF) % 6
                assert dict(r.headers) == {
                    "content-type": b"application/json",
                    "event": b"gig.posted",
                    "schema-version": b"1",
                }
        # Per key, the order of publishing.
        by_key: dict[bytes, list[bytes]] = {}
        for r in records:  # sorted by (partition, offset)
            if r.key is not None:
                by_key.setdefault(r.key, []).append(r.value)
        expected: dict[bytes, list[bytes]] = {}
        for m in sent:
            if m.key is not None:
                expected.setdefault(m.key, []).append(m.payload)
        assert by_key == expected
