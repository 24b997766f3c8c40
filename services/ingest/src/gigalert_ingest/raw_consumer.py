"""The ``gigs.raw`` ingress: platforms produce one gig (a GigIn as JSON) per message with
their API key in the ``x-api-key`` header. Anything that can't be accepted goes to
``gigs.rejected`` with the original bytes and its topic, partition and offset; the batch is
committed only after its gigs are stored and its rejects published."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import asyncpg
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from gigalert_ingest.build import Platform
from gigalert_ingest.metrics import RAW_REJECTED
from gigalert_ingest.platforms import PlatformAuth, RevokedKey, UnknownKey
from gigalert_ingest.schemas import GigIn, ItemError, ItemResult, Outcome
from gigalert_ingest.service import IngestService, validate_json
from gigalert_shared.events import FieldError, GigRejected, event_headers
from gigalert_shared.kafka_records import UNTOUCHED, records_of
from gigalert_shared.logs import mask_secrets
from gigalert_shared.topics import Topics

log = logging.getLogger(__name__)

API_KEY_HEADER = "x-api-key"
# Errors about the data, not the connection: retrying the same gig can never succeed.
_UNSTORABLE = (asyncpg.DataError, UnicodeError, OverflowError, ValueError)
GROUP_ID = "ingest"
# Headers whose names suggest a credential never reach gigs.rejected, whoever reads it.
_CREDENTIAL_HEADER = re.compile(r"auth|key|token|secret|passw|cookie|credential|signature", re.I)


def _headers(record: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in record.headers or ():
        out[name] = bytes(value or b"").decode("utf-8", "replace")
    return out


def rejection(record: Any, reason: str, errors: list[ItemError]) -> GigRejected:
    headers = {
        name: mask_secrets(value)
        for name, value in _headers(record).items()
        if not _CREDENTIAL_HEADER.search(name)
    }
    return GigRejected(
        reason=reason,
        errors=[FieldError(loc=e.loc, msg=e.msg, type=e.type) for e in errors],
        original_b64=base64.b64encode(record.value or b"").decode(),
        original_key_b64=base64.b64encode(record.key).decode() if record.key else None,
        original_headers=headers,
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
    @broker.subscriber(
        topics.gigs_raw,
        group_id=topics.name(GROUP_ID),  # the topic prefix scopes the group too
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=500,
        **UNTOUCHED,
    )
    async def on_raw(msg: KafkaMessage) -> None:
        records = records_of(msg.raw_message)
        try:
            await handle_records(
                records,
                service=service,
                auth=auth,
                max_message_bytes=max_message_bytes,
                broker=broker,
                topics=topics,
            )
        except Exception:
            log.exception("raw batch failed; it will be redelivered")
            await asyncio.sleep(1.0)  # don't spin while Postgres or Kafka is down
            raise


async def _store(
    service: IngestService, platform: Platform, items: list[tuple[Any, GigIn]]
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


def _refused(items: list[tuple[Any, GigIn]], results: list[ItemResult]) -> list[GigRejected]:
    return [
        rejection(record, "invalid gig", result.errors)
        for (record, _), result in zip(items, results, strict=True)
        if result.status is Outcome.REJECTED
    ]


async def handle_records(
    records: tuple[Any, ...],
    *,
    service: IngestService,
    auth: PlatformAuth,
    max_message_bytes: int,
    broker: KafkaBroker,
    topics: Topics,
) -> None:
    rejected: list[GigRejected] = []
    by_platform: dict[Platform, list[tuple[Any, GigIn]]] = defaultdict(list)
    for record in records:
        value: bytes = record.value or b""
        if len(value) > max_message_bytes:
            rejected.append(rejection(record, "message too large", []))
            continue
        try:
            platform = await auth.authenticate(_headers(record).get(API_KEY_HEADER))
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
