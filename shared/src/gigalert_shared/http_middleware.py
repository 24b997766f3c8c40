"""Plain ASGI middleware every service's app may use: security headers on every answer
(:class:`ApiSecurityHeaders`) and an observer of each request's route, status and time
(:class:`RequestObserver`, for the services' request metrics)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["API_SECURITY_HEADERS", "ApiSecurityHeaders", "Observe", "RequestObserver"]

API_SECURITY_HEADERS: Final = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]
_DOCS_CSP: Final = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'"
)


def _on_start(send: Send, hook: Callable[[Message], None]) -> Send:
    """``send``, calling ``hook`` with the ``http.response.start`` message first."""

    async def send_after_hook(message: Message) -> None:
        if message["type"] == "http.response.start":
            hook(message)
        await send(message)

    return send_after_hook


class ApiSecurityHeaders:
    """For the JSON services (ingest, matcher, notifier): nosniff, no framing, no referrer,
    ``no-store`` on every answer. Headers the app set itself win. (/docs, when enabled, gets
    a CSP that lets Swagger UI load.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in ("/docs", "/redoc")

        def add_headers(message: Message) -> None:
            headers = list(message.get("headers", []))
            present = {k.lower() for k, _ in headers}
            for name, value in API_SECURITY_HEADERS:
                if name not in present:
                    if docs and name == b"content-security-policy":
                        value = _DOCS_CSP
                    headers.append((name, value))
            message["headers"] = headers

        await self.app(scope, receive, _on_start(send, add_headers))


Observe = Callable[[str, int, float], None]
"""Called after each HTTP request with its route template (never the raw path, which may
hold a one-time token; "unmatched" when no route matched), its status (500 when handling
raised or ended before answering: what the server then sends) and its seconds."""


class RequestObserver:
    """Calls ``observe`` once for every HTTP request, answered or raising."""

    def __init__(self, app: ASGIApp, *, observe: Observe) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status: int | None = None

        def remember(message: Message) -> None:
            nonlocal status
            status = message["status"]

        try:
            await self.app(scope, receive, _on_start(send, remember))
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.observe(route, 500 if status is None else status, time.perf_counter() - start)
