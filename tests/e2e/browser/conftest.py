"""The whole system for a real browser: web served by uvicorn on a free port (Debian's
Chromium needs a real address), ingest, matcher and notifier in this process, the local SMTP
sink, a fake Slack endpoint; Playwright driving the system's `chromium`."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from playwright.async_api import Browser, async_playwright
from pydantic import SecretStr

from gigalert_ingest.api.app import create_app as create_ingest
from gigalert_matcher.api.app import create_app as create_matcher
from gigalert_notifier.api.app import create_app as create_notifier
from gigalert_shared.settings import NotifierSettings, Settings, SmtpSettings, WebSettings
from gigalert_web.app import create_app as create_web
from tests.conftest import SMTP_PORT
from tests.integration.web.conftest import LINE_SECRET
from tests.support.fake_slack import FakeSlack, fake_slack
from tests.support.ports import free_port

__all__ = ["fake_slack"]

# Where screenshots go when asked for (`make screenshots`); the test suite writes nothing.
SCREENSHOTS = os.environ.get("GIGALERT_SCREENSHOTS_DIR")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Stack:
    base: str
    ingest: httpx.AsyncClient
    settings: Settings
    slack: FakeSlack


@pytest.fixture
async def stack(settings: Settings, fake_slack: FakeSlack) -> AsyncIterator[Stack]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = settings.model_copy(
        update={
            "smtp": SmtpSettings(port=SMTP_PORT),
            "notifier": NotifierSettings(poll_interval_seconds=0.2),
            "web": WebSettings(
                public_base_url=base,
                line_channel_secret=SecretStr(LINE_SECRET),
                slack_webhook_prefix=fake_slack.prefix,
            ),
        }
    )
    server = uvicorn.Server(
        uvicorn.Config(create_web(cfg), host="127.0.0.1", port=port, log_config=None)
    )
    serving = asyncio.create_task(server.serve())
    for _ in range(400):  # uvicorn offers no event to wait on
        if server.started:
            break
        await asyncio.sleep(0.05)
    ingest = LifespanManager(create_ingest(cfg), startup_timeout=60)
    matcher = LifespanManager(create_matcher(cfg), startup_timeout=60)
    notifier = LifespanManager(create_notifier(cfg), startup_timeout=60)
    async with (
        ingest,
        matcher,
        notifier,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=ingest.app), base_url="http://ingest"
        ) as i,
    ):
        yield Stack(base=base, ingest=i, settings=cfg, slack=fake_slack)
    server.should_exit = True
    await serving


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    assert path, "Debian's chromium is missing: run deploy/local/bootstrap.sh"
    return path


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        await launched.close()


def screenshot_path(name: str) -> Path | None:
    if not SCREENSHOTS:
        return None
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
