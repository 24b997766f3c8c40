"""The ``gigs.raw`` ingress: platforms produce one gig (a GigIn as JSON) per message with
their API key in the ``x-api-key`` header. Anything that can't be accepted goes to
``gigs.rejected`` with the original bytes and its topic, partition and offset; the batch is
committed only after its gigs are stored and its rejects published."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from faststream.kafka import KafkaBroker

from gigalert_ingest.build import Platform
from gigalert_ingest.metrics import RAW_REJECTED
from gigalert_ingest.platforms import PlatformAuth, RevokedKey, UnknownKey
from gigalert_ingest.schemas import GigIn, ItemError, ItemResult, Outcome
from gigalert_ingest.service import IngestService, validate_json
from gigalert_shared.events import FieldError, GigRejected, event_headers
from gigalert_shared.kafka_consumer import subscribe_batches
from gigalert_shared.kafka_records import Record, shareable_headers
from gigalert_shared.topics import Topics

log = logging.getLogger(__name__)

API_KEY_HEADER = "x-api-key"
# Errors about the data, not the connection: retrying the same gig can never succeed.
_UNSTORABLE = (asyncpg.DataError, UnicodeError, OverflowError, ValueError)
GROUP_ID = "ingest"


def header_text(record: Record, name: str) -> str | None:
    """The last ``name`` header of the record as text (bytes that aren't UTF-8 replaced), or
    None; no other header is decoded."""
    for found, value in reversed(record.headers or ()):
        if found == name:
            return bytes(value or b"").decode("utf-8", "replace")
    return None


def rejection(record: Record, reason: str, errors: list[ItemError]) -> GigRejected:
    return GigRejected(
        reason=reason,
        errors=[FieldError(loc=e.loc, msg=e.msg, type=e.type) for e in errors],
        original_b64=base64.b64encode(record.value or b"").decode(),
        original_key_b64=base64.b64encode(record.key).decode() if record.key else None,
        original_headers=shareable_headers(record),
        source_topic=record.topic,
        source_partition=record.partition,
        source_offset=record.offset,
        rejected_at=datetime.now(UTC),
    )


def register_raw_consumer(
    broker: KafkaBroker,
    *,
    topics: Topics,
    service: IngestService,
    auth: PlatformAuth,
    max_message_bytes: int,
) -> None:
    async def handle(records: Sequence[Record]) -> None:
        await handle_records(
            records,
            service=service,
            auth=auth,
            max_message_bytes=max_message_bytes,
            broker=broker,
            topics=topics,
        )

    subscribe_batches(
        broker,
        topics.gigs_raw,
        group_id=topics.name(GROUP_ID),  # the topic prefix scopes the group too
        handle=handle,
    )


async def _store(
    service: IngestService, platform: Platform, items: list[tuple[Record, GigIn]]
) -> list[GigRejected]:
    """Stores the gigs; a rejection for each one the service or the database refuses."""
    try:
        return _refused(items, await service.accept(platform, [gig for _, gig in items]))
    except _UNSTORABLE:
        pass
    # One gig the database refuses (U+0000, a lone surrogate, a figure out of range) must
    # not fail its batch forever: store the gigs one by one, reject the bad.
    rejected: list[GigRejected] = []
    for record, gig in items:
        try:
            rejected += _refused([(record, gig)], await service.accept(platform, [gig]))
        except _UNSTORABLE as exc:
            error = ItemError(loc=[], msg=f"cannot be stored: {exc!r}"[:500], type="store")
            rejected.append(rejection(record, "gig cannot be stored", [error]))
    return rejected


def _refused(items: list[tuple[Record, GigIn]], results: list[ItemResult]) -> list[GigRejected]:
    return [
        rejection(record, "invalid gig", result.errors)
        for (record, _), result in zip(items, results, strict=True)
        if result.status is Outcome.REJECTED
    ]


async def handle_records(
    records: Sequence[Record],
    *,
    service: IngestService,
    auth: PlatformAuth,
    max_message_bytes: int,
    broker: KafkaBroker,
    topics: Topics,
) -> None:
    rejected: list[GigRejected] = []
    by_platform: dict[Platform, list[tuple[Record, GigIn]]] = defaultdict(list)
    for record in records:
        value: bytes = record.value or b""
        if len(value) > max_message_bytes:
            rejected.append(rejection(record, "message too large", []))
            continue
        try:
            platform = await auth.authenticate(header_text(record, API_KEY_HEADER))
        except UnknownKey:
            rejected.append(rejection(record, "unknown or missing x-api-key", []))
            continue
        except RevokedKey:
            rejected.append(rejection(record, "revoked api key", []))
            continue
        item = validate_json(value)
        if isinstance(item, GigIn):
            by_platform[platform].append((record, item))
        else:
            rejected.append(rejection(record, "invalid gig", item))
    for platform, items in by_platform.items():
        rejected += await _store(service, platform, items)
    for event in rejected:
        RAW_REJECTED.labels(reason=event.reason).inc()
        log.warning(
            "raw gig rejected",
            extra={
                "reason": event.reason,
                "source_partition": event.source_partition,
                "source_offset": event.source_offset,
            },
        )
    if rejected:
        futures = [
            await broker.publish(
                e.model_dump_json(),
                topic=topics.gigs_rejected,
                key=base64.b64decode(e.original_key_b64) if e.original_key_b64 else None,
                headers=event_headers(e),
                no_confirm=True,
            )
            for e in rejected
        ]
        await asyncio.gather(*futures)
