"""Who may call what: every endpoint without credentials, with another platform's key, with
another freelancer's token (the web app's freelancer API), with a revoked key; the
notifier's admin token.

Endpoints come from each app's own OpenAPI document, so a new endpoint is checked without
touching this file (and a new public one fails until it is added to PUBLIC_OPERATIONS)."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
import uuid
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager

from gigalert_ingest.platforms import create_platform
from gigalert_ingest.repository import revoke_platform
from gigalert_notifier.api.app import create_app as create_notifier
from gigalert_shared.settings import Settings
from tests.security.conftest import (
    ADMIN_TOKEN,
    METRICS,
    PUBLIC_OPERATIONS,
    UNDOCUMENTED_PUBLIC_PATHS,
    Running,
    operations,
)

GIG: dict[str, Any] = {
    "external_id": "job-001",
    "title": "PMO支援（フルリモート）",
    "url": "https://jobs.example.jp/job-001",
    "category": "PMO",
    "remote": "フルリモート",
    "rate": "月額80万円（140-180h）",
    "days_per_week": "週2〜3日",
}

_addresses = (f"10.{a}.{b}.7" for a, b in itertools.product(range(1, 250), range(1, 250)))


def fill_path(path: str, values: dict[str, str] | None = None) -> str:
    """The path with each ``{param}`` replaced (a fresh UUID unless given)."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if values and name in values:
            return values[name]
        return "not-a-signed.token" if name == "token" else str(uuid.uuid4())

    return re.sub(r"\{([^}]+)\}", one, path)


def body_for(op: dict[str, Any]) -> Any:
    return {} if "requestBody" in op else None


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    json: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.request(method.upper(), path, json=json, headers=headers)


# Credentials that are not credentials: each must answer exactly like none at all.
BAD_INGEST_HEADERS: list[dict[str, str]] = [
    {},
    {"X-API-Key": ""},
    {"X-API-Key": "gk_" + "A" * 43},
    {"X-API-Key": "x" * 5000},
    {"Authorization": "Bearer gk_whatever"},
]
BAD_BEARER_HEADERS: list[dict[str, str]] = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Bearer gt_" + "A" * 43},
    {"Authorization": "Bearer " + "x" * 5000},
    {"Authorization": "bearer ' OR 1=1 --"},
    {"X-API-Key": ADMIN_TOKEN},
]


async def _assert_all_protected(
    app: Running, bad_headers: list[dict[str, str]], seen: list[str]
) -> None:
    for method, path, op in operations(app.openapi()):
        if (method, path) in PUBLIC_OPERATIONS:
            continue
        for headers in bad_headers:
            # Each request from its own address, so the failure limiter never steps in.
            client = app.client_from(next(_addresses))
            r = await call(client, method, fill_path(path), json=body_for(op), headers=headers)
            assert r.status_code == 401, (method, path, headers, r.status_code, r.text)
            assert "WWW-Authenticate" in r.headers
        seen.append(f"{method.upper()} {path}")


async def test_every_ingest_endpoint_needs_a_key(ingest: Running) -> None:
    seen: list[str] = []
    await _assert_all_protected(ingest, BAD_INGEST_HEADERS, seen)
    assert set(seen) >= {"POST /v1/gigs", "POST /v1/gigs/batch"}


async def test_every_freelancer_api_endpoint_needs_a_token(web: Running) -> None:
    seen: list[str] = []
    await _assert_all_protected(web, BAD_BEARER_HEADERS, seen)
    assert len(seen) >= 20


async def test_the_matcher_documents_no_operation(matcher: Running) -> None:
    """The matcher answers only its ops routes: the freelancer API is the web app's."""
    assert operations(matcher.openapi()) == []
    for path in ("/v1/freelancers", "/v1/me", "/v1/subscriptions", "/v1/unsubscribe/x"):
        assert (await matcher.client.get(path)).status_code in (404, 405)


async def test_every_notifier_endpoint_needs_the_admin_token(notifier: Running) -> None:
    seen: list[str] = []
    await _assert_all_protected(
        notifier, [*BAD_BEARER_HEADERS, {"Authorization": f"Bearer {ADMIN_TOKEN}x"}], seen
    )
    assert len(seen) >= 2
    # ...and the right token opens them.
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    r = await notifier.client.get("/v1/ops/deliveries", headers=auth)
    assert r.status_code == 200, r.text
    assert r.json() == []
    r = await notifier.client.post(
        "/v1/ops/deliveries/requeue", json={"ids": [str(uuid.uuid4())]}, headers=auth
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"requeued": []}


