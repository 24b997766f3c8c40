from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gigalert_matcher.api.app import create_app
from gigalert_shared.settings import Settings


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
    return Freelancer(r.json()["id"], r.json()["token"])


@pytest.fixture
async def matcher(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://matcher") as c:
            yield c
