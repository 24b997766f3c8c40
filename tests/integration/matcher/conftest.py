from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gigalert_matcher.api.app import create_app
from gigalert_shared.settings import Settings
from tests.integration.web.api_client import web_api


@pytest.fixture
async def matcher(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The matcher, consuming; the client reaches its ops routes."""
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://matcher") as c:
            yield c


@pytest.fixture
async def web(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The web app's freelancer API, where saved searches are made."""
    async with web_api(settings) as c:
        yield c