async def test_notifier_ops_api_is_closed_without_an_admin_token(settings: Settings) -> None:
    """No admin token configured: every ops endpoint answers 403, whatever is sent."""
    assert settings.http.admin_token is None
    app = create_notifier(settings, consume=False, send=False)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as c:
            ops = operations(app.openapi())
            assert ops
            for method, path, op in ops:
                for headers in ({}, {"Authorization": f"Bearer {ADMIN_TOKEN}"}):
                    r = await call(c, method, fill_path(path), json=body_for(op), headers=headers)
                    assert r.status_code == 403, (method, path, r.text)
            assert (await c.get("/healthz")).status_code == 200


async def test_public_operations_are_exactly_the_documented_ones(
    ingest: Running, matcher: Running, notifier: Running, web: Running
) -> None:
    documented = {
        (m, p) for app in (ingest, matcher, notifier, web) for m, p, _ in operations(app.openapi())
    }
    assert documented >= PUBLIC_OPERATIONS, "an allowed public operation no longer exists"
    # The freelancer sign-up is public; an unsigned unsubscribe token is 404, not a pause.
    r = await web.client.post("/v1/freelancers", json={"display_name": "公開"})
    assert r.status_code == 201
    for path in ("/v1/unsubscribe/{}", "/v1/unsubscribe/{}/undo"):
        for method in ("get", "post") if path.endswith("}") else ("post",):
            for token in (
                "x",
                "abc.def",
                "a" * 3000,
                str(uuid.uuid4()) + ".AAAAAAAAAAAAAAAAAAAAAA",
            ):
                r = await call(web.client, method, path.format(token))
                assert r.status_code == 404, (method, path, token, r.status_code)
    # LINE's webhook reads nothing without LINE's signature.
    r = await web.client.post("/line/webhook", json={"events": []})
    assert r.status_code in (401, 403), r.text
    for app in (ingest, matcher, notifier, web):
        for path in UNDOCUMENTED_PUBLIC_PATHS:
            r = await app.client.get(path)
            assert r.status_code == 200, (app.base_url, path, r.status_code, r.text)
        # /metrics only with the metrics (or admin) token; /docs and /openapi.json are off.
        for headers in ({}, {"Authorization": "Bearer guess"}):
            r = await app.client.get("/metrics", headers=headers)
            assert r.status_code == 401, (app.base_url, r.status_code)
        assert (await app.client.get("/metrics", headers=METRICS)).status_code == 200
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await app.client.get(path)).status_code == 404, (app.base_url, path)


# ---------------------------------------------------------------------------- platforms


async def test_another_platforms_key_cannot_touch_a_platforms_gigs(
    ingest: Running, db: asyncpg.Connection
) -> None:
    a_id, key_a = await create_platform(db, name="platform-a")
    b_id, key_b = await create_platform(db, name="platform-b")
    r = await ingest.client.post("/v1/gigs", json=GIG, headers={"X-API-Key": key_a})
    assert r.status_code == 202, r.text
    gig_a = r.json()["results"][0]["gig_id"]

    # Same external id from B, single and batch: a new gig of B's, never an update of A's.
    hostile = {**GIG, "title": "乗っ取り", "url": "https://evil.example/phish"}
    r = await ingest.client.post("/v1/gigs", json=hostile, headers={"X-API-Key": key_b})
    assert r.status_code == 202, r.text
    result = r.json()["results"][0]
    assert result["status"] == "created"
    assert result["gig_id"] != gig_a
    r = await ingest.client.post(
        "/v1/gigs/batch",
        json={"gigs": [{**hostile, "description": "batch"}]},
        headers={"X-API-Key": key_b},
    )
    assert r.status_code == 202, r.text
    assert r.json()["results"][0]["status"] == "updated"  # B's own gig
    assert r.json()["results"][0]["gig_id"] == result["gig_id"]

    rows = {
        row["platform_id"]: row
        for row in await db.fetch("SELECT id, platform_id, title, url FROM gigs")
    }
    assert set(rows) == {a_id, b_id}
    assert str(rows[a_id]["id"]) == gig_a
    assert rows[a_id]["title"] == GIG["title"]
    assert rows[a_id]["url"] == GIG["url"]
    assert str(rows[b_id]["id"]) == result["gig_id"]


