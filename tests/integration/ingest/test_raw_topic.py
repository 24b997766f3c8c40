"""The gigs.raw ingress: poison messages go to gigs.rejected and never block the partition."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

import asyncpg
import httpx
from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker

from gigalert_ingest.build import Platform
from gigalert_ingest.platforms import PlatformAuth
from gigalert_ingest.raw_consumer import handle_records
from gigalert_ingest.schemas import GigIn, ItemError, ItemResult, Outcome
from gigalert_ingest.service import IngestService
from gigalert_shared.db import create_pool
from gigalert_shared.events import GigPosted, GigRejected
from gigalert_shared.settings import Settings
from gigalert_shared.topics import Topics
from tests.integration.ingest.test_http_api import PMO_GIG
from tests.support.kafka_helpers import produce, read_topic, wait_for


async def test_poison_messages_are_rejected_and_good_ones_flow(
    client: httpx.AsyncClient, platform_key: str, topics: Topics, db: asyncpg.Connection
) -> None:
    key = {"x-api-key": platform_key}
    good1 = json.dumps({**PMO_GIG, "external_id": "raw-1"}).encode()
    not_json = b"\xff\xfe not json at all"
    wrong_types = json.dumps({**PMO_GIG, "external_id": "raw-2", "skills": "PMO"}).encode()
    unknown = json.dumps({**PMO_GIG, "external_id": "raw-3"}).encode()
    good2 = json.dumps({**PMO_GIG, "external_id": "raw-4", "rate": "日給4万円"}).encode()
    # One key, so all five land on one partition in this order: the poison sits between.
    await produce(
        topics.gigs_raw,
        [
            (b"p", good1, key),
            (b"p", not_json, key),
            (b"p", wrong_types, key),
            (b"p", unknown, {"x-api-key": "gk_unknown"}),
            (b"p", good2, key),
        ],
    )

    async def stored() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM gigs") == 2)

    assert await wait_for(stored, timeout=30)
    rejected = [
        GigRejected.model_validate_json(r.value)
        for r in await read_topic(topics.gigs_rejected, expect=3)
    ]
    assert len(rejected) == 3
    by_reason = {r.reason: r for r in rejected}
    assert set(by_reason) == {"invalid gig", "unknown or missing x-api-key"}
    originals = {base64.b64decode(r.original_b64) for r in rejected}
    assert originals == {not_json, wrong_types, unknown}
    assert all(r.source_topic == topics.gigs_raw for r in rejected)
    assert sorted(r.source_offset for r in rejected) == [1, 2, 3]
    assert len({r.source_partition for r in rejected}) == 1
    wrong = next(r for r in rejected if base64.b64decode(r.original_b64) == wrong_types)
    assert wrong.errors[0].loc == ["skills"]
    # The platform's key never travels into the dead-letter topic.
    assert all("x-api-key" not in r.original_headers for r in rejected)

    posted = [
        GigPosted.model_validate_json(r.value)
        for r in await read_topic(topics.gigs_posted, expect=2)
    ]
    assert sorted(p.external_id for p in posted) == ["raw-1", "raw-4"]
    daily = next(p for p in posted if p.external_id == "raw-4")
    assert daily.rate_min_jpy_h == 5000  # 40,000 ÷ 8 h


async def test_replaying_the_raw_topic_creates_no_duplicates(
    client: httpx.AsyncClient, platform_key: str, topics: Topics, db: asyncpg.Connection
) -> None:
    gig = json.dumps({**PMO_GIG, "external_id": "replayed"}).encode()
    await produce(topics.gigs_raw, [(b"k", gig, {"x-api-key": platform_key})] * 3)

    async def stored() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM gigs") == 1)

    assert await wait_for(stored, timeout=30)
    posted = await read_topic(topics.gigs_posted, expect=1, settle=2.0)
    assert len(posted) == 1


async def test_binary_headers_are_rejected_with_the_original_never_blocking(
    client: httpx.AsyncClient, platform_key: str, topics: Topics, db: asyncpg.Connection
) -> None:
    binary_key = json.dumps({**PMO_GIG, "external_id": "raw-binary-key"}).encode()
    good = json.dumps({**PMO_GIG, "external_id": "raw-binary-trace"}).encode()
    await produce(
        topics.gigs_raw,
        [
            (b"p", binary_key, {"x-api-key": b"gk_\xff\xfe", "x-trace": b"\xc3\x28"}),
            (b"p", good, {"x-trace": b"\xff", "x-api-key": platform_key}),
        ],
    )

    async def stored() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM gigs") == 1)

    assert await wait_for(stored, timeout=30)
    (record,) = await read_topic(topics.gigs_rejected, expect=1, settle=1.0)
    event = GigRejected.model_validate_json(record.value)
    assert (event.reason, event.source_offset) == ("unknown or missing x-api-key", 0)
    assert base64.b64decode(event.original_b64) == binary_key
    assert event.original_headers == {"x-trace": "\ufffd("}


class RefusingService(IngestService):
    """The real service, except that it refuses gigs titled "refuse me" after validation, as
    build_gig does for a combination the schema can't see."""

    async def accept(
        self, platform: Platform, items: Sequence[GigIn | list[ItemError]]
    ) -> list[ItemResult]:
        refuse = [isinstance(i, GigIn) and i.title == "refuse me" for i in items]
        kept = await super().accept(
            platform, [i for i, r in zip(items, refuse, strict=True) if not r]
        )
        out = iter(kept)
        error = ItemError(loc=["rate"], msg="refused", type="value_error")
        return [
            ItemResult(index=n, status=Outcome.REJECTED, errors=[error]) if r else next(out)
            for n, r in enumerate(refuse)
        ]


