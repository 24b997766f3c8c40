"""A notifier with a LINE token reads LINE's push quota (here: a local server standing in for
the Messaging API, which cannot be reached from here) and shows it on /metrics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from gigalert_notifier.api.app import create_app
from gigalert_shared.settings import Settings
from tests.support.http_stub import answer, read_request

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

METRICS_TOKEN = "m" * 48


class FakeLineApi:
    def __init__(self) -> None:
        self.port = 0
        self.tokens: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        self.tokens.append(request.headers.get("authorization", ""))
        if request.path == "/v2/bot/message/quota":
            body: dict[str, object] = {"type": "limited", "value": 5000}
        else:
            body = {"totalUsage": 4321}
        await answer(writer, 200, json.dumps(body).encode())


@pytest.fixture
async def line_api() -> AsyncIterator[FakeLineApi]:
    api = FakeLineApi()
    server = await asyncio.start_server(api.handle, "127.0.0.1", 0)
    api.port = server.sockets[0].getsockname()[1]
    yield api
    server.close()


async def test_the_quota_shows_on_metrics(settings: Settings, line_api: FakeLineApi) -> None:
    cfg = settings.model_copy(
        update={
            "notifier": settings.notifier.model_copy(
                update={
                    "line_channel_token": SecretStr("line-token-under-test"),
                    "line_api_base_url": f"http://127.0.0.1:{line_api.port}",
                    "line_quota_poll_seconds": 0.1,
                }
            ),
            "http": settings.http.model_copy(update={"metrics_token": SecretStr(METRICS_TOKEN)}),
        }
    )
    app = create_app(cfg, consume=False)
    async with LifespanManager(app, startup_timeout=60):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as client:
            text = ""
            for _ in range(100):
                r = await client.get(
                    "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
                )
                text = r.text
                if "gigalert_notifier_line_quota_used 4321.0" in text:
                    break
                await asyncio.sleep(0.05)
    assert "gigalert_notifier_line_quota_used 4321.0" in text
    assert "gigalert_notifier_line_quota_limit 5000.0" in text
    assert line_api.tokens and set(line_api.tokens) == {"Bearer line-token-under-test"}
