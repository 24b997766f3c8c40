from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from gigalert_ingest.api.app import create_app
from gigalert_ingest.platforms import create_platform
from gigalert_shared.settings import HttpSettings, Settings

METRICS_TOKEN = "ingest-tests-metrics-token"
METRICS = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
async def platform_key(db: asyncpg.Connection) -> str:
    _, key = await create_platform(db, name="marketing-board")
    return key


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    http = HttpSettings(max_body_bytes=64_000, metrics_token=SecretStr(METRICS_TOKEN))
    settings = settings.model_copy(update={"http": http})
    app = create_app(settings, max_batch=20)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as c:
            yield c
