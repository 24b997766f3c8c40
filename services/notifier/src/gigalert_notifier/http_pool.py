"""Keep-alive HTTP for Apprise's Slack, LINE and JSON plugins: :class:`PooledRequests`
stands in for their ``requests`` module and sends through one ``aiohttp`` session in the
event loop (at most ``per_host`` connections, cookies never kept), noting each
answer's status and ``Retry-After`` on the send's :class:`Call`."""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
import certifi
import requests
from requests.structures import CaseInsensitiveDict

from gigalert_notifier.greenlet_bridge import await_only
from gigalert_notifier.send_call import CALL

HTTP_PLUGIN_MODULES: Final = (
    "apprise.plugins.slack",
    "apprise.plugins.line",
    "apprise.plugins.custom_json",
)
_RETRY_AFTER_MAX: Final = 3600.0


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), bounded."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), _RETRY_AFTER_MAX)


class PooledRequests:
    """Stands in for the ``requests`` module inside Apprise's HTTP plugins: the same
    ``request``/``post``/``get`` calls, each awaited on the event loop (the plugin runs in a
    greenlet: :mod:`gigalert_notifier.greenlet_bridge`) through one ``aiohttp`` session
    (keep-alive; at most ``per_host`` connections per host, cookies never kept). The plugin
    gets a ``requests.Response`` and ``requests``' exceptions, as it expects. The answer's
    status and ``Retry-After`` are noted on the send's :class:`Call`."""

    def __init__(self, per_host: int = 16) -> None:
        self._per_host = per_host
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the session's

    def __getattr__(self, name: str) -> Any:  # codes, exceptions, RequestException, …
        return getattr(requests, name)

    def configure(self, per_host: int) -> None:
        self._per_host = per_host
        self.close()

    def _client(self) -> aiohttp.ClientSession:
        session, loop = self._session, asyncio.get_running_loop()
        if session is None or session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=self._per_host)
            # The environment's proxies are read once per host (_proxy), not by aiohttp's
            # trust_env at every request (with a ~netrc lookup in a thread each time).
            session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False
            )
            self._session, self._loop = session, loop
        return session

    async def exchange(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request as ``requests`` would make it from these arguments, put on the wire
        by aiohttp; its errors raised as ``requests``' own."""
        if kwargs.get("files"):
            raise requests.RequestException("file uploads are not supported")
        auth = kwargs.get("auth")
        try:
            async with self._client().request(
                method.upper(),
                url,
                data=_content(kwargs.get("data")),
                json=kwargs.get("json"),
                params=kwargs.get("params"),
                headers=kwargs.get("headers"),
                auth=aiohttp.BasicAuth(*auth) if auth else None,
                timeout=_timeout(kwargs.get("timeout")),
                allow_redirects=bool(kwargs.get("allow_redirects", True)),
                ssl=_tls(kwargs.get("verify", True)),
                proxy=_proxy(url),
            ) as answer:
                return _as_requests(answer, await answer.read())
        except TimeoutError as exc:
            raise requests.Timeout(str(exc) or type(exc).__name__) from exc
        except aiohttp.ClientConnectionError as exc:
            raise requests.ConnectionError(str(exc) or type(exc).__name__) from exc
        except aiohttp.ClientError as exc:
            raise requests.RequestException(str(exc) or type(exc).__name__) from exc

    def _seen(self, response: requests.Response) -> requests.Response:
        call = CALL.get()
        if call is not None:
            call.http_status = int(response.status_code)
            call.retry_after = retry_after(response.headers.get("Retry-After"))
            if not 200 <= call.http_status < 300:
                call.http_body = (response.content or b"")[:300]
        return response

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._seen(await_only(self.exchange(method, url, **kwargs)))
        except Exception as exc:
            call = CALL.get()
            if call is not None:
                call.error = exc
            raise

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("post", url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("get", url, **kwargs)

    def close(self) -> None:
        """Forget the session (at a loop change its loop may be gone: nothing to close)."""
        self._session = None

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and self._loop is asyncio.get_running_loop():
            await session.close()


def _proxy(url: str) -> str | None:
    parts = urlsplit(url)
    return _proxy_for(parts.scheme.lower(), (parts.hostname or "").lower())


@lru_cache(maxsize=1024)
def _proxy_for(scheme: str, host: str) -> str | None:
    """The environment's proxy for this host (``HTTPS_PROXY``, ``NO_PROXY``…), read as
    ``requests`` reads it."""
    url = f"{scheme}://{host}/"
    found: str | None = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    return found


def _content(data: Any) -> bytes | None:
    if data is None or isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    raise requests.RequestException(f"unsupported request body: {type(data).__name__}")


def _timeout(value: Any) -> aiohttp.ClientTimeout:
    """``requests``' timeout: seconds, or (connect, read), or None (none)."""
    if isinstance(value, tuple):
        connect, read = value
        return aiohttp.ClientTimeout(sock_connect=connect, sock_read=read)
    return aiohttp.ClientTimeout(sock_connect=value, sock_read=value)


def _tls(verify: Any) -> ssl.SSLContext | bool:
    """``requests``' ``verify``: off only when False; a path is a CA bundle; otherwise
    ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` or certifi's bundle, as ``requests`` does."""
    if verify is False:
        return False
    if isinstance(verify, str):
        return _context(verify)
    return _default_context()


@lru_cache(maxsize=1)
def _default_context() -> ssl.SSLContext:
    """The environment's CA bundle is read once (at the first request)."""
    return _context(
        os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
    )


@lru_cache(maxsize=4)
def _context(cafile: str) -> ssl.SSLContext:
    """Built once per bundle (it parses the bundle)."""
    return ssl.create_default_context(cafile=cafile)


def _as_requests(answer: aiohttp.ClientResponse, body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = answer.status
    response._content = body
    response.headers = CaseInsensitiveDict(answer.headers.items())
    response.url = str(answer.url)
    response.reason = answer.reason or ""
    response.encoding = answer.charset
    return response


transport = PooledRequests()
