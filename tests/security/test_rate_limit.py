"""Rate limiting of authentication failures: the limiter's logic, then each API's use of it
(20 failures from one address → its further failures get 429 with Retry-After, while its
valid credentials keep working; others unaffected; fine again after the window)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from gigalert_ingest.platforms import create_platform
from gigalert_shared.auth_limit import (
    DEFAULT_MAX_FAILURES,
    DEFAULT_WINDOW_SECONDS,
    AuthFailureLimiter,
    client_key,
)
from gigalert_shared.http_errors import document_auth_failures
from tests.security.conftest import (
    ADMIN_TOKEN,
    METRICS,
    PUBLIC_OPERATIONS,
    FakeClock,
    Running,
    operations,
)
from tests.security.test_auth import GIG
from tests.support.openapi_docs import APPS, document

# ----------------------------------------------------------------------------- the logic


def test_blocks_after_max_failures_until_the_window_passes() -> None:
    clock = FakeClock()
    limiter = AuthFailureLimiter(max_failures=3, window_seconds=60, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("a") is None
        limiter.record_failure("a")
    assert limiter.retry_after("a") == 60
    clock.advance(20.5)
    assert limiter.retry_after("a") == 40  # rounded up: never tells a client to come early
    assert limiter.retry_after("b") is None
    clock.advance(39.5)
    assert limiter.retry_after("a") is None
    assert len(limiter) == 0  # expired entries are dropped


def test_the_window_slides() -> None:
    clock = FakeClock()
    limiter = AuthFailureLimiter(max_failures=3, window_seconds=60, clock=clock)
    limiter.record_failure("a")
    clock.advance(30)
    limiter.record_failure("a")
    limiter.record_failure("a")
    assert limiter.retry_after("a") == 30  # until the first failure is a window old
    clock.advance(30)
    assert limiter.retry_after("a") is None  # one more try...
    limiter.record_failure("a")
    assert limiter.retry_after("a") == 30  # ...and blocked again until the second expires


def test_memory_is_bounded() -> None:
    clock = FakeClock()
    limiter = AuthFailureLimiter(max_failures=2, window_seconds=60, max_keys=100, clock=clock)
    for i in range(1000):
        for _ in range(5):
            limiter.record_failure(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter) == 100
    assert limiter.retry_after("10.0.0.0") is None  # the oldest were forgotten
    assert limiter.retry_after("10.0.3.231") == 60  # the newest are remembered
    assert all(len(v) <= 2 for v in limiter._failures.values())


def test_defaults_and_arguments() -> None:
    limiter = AuthFailureLimiter()
    assert (limiter.max_failures, limiter.window_seconds) == (20, 60.0)
    assert (DEFAULT_MAX_FAILURES, DEFAULT_WINDOW_SECONDS) == (20, 60.0)
    for bad in ({"max_failures": 0}, {"window_seconds": 0}, {"max_keys": 0}):
        with pytest.raises(ValueError):
            AuthFailureLimiter(**bad)  # type: ignore[arg-type]
    assert client_key(None) == "unknown"
    assert client_key(httpx.URL("http://x")) == "x"  # anything with a .host


# ---------------------------------------------------------------------------- the APIs

Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def _exercise(app: Running, good: Call, bad: Call, ok: int, refused: int) -> None:
    attacker = app.client_from("203.0.113.9")
    bystander = app.client_from("198.51.100.7")

    # Successes don't count, before or between the failures.
    for _ in range(25):
        assert (await good(attacker)).status_code == ok
    for i in range(DEFAULT_MAX_FAILURES):
        assert (await bad(attacker)).status_code == refused, i
        if i < 5:
            assert (await good(attacker)).status_code == ok
    # The 21st failure (failure #20 was the last allowed) is refused with 429, and so is
    # every further one; valid credentials from the same address still work.
    for _ in range(3):
        r = await bad(attacker)
        assert r.status_code == 429, r.text
        assert r.headers["Retry-After"] == "60"
        assert (await good(attacker)).status_code == ok
    # Requests that need no credentials still work for that address.
    assert (await attacker.get("/healthz")).status_code == 200

    # Another address is not affected at all.
    assert (await good(bystander)).status_code == ok
    assert (await bad(bystander)).status_code == refused

    app.clock.advance(45)
    r = await bad(attacker)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "15"
    assert (await good(attacker)).status_code == ok
    app.clock.advance(15)
    assert (await good(attacker)).status_code == ok
    assert (await bad(attacker)).status_code == refused


async def test_ingest_limits_bad_api_keys(ingest: Running, db: asyncpg.Connection) -> None:
    _, key = await create_platform(db, name="limited")
    n = 0

    async def post(client: httpx.AsyncClient, key: str) -> httpx.Response:
        nonlocal n
        n += 1
        gig = {**GIG, "external_id": f"job-{n}"}
        return await client.post("/v1/gigs", json=gig, headers={"X-API-Key": key})

    async def good(c: httpx.AsyncClient) -> httpx.Response:
        return await post(c, key)

    async def bad(c: httpx.AsyncClient) -> httpx.Response:
        return await post(c, key[:-1] + ("A" if key[-1] != "A" else "B"))

    await _exercise(ingest, good, bad, ok=202, refused=401)


async def test_web_limits_bad_tokens(web: Running) -> None:
    r = await web.client.post("/v1/freelancers", json={"display_name": "limited"})
    token = r.json()["token"]

    async def good(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    async def bad(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get("/v1/me", headers={"Authorization": f"Bearer {token}x"})

    await _exercise(web, good, bad, ok=200, refused=401)
    # Signing up stays open to a blocked address (it needs no credentials).
    blocked = web.client_from("192.0.2.1")
    for _ in range(DEFAULT_MAX_FAILURES):
        await bad(blocked)
    assert (await bad(blocked)).status_code == 429
    r = await blocked.post("/v1/freelancers", json={"display_name": "new"})
    assert r.status_code == 201


async def test_notifier_limits_bad_admin_tokens(notifier: Running) -> None:
    async def good(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get("/v1/ops/deliveries", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    async def bad(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get("/v1/ops/deliveries", headers={"Authorization": "Bearer guess"})

    await _exercise(notifier, good, bad, ok=200, refused=401)


async def test_metrics_limits_bad_tokens(ingest: Running) -> None:
    async def good(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get("/metrics", headers=METRICS)

    async def bad(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get("/metrics", headers={"Authorization": "Bearer guess"})

    await _exercise(ingest, good, bad, ok=200, refused=401)


async def test_a_revoked_key_is_a_failure_and_a_valid_one_still_works(
    ingest: Running, db: asyncpg.Connection
) -> None:
    _, revoked = await create_platform(db, name="old")
    _, valid = await create_platform(db, name="new")
    await db.execute("UPDATE platforms SET revoked_at = now() WHERE name = 'old'")
    c = ingest.client_from("192.0.2.99")
    codes = [
        (await c.post("/v1/gigs", json=GIG, headers={"X-API-Key": revoked})).status_code
        for _ in range(DEFAULT_MAX_FAILURES + 2)
    ]
    assert codes == [403] * DEFAULT_MAX_FAILURES + [429, 429]
    r = await c.post("/v1/gigs", json=GIG, headers={"X-API-Key": valid})
    assert r.status_code == 202, r.text


async def test_requests_without_credentials_are_not_failures(ingest: Running) -> None:
    c = ingest.client_from("192.0.2.44")
    for _ in range(3 * DEFAULT_MAX_FAILURES):
        assert (await c.post("/v1/gigs", json=GIG)).status_code == 401
    assert len(ingest.app.state.auth_limiter) == 0


# ------------------------------------------------------------------------ documentation


@pytest.mark.parametrize("name", sorted(APPS))
def test_every_operation_that_takes_credentials_documents_429(name: str) -> None:
    for method, path, op in operations(document(name)):
        responses = op["responses"]
        if (method, path) in PUBLIC_OPERATIONS:
            assert "429" not in responses, (method, path)
            continue
        assert "401" in responses, (method, path)
        assert "Retry-After" in responses["429"]["headers"], (method, path)


def test_auth_failures_are_added_without_replacing_what_an_operation_says() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/a": {
                "parameters": [],
                "get": {"security": [{"HTTPBearer": []}], "responses": {"200": {}}},
                "post": {"responses": {"429": {"description": "ours"}, "200": {}}},
                "put": {"responses": {"200": {}}},
            }
        }
    }
    out = document_auth_failures(doc)["paths"]["/a"]
    assert list(out["get"]["responses"]) == ["200", "401", "429"]
    assert out["post"]["responses"]["429"]["description"] == "ours"
    assert "Retry-After" in out["post"]["responses"]["429"]["headers"]
    assert out["put"]["responses"] == {"200": {}}
