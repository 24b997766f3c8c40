"""The web app against the real Postgres and SMTP sink: an ASGI client for pages and API,
a signed-in client, a local "Slack" endpoint and LINE webhook signing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from gigalert_shared.settings import Settings, SmtpSettings, WebSettings
from gigalert_web.app import create_app
from tests.conftest import SMTP_PORT
from tests.integration.web.mail import latest_link
from tests.support.fake_slack import FakeSlack, fake_slack

__all__ = ["FakeSlack", "fake_slack"]

BASE = "http://testserver"
LINE_SECRET = "line-channel-secret-for-tests"


@pytest.fixture
def web_settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    return settings.model_copy(
        update={
            "smtp": SmtpSettings(port=SMTP_PORT),
            "web": WebSettings(
                public_base_url=BASE,
                line_channel_secret=SecretStr(LINE_SECRET),
                slack_webhook_prefix=fake_slack.prefix,
            ),
        }
    )


@pytest.fixture
async def web_app(web_settings: Settings) -> AsyncIterator[Any]:
    async with LifespanManager(create_app(web_settings), startup_timeout=30) as manager:
        yield manager.app


NewClient = Callable[[], httpx.AsyncClient]


@pytest.fixture
async def client_factory(web_app: Any) -> AsyncIterator[NewClient]:
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=web_app), base_url=BASE)
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()


@pytest.fixture
async def client(client_factory: NewClient) -> httpx.AsyncClient:
    return client_factory()


def unique_address(tag: str = "web") -> str:
    return f"{tag}.{uuid.uuid4().hex[:12]}@example.jp"


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


async def log_in(client: httpx.AsyncClient, maildir: Path, address: str, nth: int = 1) -> str:
    """Sign up or log in through the magic link; returns the session's CSRF token."""
    asked = await client.post("/login", data={"email": address})
    assert asked.status_code == 200, asked.text
    link = await latest_link(maildir, address, "/auth/", count=nth)
    path = link.removeprefix(BASE)
    shown = await client.get(path)
    assert shown.status_code == 200
    done = await client.post(path)
    assert done.status_code == 303 and done.headers["location"] == "/home"
    home = await client.get("/home")
    assert home.status_code == 200
    return csrf_of(home.text)


def line_signature(body: bytes, secret: str = LINE_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def line_event(kind: str, user_id: str, text: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "timestamp": 1764633600000,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": uuid.uuid4().hex,
        "mode": "active",
    }
    if kind == "message":
        event["replyToken"] = uuid.uuid4().hex
        event["message"] = {"type": "text", "id": "1", "text": text}
    return event


async def post_line(
    client: httpx.AsyncClient, *events: dict[str, Any], signature: str | None = "sign"
) -> httpx.Response:
    body = json.dumps({"destination": "U" + "0" * 32, "events": list(events)}).encode()
    headers = {"content-type": "application/json"}
    if signature == "sign":
        headers["x-line-signature"] = line_signature(body)
    elif signature is not None:
        headers["x-line-signature"] = signature
    return await client.post("/line/webhook", content=body, headers=headers)


Waiter = Callable[[], Coroutine[Any, Any, Any]]
