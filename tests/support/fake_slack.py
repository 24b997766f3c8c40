"""A local HTTP endpoint standing in for Slack's incoming webhooks (Slack cannot be reached
from here): tests point the allowed webhook prefix at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest


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
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(
            (
                int(v)
                for k, _, v in (line.partition(": ") for line in lines)
                if k.lower() == "content-length"
            ),
            0,
        )
        body = await reader.readexactly(length)
        path = lines[0].split(" ")[1]
        ok = path.startswith("/services/T0K/")
        if ok:
            self.received.append(body)
        status = b"200 OK" if ok else b"404 Not Found"
        reply = b"ok" if ok else b"no_service"
        writer.write(
            b"HTTP/1.1 "
            + status
            + b"\r\ncontent-length: "
            + str(len(reply)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + reply
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    server = await asyncio.start_server(slack.handle, "127.0.0.1", 0)
    slack.port = server.sockets[0].getsockname()[1]
    yield slack
    server.close()
    await server.wait_closed()
