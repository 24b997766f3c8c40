"""Gigs in, explained alerts out, against real Kafka and Postgres."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from gigalert_ingest.api.app import create_app as create_ingest
from gigalert_ingest.platforms import create_platform
from gigalert_shared.events import AlertMatched, GigPosted, RateSource, RemoteMode
from gigalert_shared.settings import Settings
from gigalert_shared.topics import Topics
from tests.integration.web.api_client import PMO_SUB, new_freelancer
from tests.support.kafka_helpers import produce, read_topic, wait_for


def gig(**changes: Any) -> GigPosted:
    base: dict[str, Any] = {
        "gig_id": uuid.uuid4(),
        "platform_id": uuid.uuid4(),
        "platform_name": "board",
        "external_id": uuid.uuid4().hex,
        "title": "PMO支援（フルリモート）",
        "description": "新規事業のPMO",
        "domains": ["pmo"],
        "skills": ["PMO"],
        "remote_mode": RemoteMode.REMOTE,
        "rate_min_jpy_h": 5000,
        "rate_max_jpy_h": 5000,
        "rate_source": RateSource(
            text="月額80万円",
            amount_min=800000,
            amount_max=800000,
            hours_divisor=160,
            convention="month ÷ 160h (standard)",
        ),
        "days_per_week_min": 2,
        "days_per_week_max": 2,
        "received_at": datetime.now(UTC),
        "content_hash": "h",
    }
    return GigPosted(**{**base, **changes})


async def publish_gigs(topics: Topics, gigs: list[GigPosted]) -> None:
    await produce(
        topics.gigs_posted,
        [(str(g.gig_id).encode(), g.model_dump_json().encode(), {}) for g in gigs],
    )


async def alerts_in_db(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM alerts"))


async def test_matching_gig_becomes_one_explained_alert(
    matcher: httpx.AsyncClient, web: httpx.AsyncClient, topics: Topics, db: asyncpg.Connection
) -> None:
    me = await new_freelancer(web)
    s1 = (await web.post("/v1/subscriptions", json=PMO_SUB, headers=me.auth)).json()["id"]
    s2 = (
        await web.post(
            "/v1/subscriptions", json={"name": "なんでも", "keywords_any": ["pmo"]}, headers=me.auth
        )
    ).json()["id"]
    g = gig()
    await publish_gigs(
        topics,
        [
            g,
            gig(
                remote_mode=RemoteMode.ONSITE,
                title="常駐 経理",
                domains=["other"],
                skills=[],
                description="",
            ),
        ],
    )

    records = await read_topic(topics.alerts_matched, expect=1, settle=1.0)
    assert len(records) == 1
    assert records[0].key == me.id.encode()
    alert = AlertMatched.model_validate_json(records[0].value)
    assert alert.gig.gig_id == g.gig_id
    assert sorted(map(str, alert.subscription_ids)) == sorted([s1, s2])
    texts = [r.text_ja for r in alert.reasons[s1]]
    assert any("¥5,000" in t and "¥4,500" in t for t in texts), texts
    assert any("pmo" in t.lower() for t in texts)
    assert await alerts_in_db(db) == 1


async def test_redelivered_gig_creates_no_second_alert(
    matcher: httpx.AsyncClient, web: httpx.AsyncClient, topics: Topics, db: asyncpg.Connection
) -> None:
    """At least once through Kafka, exactly once in effect: a gig seen three times gives
    one alert row; any republished event carries the same alert id (the notifier keys
    deliveries by it)."""
    me = await new_freelancer(web)
    await web.post("/v1/subscriptions", json=PMO_SUB, headers=me.auth)
    g = gig()
    await publish_gigs(topics, [g])
    await read_topic(topics.alerts_matched, expect=1)
    await publish_gigs(topics, [g, g])
    records = await read_topic(topics.alerts_matched, expect=3, timeout=10, settle=1.0)
    assert {AlertMatched.model_validate_json(r.value).alert_id for r in records} == {
        AlertMatched.model_validate_json(records[0].value).alert_id
    }
    assert await alerts_in_db(db) == 1


async def test_pause_and_delete_stop_matches(
    matcher: httpx.AsyncClient, web: httpx.AsyncClient, topics: Topics, db: asyncpg.Connection
) -> None:
    """Each gig is consumed before the next state change: a marker gig on the same partition
    (same key), matched by a second freelancer, shows the consumer got past it."""
    me = await new_freelancer(web)
    watcher = await new_freelancer(web, "watcher")
    sid = (await web.post("/v1/subscriptions", json=PMO_SUB, headers=me.auth)).json()["id"]
    await web.post(
        "/v1/subscriptions",
        json={"name": "marker", "keywords_any": ["marker-only"]},
        headers=watcher.auth,
    )

    async def publish_then_wait(g: GigPosted) -> None:
        marker = gig(title="marker-only", domains=["other"], skills=[], description="")
        await produce(
            topics.gigs_posted,
            [(b"one-partition", x.model_dump_json().encode(), {}) for x in (g, marker)],
        )

        async def marker_seen() -> bool:
            n = await db.fetchval("SELECT count(*) FROM alerts WHERE gig_id = $1", marker.gig_id)
            return bool(n == 1)

        assert await wait_for(marker_seen)

    paused, resumed, deleted = gig(), gig(), gig()
    await web.post(f"/v1/subscriptions/{sid}/pause", headers=me.auth)
    await publish_then_wait(paused)
    await web.post(f"/v1/subscriptions/{sid}/resume", headers=me.auth)
    await publish_then_wait(resumed)
    await web.delete(f"/v1/subscriptions/{sid}", headers=me.auth)
    await publish_then_wait(deleted)
    mine = await db.fetch("SELECT gig_id FROM alerts WHERE freelancer_id = $1::uuid", me.id)
    assert [r["gig_id"] for r in mine] == [resumed.gig_id]


async def test_poison_gig_goes_to_dead_letters_and_the_partition_moves_on(
    matcher: httpx.AsyncClient, web: httpx.AsyncClient, topics: Topics, db: asyncpg.Connection
) -> None:
    me = await new_freelancer(web)
    await web.post("/v1/subscriptions", json=PMO_SUB, headers=me.auth)
    good = gig()
    await produce(
        topics.gigs_posted,
        [(b"same", b"{garbage", {}), (b"same", good.model_dump_json().encode(), {})],
    )
    dead = await read_topic(topics.gigs_posted_dlq, expect=1)
    assert len(dead) == 1
    payload = json.loads(dead[0].value)
    assert payload["source_topic"] == topics.gigs_posted and payload["reason"].startswith(
        "undecodable"
    )
    alerts = await read_topic(topics.alerts_matched, expect=1)
    assert AlertMatched.model_validate_json(alerts[0].value).gig.gig_id == good.gig_id


@pytest.fixture
async def ingest(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    manager = LifespanManager(create_ingest(settings), startup_timeout=60)
    async with (
        manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://ingest"
        ) as c,
    ):
        yield c


async def test_gig_posted_through_ingest_ends_as_an_alert(
    matcher: httpx.AsyncClient,
    web: httpx.AsyncClient,
    ingest: httpx.AsyncClient,
    topics: Topics,
    db: asyncpg.Connection,
) -> None:
    me = await new_freelancer(web)
    await web.post("/v1/subscriptions", json=PMO_SUB, headers=me.auth)
    _, key = await create_platform(db, name="board")
    body = {
        "external_id": "e2e-1",
        "title": "PMO支援",
        "category": "PMO",
        "remote": "フルリモート",
        "rate": "月額80万円（140-180h）",
        "days_per_week": "週2日",
    }
    r = await ingest.post("/v1/gigs", json=body, headers={"X-API-Key": key})
    assert r.status_code == 202
    records = await read_topic(topics.alerts_matched, expect=1)
    alert = AlertMatched.model_validate_json(records[0].value)
    assert alert.gig.title == "PMO支援" and alert.gig.rate_min_jpy_h == 5000

    async def one() -> bool:
        return await alerts_in_db(db) == 1

    assert await wait_for(one)
