"""Plain ASGI middleware for every answer of the web app: security headers, and the Origin
check on unsafe requests to pages (with SameSite=Lax cookies and the per-session CSRF token
that every signed-in form carries)."""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
_HEADERS: Final = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # same-origin: our own form posts keep their Origin header (no-referrer would make it
    # "null"), and no one-time link in a path ever leaves the site in a Referer.
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_UNSAFE: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Called by other servers, not by browsers of our users: LINE's webhook, one-click
# unsubscribe by mail providers (RFC 8058), and the bearer-token JSON API.
_NO_ORIGIN_CHECK: Final = ("/line/webhook", "/v1/")
_API_PATHS: Final = ("/v1/", "/line/", "/metrics", "/healthz", "/readyz")


def origin_allowed(origin: str | None, allowed: str) -> bool:
    """A browser sends Origin on every unsafe request; another site's (or "null") is
    refused. No Origin at all is not a browser: curl and scripts carry no ambient cookies
    worth forging, and signed-in forms are still checked by their CSRF token."""
    return origin is None or origin == allowed


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, allowed_origin: str, https: bool) -> None:
        self.app = app
        self.allowed_origin = allowed_origin
        self.headers = list(_HEADERS)
        if https:
            self.headers.append(
                (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if scope["method"] in _UNSAFE and not path.startswith(_NO_ORIGIN_CHECK):
            origin = next(
                (v.decode("latin-1") for k, v in scope["headers"] if k == b"origin"), None
            )
            if not origin_allowed(origin, self.allowed_origin):
                await _forbidden(send)
                return

        api = path.startswith(_API_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *self.headers]
                if api and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))  # API answers: never cached
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _forbidden(send: Send) -> None:
    body = b'{"detail":"cross-origin request refused (Origin)"}'
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
