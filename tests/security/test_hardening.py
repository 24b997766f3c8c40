"""The ops surface of every service: an empty admin token opens nothing, /metrics wants a
token, /docs and /openapi.json are off unless enabled, and every answer carries security
headers (nosniff, no framing, no referrer, no-store on API answers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import SecretStr

from gigalert_ingest.api.app import create_app as create_ingest
from gigalert_matcher.api.app import create_app as create_matcher
from gigalert_notifier.api.app import create_app as create_notifier
from gigalert_shared.settings import HttpSettings, Settings
from gigalert_web.app import create_app as create_web
from tests.security.conftest import ADMIN_TOKEN, METRICS, Running, operations

FACTORIES: dict[str, Callable[[Settings], FastAPI]] = {
    "ingest": lambda s: create_ingest(s),
    "matcher": lambda s: create_matcher(s, consume=False),
    "notifier": lambda s: create_notifier(s, consume=False, send=False),
    "web": lambda s: create_web(s),
}


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            yield c


@pytest.mark.parametrize("empty", ["", "   "])
async def test_an_empty_admin_token_means_no_ops_api(settings: Settings, empty: str) -> None:
    cfg = settings.model_copy(update={"http": HttpSettings(admin_token=SecretStr(empty))})
    app = create_notifier(cfg, consume=False, send=False)
    async for c in _client(app):
        ops = operations(app.openapi())
        assert ops
        for method, path, _ in ops:
            url = path.replace("{id}", "00000000-0000-0000-0000-000000000000")
            for headers in (
                {},
                {"Authorization": "Bearer "},
                {"Authorization": f"Bearer {empty}"},
                {"Authorization": "Bearer"},
                {"Authorization": f"Bearer {ADMIN_TOKEN}"},
            ):
                body = {"ids": ["00000000-0000-0000-0000-000000000000"]}
                r = await c.request(method, url, headers=headers, json=body)
                assert r.status_code in (403, 404), (method, path, headers, r.status_code)
        # /metrics is not opened by an empty admin token either.
        for headers in ({}, {"Authorization": "Bearer "}):
            assert (await c.get("/metrics", headers=headers)).status_code == 404


@pytest.mark.parametrize("name", sorted(FACTORIES))
async def test_metrics_is_404_without_any_token_configured(settings: Settings, name: str) -> None:
    async for c in _client(FACTORIES[name](settings)):
        assert (await c.get("/metrics")).status_code == 404
        assert (await c.get("/metrics", headers=METRICS)).status_code == 404
        assert (await c.get("/healthz")).status_code == 200


@pytest.mark.parametrize("name", sorted(FACTORIES))
async def test_the_admin_token_reads_metrics_too(settings: Settings, name: str) -> None:
    cfg = settings.model_copy(update={"http": HttpSettings(admin_token=SecretStr(ADMIN_TOKEN))})
    async for c in _client(FACTORIES[name](cfg)):
        r = await c.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/plain")
        assert (await c.get("/metrics")).status_code == 401


@pytest.mark.parametrize("name", sorted(FACTORIES))
async def test_docs_only_when_enabled(settings: Settings, name: str) -> None:
    cfg = settings.model_copy(update={"http": HttpSettings(docs=True)})
    async for c in _client(FACTORIES[name](cfg)):
        r = await c.get("/openapi.json")
        assert r.status_code == 200 and r.json()["info"]["title"].startswith("gigalert")
        assert (await c.get("/docs")).status_code == 200
    async for c in _client(FACTORIES[name](settings)):
        for path in ("/openapi.json", "/docs", "/redoc"):
            assert (await c.get(path)).status_code == 404


API_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


async def _headers_of(r: httpx.Response) -> dict[str, Any]:
    return {k: r.headers.get(k) for k in (*API_HEADERS, "referrer-policy")}


async def test_every_service_answers_with_security_headers(
    ingest: Running, matcher: Running, notifier: Running, web: Running
) -> None:
    calls = [
        (ingest, "get", "/healthz", {}),
        (ingest, "post", "/v1/gigs", {}),  # 401
        (ingest, "get", "/nowhere", {}),  # 404
        (ingest, "get", "/metrics", METRICS),
        (matcher, "get", "/readyz", {}),
        (matcher, "get", "/metrics", {}),  # 401
        (notifier, "get", "/v1/ops/deliveries", {"Authorization": f"Bearer {ADMIN_TOKEN}"}),
        (notifier, "get", "/v1/ops/deliveries", {}),  # 401
        (web, "get", "/healthz", {}),
        (web, "get", "/v1/me", {}),  # 401, JSON API
        (web, "post", "/v1/freelancers", {}),  # 422
    ]
    for app, method, path, headers in calls:
        r = await app.client.request(method, path, headers=headers)
        got = await _headers_of(r)
        for name, value in API_HEADERS.items():
            assert got[name] == value, (app.base_url, path, r.status_code, name, got)
        assert got["referrer-policy"] in ("no-referrer", "same-origin"), (app.base_url, path)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, (app.base_url, path, csp)
