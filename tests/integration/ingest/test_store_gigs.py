"""The one-statement store: outcomes per item in order, and its events in the outbox.

`db` decodes json/jsonb (the services' codec), so headers and bodies come back as dicts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from gigalert_ingest.build import Platform, build_gig
from gigalert_ingest.platforms import create_platform
from gigalert_ingest.repository import store_gigs
from gigalert_ingest.schemas import GigIn
from gigalert_shared.events import GigBody, GigPosted, GigUpdated
from tests.integration.ingest.test_http_api import PMO_GIG


def _gig(pid: uuid.UUID, received_at: datetime, **changes: object) -> GigBody:
    return build_gig(
        GigIn.model_validate({**PMO_GIG, **changes}),
        platform=Platform(pid, "board"),
        gig_id=uuid.uuid4(),
        received_at=received_at,
        fx_to_jpy={"USD": 150.0},
    )


async def _events(db: asyncpg.Connection) -> list[asyncpg.Record]:
    return await db.fetch("SELECT topic, key, payload, headers FROM outbox ORDER BY id")


async def test_repeats_in_one_batch_are_stored_in_order(db: asyncpg.Connection) -> None:
    pid, _ = await create_platform(db, name="board")
    first = datetime(2026, 1, 1, tzinfo=UTC)
    a = _gig(pid, first, external_id="a")
    b = _gig(pid, first, external_id="b")
    a_changed = _gig(pid, first + timedelta(hours=1), external_id="a", rate="時給6,000円")
    a_again = _gig(pid, first + timedelta(hours=2), external_id="a", rate="時給6,000円")
    async with db.transaction():
        stored = await store_gigs(db, pid, [a, b, a_changed, a_again])

    assert [(s.external_id, s.outcome) for s in stored] == [
        ("a", "created"),
        ("b", "created"),
        ("a", "updated"),
        ("a", "duplicate"),
    ]
    assert stored[0].gig_id == stored[2].gig_id == stored[3].gig_id == a.gig_id
    assert stored[1].gig_id == b.gig_id

    events = await _events(db)
    assert [e["topic"] for e in events] == ["gigs.posted", "gigs.posted", "gigs.updated"]
    # A posted event is exactly what pydantic writes for GigPosted.
    assert bytes(events[0]["payload"]) == GigPosted(**dict(a)).model_dump_json().encode()
    assert events[0]["key"] == str(a.gig_id).encode()
    assert events[0]["headers"] == {"schema-version": "1", "event": "gig.posted"}
    # An update keeps the gig's id and first received_at and names the previous hash.
    updated = GigUpdated.model_validate_json(bytes(events[2]["payload"]))
    assert updated.gig_id == a.gig_id
    assert updated.received_at == first
    assert updated.previous_content_hash == a.content_hash
    assert updated.content_hash == a_changed.content_hash
    assert updated.rate_min_jpy_h == 6000
    assert events[2]["headers"] == {"schema-version": "1", "event": "gig.updated"}
    assert events[2]["key"] == str(a.gig_id).encode()

    row = await db.fetchrow(
        "SELECT id, received_at, content_hash, rate_min_jpy_h, search_text, body "
        "FROM gigs WHERE external_id = 'a'"
    )
    assert row is not None
    assert (row["id"], row["received_at"], row["content_hash"]) == (
        a.gig_id,
        first,
        a_changed.content_hash,
    )
    assert row["rate_min_jpy_h"] == 6000
    assert "jira" in row["search_text"]
    body = GigBody.model_validate(row["body"])
    assert (body.gig_id, body.received_at) == (a.gig_id, first)


async def test_a_replayed_batch_is_all_duplicates_and_enqueues_nothing(
    db: asyncpg.Connection,
) -> None:
    pid, _ = await create_platform(db, name="board")
    now = datetime.now(UTC)
    gigs = [_gig(pid, now, external_id=str(i)) for i in range(5)]
    async with db.transaction():
        created = await store_gigs(db, pid, gigs)
    replay = [_gig(pid, now + timedelta(minutes=1), external_id=str(i)) for i in range(5)]
    async with db.transaction():
        again = await store_gigs(db, pid, replay)

    assert {s.outcome for s in created} == {"created"}
    assert [s.outcome for s in again] == ["duplicate"] * 5
    assert [s.gig_id for s in again] == [s.gig_id for s in created]
    assert len(await _events(db)) == 5
    assert await db.fetchval("SELECT count(*) FROM gigs") == 5
