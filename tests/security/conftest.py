"""The real apps (real Postgres and Kafka through the shared fixtures), with clients that can
pretend to come from any address (the auth-failure limiter keys on it). The web app sends
no mail here (a recording mailer) and its Slack test messages go to a stand-in that takes
them all: the production Slack prefix and its rules stay in force."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import SecretStr

from gigalert_ingest.api.app import create_app as create_ingest
from gigalert_matcher.api.app import create_app as create_matcher
from gigalert_notifier.api.app import create_app as create_notifier
from gigalert_shared.auth_limit import AuthFailureLimiter
from gigalert_shared.settings import HttpSettings, Settings, SmtpSettings
from gigalert_web.app import create_app as create_web
from gigalert_web.mailer import Mailer
from tests.conftest import SMTP_PORT

ADMIN_TOKEN = "adm_" + "Zq8" * 12  # the notifier's admin token in these tests
METRICS_TOKEN = "met_" + "Kx7" * 12  # every app's /metrics token in these tests
METRICS = {"Authorization": f"Bearer {METRICS_TOKEN}"}
PUBLIC_OPERATIONS = {
    ("post", "/v1/freelancers"),
    ("get", "/v1/unsubscribe/{token}"),
    ("post", "/v1/unsubscribe/{token}"),
    ("post", "/v1/unsubscribe/{token}/undo"),
    ("post", "/line/webhook"),  # signed by LINE (X-Line-Signature), not by a token
}
UNDOCUMENTED_PUBLIC_PATHS = ("/healthz", "/readyz")  # /metrics wants a token


class FakeClock:
    """A monotonic clock the tests move by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingMailer(Mailer):
    """Keeps the web app's account mail instead of sending it."""

    def __init__(self) -> None:
        super().__init__(SmtpSettings(port=SMTP_PORT))
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, *, to: str, subject: str, text: str) -> None:
        self.sent.append((to, subject, text))


class AcceptingSlack:
    """Stands in for the web app's SlackTester: every test message goes through."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send_test(self, url: str, message: str) -> str | None:
        self.sent.append((url, message))
        return None

    async def close(self) -> None:
        pass


@dataclass
class Running:
    """A started app: the FastAPI object (for `app.state`), its ASGI entry and a client."""

    app: FastAPI
    asgi: Any
    client: httpx.AsyncClient
    clock: FakeClock
    base_url: str
    _others: list[httpx.AsyncClient] = field(default_factory=list)

    def client_from(self, host: str) -> httpx.AsyncClient:
        """A client whose requests come from ``host`` (request.client.host)."""
        c = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.asgi, client=(host, 40000)),
            base_url=self.base_url,
        )
        self._others.append(c)
        return c

    def openapi(self) -> dict[str, Any]:
        return self.app.openapi()


@asynccontextmanager
async def running(app: FastAPI, base_url: str) -> AsyncIterator[Running]:
    clock = FakeClock()
    app.state.auth_limiter = AuthFailureLimiter(clock=clock)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        if hasattr(app.state, "slack_tester"):  # the web app: no message leaves the machine
            await app.state.slack_tester.close()
            app.state.slack_tester = AcceptingSlack()
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as c:
            r = Running(app, manager.app, c, clock, base_url)
            try:
                yield r
            finally:
                for other in r._others:
                    await other.aclose()


@pytest.fixture
def metrics_settings(settings: Settings) -> Iterator[Settings]:
    yield settings.model_copy(update={"http": HttpSettings(metrics_token=SecretStr(METRICS_TOKEN))})


@pytest.fixture
def admin_settings(settings: Settings) -> Iterator[Settings]:
    http = HttpSettings(admin_token=SecretStr(ADMIN_TOKEN), metrics_token=SecretStr(METRICS_TOKEN))
    yield settings.model_copy(update={"http": http})


@pytest.fixture
async def ingest(metrics_settings: Settings) -> AsyncIterator[Running]:
    async with running(create_ingest(metrics_settings, max_batch=50), "http://ingest") as r:
        yield r


@pytest.fixture
async def matcher(metrics_settings: Settings) -> AsyncIterator[Running]:
    """The matcher without its consumer: only its ops routes answer HTTP."""
    async with running(create_matcher(metrics_settings, consume=False), "http://matcher") as r:
        yield r


@pytest.fixture
async def web(metrics_settings: Settings) -> AsyncIterator[Running]:
    """The web app: the freelancer API (and the pages)."""
    app = create_web(metrics_settings)
    app.state.mailer = RecordingMailer()
    async with running(app, "http://web") as r:
        yield r


@pytest.fixture
async def notifier(admin_settings: Settings) -> AsyncIterator[Running]:
    app = create_notifier(admin_settings, consume=False, send=False)
    async with running(app, "http://notifier") as r:
        yield r


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every operation of an OpenAPI document."""
    methods = ("get", "put", "post", "delete", "patch", "head", "options")
    return [
        (method, path, op)
        for path, item in sorted(doc["paths"].items())
        for method, op in sorted(item.items())
        if method in methods
    ]