async def test_a_revoked_key_gets_403(ingest: Running, db: asyncpg.Connection) -> None:
    _, key = await create_platform(db, name="gone")
    assert await revoke_platform(db, name="gone")
    for path, body in (("/v1/gigs", GIG), ("/v1/gigs/batch", {"gigs": [GIG]})):
        r = await ingest.client.post(path, json=body, headers={"X-API-Key": key})
        assert r.status_code == 403, r.text
    assert await db.fetchval("SELECT count(*) FROM gigs") == 0


async def test_a_key_revoked_while_in_use_is_refused_at_once(
    ingest: Running, db: asyncpg.Connection
) -> None:
    """`gigalert platforms revoke` notifies every ingest replica (platform_revoked): the next
    request after the notification is refused, well within the 1 s cache bound."""
    _, key = await create_platform(db, name="soon-gone")
    r = await ingest.client.post("/v1/gigs", json=GIG, headers={"X-API-Key": key})
    assert r.status_code == 202
    revoked = time.monotonic()
    assert await revoke_platform(db, name="soon-gone")
    n = 0
    while True:
        n += 1
        r = await ingest.client.post(
            "/v1/gigs", json={**GIG, "external_id": f"late-{n}"}, headers={"X-API-Key": key}
        )
        if r.status_code == 403 or time.monotonic() - revoked > 2.0:
            break
        assert r.status_code == 202
        await asyncio.sleep(0.02)
    assert r.status_code == 403
    assert time.monotonic() - revoked < 0.9


# --------------------------------------------------------------------------- freelancers


async def test_another_freelancers_token_gets_404_on_every_id(web: Running) -> None:
    async def freelancer(name: str) -> dict[str, str]:
        r = await web.client.post("/v1/freelancers", json={"display_name": name})
        assert r.status_code == 201
        return {"Authorization": f"Bearer {r.json()['token']}"}

    alice, mallory = await freelancer("alice"), await freelancer("mallory")
    r = await web.client.post(
        "/v1/channels", json={"kind": "email", "address": "alice@example.jp"}, headers=alice
    )
    assert r.status_code == 201, r.text
    channel = r.json()
    r = await web.client.post(
        "/v1/subscriptions", json={"name": "PMO", "domains": ["pmo"]}, headers=alice
    )
    assert r.status_code == 201, r.text
    subscription = r.json()
    (channel,) = (await web.client.get("/v1/channels", headers=alice)).json()  # used by PMO
    (token,) = (await web.client.get("/v1/tokens", headers=alice)).json()
    ids = {
        "channel_id": channel["id"],
        "subscription_id": subscription["id"],
        "token_id": token["id"],
    }

    checked = []
    for method, path, op in operations(web.openapi()):
        if "{" not in path or (method, path) in PUBLIC_OPERATIONS:
            continue
        names = re.findall(r"\{([^}]+)\}", path)
        assert all(n in ids for n in names), f"no id of alice's for {path}: extend this test"
        body = (
            {"name": "mallory was here", "remote_modes": ["onsite"]}
            if "requestBody" in op
            else None
        )
        r = await call(web.client, method, fill_path(path, ids), json=body, headers=mallory)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        checked.append((method, path))
    assert len(checked) >= 12

    # Alice's data is as she left it; mallory's own lists show none of it.
    r = await web.client.get(f"/v1/subscriptions/{subscription['id']}", headers=alice)
    assert r.status_code == 200
    assert r.json() == subscription
    r = await web.client.get("/v1/channels", headers=alice)
    assert r.json() == [channel]
    assert (await web.client.get("/v1/me", headers=alice)).status_code == 200  # token kept
    for listing in ("/v1/channels", "/v1/subscriptions", "/v1/tokens"):
        mine = (await web.client.get(listing, headers=mallory)).json()
        assert all(item["id"] not in ids.values() for item in mine), listing
