"""The freelancer JSON API as scripts and other tests use it: a running web app's client,
freelancers with their API tokens, a typical saved search."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from asgi_lifespan import LifespanManager

from gigalert_shared.settings import Settings
from gigalert_web.app import create_app as create_web

PMO_SUB = {
    "name": "PMO副業",
    "remote_modes": ["remote"],
    "min_rate_jpy_h": 4500,
    "domains": ["pmo"],
    "keywords_any": ["ＰＭＯ"],
    "max_days_per_week": 2,
}


@dataclass
class Freelancer:
    id: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def new_freelancer(client: httpx.AsyncClient, name: str = "田中 太郎") -> Freelancer:
    r = await client.post("/v1/freelancers", json={"display_name": name})
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"] == "no-store"
    return Freelancer(r.json()["id"], r.json()["token"])


@asynccontextmanager
async def web_api(
    settings: Settings, base_url: str = "http://web"
) -> AsyncIterator[httpx.AsyncClient]:
    """The web app, started, and a client for it."""
    async with (
        LifespanManager(create_web(settings), startup_timeout=60, shutdown_timeout=30) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url=base_url) as c,
    ):
        yield c
