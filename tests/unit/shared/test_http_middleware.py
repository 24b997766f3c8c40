"""RequestObserver: one observation per request, by route template and status, a request
whose handling raised counted as the 500 the server sends."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gigalert_shared.http_middleware import RequestObserver


async def ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok", status_code=201)


async def boom(request: Request) -> PlainTextResponse:
    raise RuntimeError("boom")


async def test_each_request_is_observed_once_with_its_status() -> None:
    seen: list[tuple[str, int]] = []
    app = Starlette(routes=[Route("/items/{id}", ok), Route("/boom", boom)])
    app.add_middleware(RequestObserver, observe=lambda r, s, _: seen.append((r, s)))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/items/secret-token")).status_code == 201
        assert (await client.get("/nowhere")).status_code == 404
        assert (await client.get("/boom")).status_code == 500
    assert seen == [("/items/{id}", 201), ("unmatched", 404), ("/boom", 500)]


async def test_a_request_that_raises_still_raises_after_being_observed() -> None:
    seen: list[int] = []
    app = Starlette(routes=[Route("/boom", boom)])
    app.add_middleware(RequestObserver, observe=lambda _, s, __: seen.append(s))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with pytest.raises(RuntimeError, match="boom"):
            await client.get("/boom")
    assert seen == [500]
