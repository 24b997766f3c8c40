"""The ingest HTTP API against real Kafka and Postgres."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import httpx
import pytest

from gigalert_ingest.service import IngestService
from gigalert_shared.events import GigPosted, GigUpdated
from gigalert_shared.topics import Topics
from tests.integration.ingest.conftest import METRICS
from tests.support.kafka_helpers import read_topic

PMO_GIG: dict[str, Any] = {
    "external_id": "job-001",
    "title": "PMO支援（フルリモート）",
    "description": "新規事業のPMO。Jira運用。",
    "url": "https://jobs.example.jp/job-001",
    "category": "PMO",
    "skills": ["PMO", "Jira"],
    "remote": "フルリモート",
    "location": "東京都",
    "rate": "月額80万円（140-180h）",
    "days_per_week": "週2〜3日",
    "language": "ja",
}


def _auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def test_posted_gig_is_normalised_stored_and_published(
    client: httpx.AsyncClient, platform_key: str, topics: Topics, db: asyncpg.Connection
) -> None:
    r = await client.post("/v1/gigs", json=PMO_GIG, headers=_auth(platform_key))
    assert r.status_code == 202, r.text
    result = r.json()["results"][0]
    assert result["status"] == "created"
    gig_id = result["gig_id"]

    records = await read_topic(topics.gigs_posted, expect=1)
    assert len(records) == 1
    assert records[0].key == gig_id.encode()
    event = GigPosted.model_validate_json(records[0].value)
    assert str(event.gig_id) == gig_id
    assert event.remote_mode == "remote"
    assert event.domains[0] == "pmo"
    assert event.rate_min_jpy_h == 5000 and event.rate_max_jpy_h == 5000  # 80万 ÷ 160h
    assert event.rate_source.hours_divisor == 160
    assert (event.days_per_week_min, event.days_per_week_max) == (2, 3)
    assert event.platform_name == "marketing-board"

    row = await db.fetchrow(
        "SELECT title, rate_min_jpy_h, remote_mode FROM gigs WHERE id = $1::uuid", gig_id
    )
    assert row is not None
    assert dict(row) == {
        "title": "PMO支援（フルリモート）",
        "rate_min_jpy_h": 5000,
        "remote_mode": "remote",
    }


async def test_duplicate_publishes_nothing_and_change_publishes_update(
    client: httpx.AsyncClient, platform_key: str, topics: Topics, db: asyncpg.Connection
) -> None:
    first = (await client.post("/v1/gigs", json=PMO_GIG, headers=_auth(platform_key))).json()
    again = (await client.post("/v1/gigs", json=PMO_GIG, headers=_auth(platform_key))).json()
    assert again["results"][0]["status"] == "duplicate"
    assert again["results"][0]["gig_id"] == first["results"][0]["gig_id"]

    changed = {**PMO_GIG, "rate": "時給6,000円"}
    upd = (await client.post("/v1/gigs", json=changed, headers=_auth(platform_key))).json()
    assert upd["results"][0]["status"] == "updated"
    assert upd["results"][0]["gig_id"] == first["results"][0]["gig_id"]

    posted = await read_topic(topics.gigs_posted, expect=1)
    updated = await read_topic(topics.gigs_updated, expect=1)
    assert len(posted) == 1
    assert len(updated) == 1
    event = GigUpdated.model_validate_json(updated[0].value)
    assert str(event.gig_id) == first["results"][0]["gig_id"]
    assert event.rate_min_jpy_h == 6000
    assert event.previous_content_hash != event.content_hash
    assert await db.fetchval("SELECT count(*) FROM gigs") == 1


async def test_batch_reports_every_item_and_keeps_the_good_ones(
    client: httpx.AsyncClient, platform_key: str, topics: Topics, db: asyncpg.Connection
) -> None:
    gigs = [
        {**PMO_GIG, "external_id": "a"},
        {**PMO_GIG, "external_id": "b", "title": ""},  # empty title
        {**PMO_GIG, "external_id": "c", "rate": {"amount_min": -5, "unit": "hour"}},
        {"title": "no id"},
        {**PMO_GIG, "external_id": "d", "rate": "$40-60/hr", "remote": "Remote"},
        "not an object",
    ]
    r = await client.post("/v1/gigs/batch", json={"gigs": gigs}, headers=_auth(platform_key))
    assert r.status_code == 202, r.text
    body = r.json()
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["created", "rejected", "rejected", "rejected", "created", "rejected"]
    assert [x["index"] for x in body["results"]] == list(range(6))
    assert body["accepted"] == 2 and body["rejected"] == 4
    assert body["results"][1]["errors"][0]["loc"] == ["title"]
    assert body["results"][2]["errors"][0]["loc"][:2] == ["rate", "RateIn"] or any(
        "amount_min" in e["loc"] for e in body["results"][2]["errors"]
    )
    assert any(e["loc"] == ["external_id"] for e in body["results"][3]["errors"])
    assert await db.fetchval("SELECT count(*) FROM gigs") == 2
    records = await read_topic(topics.gigs_posted, expect=2)
    usd = [GigPosted.model_validate_json(r.value) for r in records if b'"d"' in r.value]
    assert usd[0].rate_min_jpy_h == 6000 and usd[0].rate_max_jpy_h == 9000


async def test_authentication_errors(
    client: httpx.AsyncClient, platform_key: str, db: asyncpg.Connection
) -> None:
    assert (await client.post("/v1/gigs", json=PMO_GIG)).status_code == 401
    wrong = await client.post("/v1/gigs", json=PMO_GIG, headers=_auth("gk_nope"))
    assert wrong.status_code == 401
    await db.execute("UPDATE platforms SET revoked_at = now()")
    # The auth cache holds answers for a few seconds; a fresh key lookup sees the revocation.
    from gigalert_ingest.platforms import create_platform

    _, other = await create_platform(db, name="second-board")
    await db.execute("UPDATE platforms SET revoked_at = now() WHERE name = 'second-board'")
    assert (await client.post("/v1/gigs", json=PMO_GIG, headers=_auth(other))).status_code == 403


async def test_size_and_validation_errors(client: httpx.AsyncClient, platform_key: str) -> None:
    huge = {**PMO_GIG, "description": "あ" * 70_000}
    r = await client.post(
        "/v1/gigs",
        content=json.dumps(huge).encode(),
        headers={**_auth(platform_key), "content-type": "application/json"},
    )
    assert r.status_code == 413

    bad = {**PMO_GIG, "posted_at": "1999-01-01T00:00:00Z", "url": "ftp://x"}
    r = await client.post("/v1/gigs", json=bad, headers=_auth(platform_key))
    assert r.status_code == 422
    locs = {tuple(e["loc"]) for e in r.json()["detail"]}
    assert ("body", "posted_at") in locs
    assert ("body", "url") in locs

    too_many = {"gigs": [{**PMO_GIG, "external_id": str(i)} for i in range(21)]}
    r = await client.post("/v1/gigs/batch", json=too_many, headers=_auth(platform_key))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "gigs"]

    r = await client.post(
        "/v1/gigs",
        content=b"{not json",
        headers={**_auth(platform_key), "content-type": "application/json"},
    )
    assert r.status_code == 422


async def test_operations_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "postgres": True, "kafka": True}
    metrics = await client.get("/metrics", headers=METRICS)
    assert "gigalert_ingest_gigs_total" in metrics.text


def _timed(route: str, status: str) -> float:
    from prometheus_client import REGISTRY

    labels = {"route": route, "status": status}
    return REGISTRY.get_sample_value("gigalert_ingest_request_seconds_count", labels) or 0.0


async def test_every_answer_is_timed_by_route_template_and_status(
    client: httpx.AsyncClient, platform_key: str
) -> None:
    cases = [
        ("/v1/gigs/batch", "202", {"gigs": [{**PMO_GIG, "external_id": "t1"}]}, platform_key),
        ("/v1/gigs/batch", "422", {"gigs": []}, platform_key),
        ("/v1/gigs", "401", PMO_GIG, "gk_nope"),
    ]
    for route, status, body, key in cases:
        before = _timed(route, status)
        r = await client.post(route, json=body, headers=_auth(key))
        assert str(r.status_code) == status, r.text
        assert _timed(route, status) == before + 1
    before = _timed("unmatched", "404")
    assert (await client.get("/no/such/path")).status_code == 404
    assert _timed("unmatched", "404") == before + 1


async def test_a_request_that_raises_is_timed_as_500(
    client: httpx.AsyncClient, platform_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("storage broke")

    monkeypatch.setattr(IngestService, "accept", broken)
    before = _timed("/v1/gigs", "500")
    with pytest.raises(RuntimeError, match="storage broke"):  # the test transport re-raises
        await client.post("/v1/gigs", json=PMO_GIG, headers=_auth(platform_key))
    assert _timed("/v1/gigs", "500") == before + 1
