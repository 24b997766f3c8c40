"""A local HTTP endpoint standing in for Slack's incoming webhooks (Slack cannot be reached
from here): tests point the allowed webhook prefix at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from tests.support.http_stub import answer, read_request


@dataclass
class FakeSlack:
    """A local HTTP endpoint standing in for Slack: answers 200 under /services/ok/…, 404
    elsewhere, and keeps every body it received."""

    port: int = 0
    received: list[bytes] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        ok = request.path.startswith("/services/T0K/")
        if ok:
            self.received.append(request.body)
        await answer(writer, 200 if ok else 404, b"ok" if ok else b"no_service", "text/plain")


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    server = await asyncio.start_server(slack.handle, "127.0.0.1", 0)
    slack.port = server.sockets[0].getsockname()[1]
    yield slack
    server.close()
    await server.wait_closed()
