"""Keep-alive HTTP for Apprise's Slack, LINE and JSON plugins: :class:`PooledRequests`
stands in for their ``requests`` module and sends through one ``requests.Session`` per host
(at most ``per_host`` connections, cookies never kept), noting each answer's status and
``Retry-After`` on the send's :class:`Call`."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urlsplit

import requests

from gigalert_notifier.send_call import CALL

HTTP_PLUGIN_MODULES: Final = (
    "apprise.plugins.slack",
    "apprise.plugins.line",
    "apprise.plugins.custom_json",
)
_RETRY_AFTER_MAX: Final = 3600.0


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


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
    ``request``/``post``/``get`` calls, sent through one ``requests.Session`` per host
    (keep-alive; at most ``per_host`` pooled connections per host). The answer's status
    and ``Retry-After`` are noted on the send's :class:`Call`."""

    def __init__(self, per_host: int = 16) -> None:
        self._per_host = per_host
        self._sessions: dict[str, requests.Session] = {}
        self._lock = threading.Lock()
        self._ca_bundle: str | None = None

    def __getattr__(self, name: str) -> Any:  # codes, exceptions, RequestException, …
        return getattr(requests, name)

    def configure(self, per_host: int) -> None:
        with self._lock:
            self._per_host = per_host
            self._close_locked()

    def _session(self, url: str) -> requests.Session:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}".lower()
        session = self._sessions.get(key)
        if session is None:
            with self._lock:
                session = self._sessions.get(key)
                if session is None:
                    session = requests.Session()
                    session.cookies.set_policy(_NoCookies())
                    # The environment (proxies, NO_PROXY, a CA bundle) is read once here,
                    # not at every request (that scan was a third of requests' own cost).
                    session.trust_env = False
                    session.proxies.update(requests.utils.get_environ_proxies(key))
                    self._ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get(
                        "CURL_CA_BUNDLE"
                    )
                    adapter = requests.adapters.HTTPAdapter(
                        pool_connections=1, pool_maxsize=self._per_host, max_retries=0
                    )
                    session.mount("https://", adapter)
                    session.mount("http://", adapter)
                    self._sessions[key] = session
        return session

    def _seen(self, response: Any) -> Any:
        call = CALL.get()
        if call is not None:
            call.http_status = int(response.status_code)
            headers = getattr(response, "headers", None) or {}
            call.retry_after = retry_after(headers.get("Retry-After"))
            if not 200 <= call.http_status < 300:
                call.http_body = (getattr(response, "content", b"") or b"")[:300]
        return response

    def _failed(self, exc: BaseException) -> None:
        call = CALL.get()
        if call is not None:
            call.error = exc

    def _verify(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if self._ca_bundle and kwargs.get("verify", True) is True:
            kwargs["verify"] = self._ca_bundle
        return kwargs

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        kwargs = self._verify(kwargs)
        try:
            return self._seen(self._session(url).request(method, url, **kwargs))
        except Exception as exc:
            self._failed(exc)
            raise

    def post(self, url: str, **kwargs: Any) -> Any:
        kwargs = self._verify(kwargs)
        try:
            return self._seen(self._session(url).post(url, **kwargs))
        except Exception as exc:
            self._failed(exc)
            raise

    def get(self, url: str, **kwargs: Any) -> Any:
        kwargs = self._verify(kwargs)
        try:
            return self._seen(self._session(url).get(url, **kwargs))
        except Exception as exc:
            self._failed(exc)
            raise

    def _close_locked(self) -> None:
        for session in self._sessions.values():
            with contextlib.suppress(Exception):
                session.close()
        self._sessions.clear()

    def close(self) -> None:
        with self._lock:
            self._close_locked()


transport = PooledRequests()