async def test_a_gig_refused_after_validation_goes_to_rejected(
    settings: Settings, platform_key: str, topics: Topics, db: asyncpg.Connection
) -> None:
    refused = json.dumps({**PMO_GIG, "external_id": "raw-refused", "title": "refuse me"})
    good = json.dumps({**PMO_GIG, "external_id": "raw-kept"})
    records = [
        ConsumerRecord(
            topics.gigs_raw,
            0,
            n,
            0,
            0,
            b"p",
            value.encode(),
            None,
            1,
            len(value),
            [("x-api-key", platform_key.encode())],
        )
        for n, value in enumerate((refused, good))
    ]
    pool = await create_pool(settings.postgres)
    broker = KafkaBroker(settings.kafka.bootstrap_servers)
    try:
        await broker.connect()
        await handle_records(
            tuple(records),
            service=RefusingService(pool, fx_to_jpy={}),
            auth=PlatformAuth(pool),
            max_message_bytes=100_000,
            broker=broker,
            topics=topics,
        )
    finally:
        await broker.stop()
        await pool.close()
    assert await db.fetchval("SELECT array_agg(external_id) FROM gigs") == ["raw-kept"]
    (record,) = await read_topic(topics.gigs_rejected, expect=1)
    event = GigRejected.model_validate_json(record.value)
    assert (event.reason, event.source_offset) == ("invalid gig", 0)
    assert base64.b64decode(event.original_b64) == refused.encode()
    assert [e.loc for e in event.errors] == [["rate"]]


async def test_a_reply_to_header_makes_us_publish_nowhere(
    client: httpx.AsyncClient, platform_key: str, topics: Topics, db: asyncpg.Connection
) -> None:
    """FastStream publishes a handler's result to the topic a message's ``reply_to`` header
    names; a producer must not be able to make ingest write to another topic."""
    gig = json.dumps({**PMO_GIG, "external_id": "reply-to"}).encode()
    headers = {"x-api-key": platform_key, "reply_to": topics.alerts_matched}
    await produce(topics.gigs_raw, [(b"k", gig, headers), (b"k", b"{}", headers)])

    async def stored() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM gigs") == 1)

    assert await wait_for(stored, timeout=30)
    assert len(await read_topic(topics.gigs_rejected, expect=1)) == 1
    assert await read_topic(topics.alerts_matched, expect=0, settle=2.0) == []
