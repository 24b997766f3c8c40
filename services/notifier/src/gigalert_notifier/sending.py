"""One send through Apprise 2.x, and what its result means for the delivery.

Every alert goes through an Apprise plugin (the design's choice); how they are used here is
built for throughput:

* **Email**: :class:`PooledEmail`, a subclass of Apprise's ``NotifyEmail``. One instance per
  SMTP configuration (the ``mailto://`` URL without its per-mail parts: ``to=`` and the
  ``+Header`` parameters), built once and shared by every mail; the recipient and headers of
  each mail reach its ``send()`` through a context variable. Apprise still builds the
  message (``NotifyEmail.prepare_emails``: multipart/alternative, the text part converted
  from the HTML, encoded headers) and opens the connection (``AppriseSMTPController``: TLS
  modes, login), but the SMTP session is kept open in a bounded :class:`SmtpPool` and reused
  for the next mails: no connect, EHLO, STARTTLS and login per mail. A session is closed
  after ``max_messages`` mails (servers limit mails per connection), after being idle
  ``idle_seconds``, and after any error; a kept session the server had dropped (or that
  answers 421 to MAIL) is replaced and the mail tried once more on a fresh one, since
  nothing of it was sent yet.
* **Slack, LINE (and Apprise's ``json://``, used by the bench)**: the plugins post through
  ``requests``; their modules' ``requests`` is replaced by :class:`_PooledRequests`, which
  sends through one ``requests.Session`` per host (keep-alive, at most ``per_host``
  connections, cookies never kept) and notes the answer's status and ``Retry-After``. A
  plugin instance is kept per URL (:class:`_IdlePlugins`) and lent to one send at a time.
* Sends run in our own thread pool (not a fresh ``Apprise`` object and its dispatch per
  send), each plugin's ``notify()`` called directly; its throttle and retries are off
  (backoff, jitter, ``Retry-After`` and provider rate limits are the worker's job).

Results are read from what the send itself saw (:class:`_Call`: the SMTP exception or the
refused recipients, the HTTP status and ``Retry-After``), never from Apprise's DEBUG log
records, so Apprise's logger stays at WARNING.

Cancellation: the blocking send runs in a worker thread. When ``timeout`` expires (or the
caller is cancelled) we stop waiting, but a send already on the wire may still complete: a
timeout is reported as transient, so the delivery may in rare cases arrive twice (at least
once, never silently lost). The same holds for a process killed mid-send.

Classification:

* an URL Apprise cannot load → **permanent** ("no usable URL");
* the plugin reported success → ok;
* HTTP: 400, 401, 403, 404, 410 → **permanent**; 429 → **rate_limited** (transient, with
  ``retry_after`` from the answer's ``Retry-After`` when it has one); any other code →
  transient; a connection error (no code) → transient;
* SMTP: a recipient refused with 5xx → **permanent**; refused with 4xx → transient; a
  connection, TLS or login failure → transient ("SMTP connection failed"); anything else at
  or after MAIL/DATA (sender refused, 4xx/5xx on DATA, disconnects) → transient: it is about
  our server or our message, not the address, and ends ``dead`` after the attempt limit;
* an address that is not a valid email address → **permanent**;
* anything else → transient.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import http.cookiejar
import importlib
import logging
import os
import smtplib
import ssl
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

import apprise
import requests
from apprise import NotifyFormat
from apprise.manager_plugins import NotificationManager

# The email plugin imports ``imghdr`` (for PGPy), which warns on Python 3.11–3.12; under
# ``-W error`` (our pytest config) the import would fail. See load_apprise_plugins.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
    from apprise.plugins.email import NotifyEmail
    from apprise.plugins.email.smtp import AppriseSMTPController

__all__ = [
    "PERMANENT_HTTP_STATUSES",
    "PooledEmail",
    "SendOutcome",
    "SmtpPool",
    "close",
    "configure",
    "configure_apprise_logging",
    "load_apprise_plugins",
    "send",
]

log = logging.getLogger(__name__)

PERMANENT_HTTP_STATUSES: Final = frozenset({400, 401, 403, 404, 410})
RATE_LIMITED_HTTP_STATUS: Final = 429
_ERROR_MAX: Final = 500
_RETRY_AFTER_MAX: Final = 3600.0

BodyFormat = Literal["html", "markdown", "text"]
_FORMATS: Final[dict[str, NotifyFormat]] = {
    "html": NotifyFormat.HTML,
    "markdown": NotifyFormat.MARKDOWN,
    "text": NotifyFormat.TEXT,
}


@dataclass(frozen=True, slots=True)
class SendOutcome:
    ok: bool
    permanent: bool
    rate_limited: bool
    retry_after: float | None
    http_status: int | None
    error: str | None


def _ok() -> SendOutcome:
    return SendOutcome(True, False, False, None, None, None)


def _failed(
    error: str,
    *,
    permanent: bool = False,
    rate_limited: bool = False,
    retry_after: float | None = None,
    http_status: int | None = None,
) -> SendOutcome:
    return SendOutcome(
        ok=False,
        permanent=permanent,
        rate_limited=rate_limited,
        retry_after=retry_after,
        http_status=http_status,
        error=error[:_ERROR_MAX],
    )


# ------------------------------------------------------------------ what one send saw


@dataclass(slots=True)
class _Call:
    """Filled in the worker thread by our plugin and transport during one send."""

    recipient: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    http_status: int | None = None
    http_body: bytes = b""
    retry_after: float | None = None
    error: BaseException | None = None  # transport exception (HTTP or SMTP)
    connect_failed: bool = False  # SMTP: connect, TLS or login failed
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)  # SMTP RCPT
    no_recipient: bool = False


_CALL: Final[contextvars.ContextVar[_Call | None]] = contextvars.ContextVar(
    "gigalert_send_call", default=None
)


# ------------------------------------------------------------------ Apprise logging

_APPRISE_LOGGER: Final = "apprise"
_FORWARD_TO: Final = "gigalert_notifier.apprise"


class _ForwardWarnings(logging.Handler):
    """Passes Apprise's WARNING+ records on to our own logger (and so to the root's)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(_FORWARD_TO).handle(record)


def configure_apprise_logging() -> None:
    """Apprise's own records: WARNING and above, handed on to ``gigalert_notifier.apprise``.
    Nothing is read from them (results come from :class:`_Call`), so DEBUG records are never
    made. Idempotent."""
    logger = logging.getLogger(_APPRISE_LOGGER)
    if any(isinstance(h, _ForwardWarnings) for h in logger.handlers):
        return
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.addHandler(_ForwardWarnings())


_plugins_loaded = False
_load_lock = threading.Lock()


def load_apprise_plugins() -> None:
    """Apprise imports its ~190 plugin modules on first use. The email plugin imports
    ``imghdr`` (for PGPy), which warns ``DeprecationWarning`` on Python 3.11–3.12; under
    ``-W error`` (our pytest config) that import would fail and break every later send.
    Load them once with that one warning silenced, then put our HTTP transport into the
    Slack, LINE and JSON plugins. :func:`send` calls this; call it yourself before using
    Apprise directly (e.g. ``Apprise.instantiate`` in a test)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    with _load_lock:
        _load_locked()


def _load_locked() -> None:
    global _plugins_loaded
    if _plugins_loaded:  # another thread loaded them while this one waited
        return
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="'imghdr' is deprecated", category=DeprecationWarning
        )
        manager: Any = NotificationManager  # untyped in apprise 2.3
        manager().load_modules()
    _reuse_smtp_tls_context()
    _fast_qp_header_length()
    for name in _HTTP_PLUGIN_MODULES:
        module: Any = importlib.import_module(name)
        if getattr(module, "requests", None) is requests:
            module.requests = _transport
    _plugins_loaded = True


class _CachedDefaultContext:
    """Stands in for the ``ssl`` module inside Apprise's SMTP controller.

    Apprise 2.3 builds a new default SSL context (parsing the whole CA bundle, ~90 ms of
    CPU) for every connection, even over plain SMTP. A context can serve many connections,
    so we hand out one, built once. We never turn certificate checks off (Apprise only
    mutates the context when a URL says ``verify=no``, and our URLs never do)."""

    def __init__(self) -> None:
        self._context: ssl.SSLContext | None = None

    def create_default_context(self, *args: Any, **kwargs: Any) -> ssl.SSLContext:
        if args or kwargs:
            return ssl.create_default_context(*args, **kwargs)
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)


def _reuse_smtp_tls_context() -> None:
    module: Any = importlib.import_module("apprise.plugins.email.smtp")
    if getattr(module, "ssl", None) is ssl:
        module.ssl = _CachedDefaultContext()


def _fast_qp_header_length() -> None:
    """``email.quoprimime.header_length`` in C speed. The stdlib sums a Python generator
    over every byte, and folding a Japanese subject calls it for each candidate split: it
    was the largest single cost of building a mail (about a third). Same result by
    construction: the safe bytes are read from the stdlib's own table."""
    import email.quoprimime as qp

    table: Any = qp._QUOPRI_HEADER_MAP  # type: ignore[attr-defined]
    if getattr(qp.header_length, "_gigalert", False):
        return
    safe = bytes(b for b in range(256) if len(table[b]) == 1)

    def header_length(data: Any) -> int:
        raw = bytes(data)
        return len(raw) + 2 * len(raw.translate(None, safe))

    header_length._gigalert = True  # type: ignore[attr-defined]
    qp.header_length = header_length  # type: ignore[assignment]


# ------------------------------------------------------------------ HTTP: keep-alive per host

_HTTP_PLUGIN_MODULES: Final = (
    "apprise.plugins.slack",
    "apprise.plugins.line",
    "apprise.plugins.custom_json",
)


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _retry_after(value: str | None) -> float | None:
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


class _PooledRequests:
    """Stands in for the ``requests`` module inside Apprise's HTTP plugins: the same
    ``request``/``post``/``get`` calls, sent through one ``requests.Session`` per host
    (keep-alive; at most ``per_host`` pooled connections per host). The answer's status
    and ``Retry-After`` are noted on the send's :class:`_Call`."""

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
        call = _CALL.get()
        if call is not None:
            call.http_status = int(response.status_code)
            headers = getattr(response, "headers", None) or {}
            call.retry_after = _retry_after(headers.get("Retry-After"))
            if not 200 <= call.http_status < 300:
                call.http_body = (getattr(response, "content", b"") or b"")[:300]
        return response

    def _failed(self, exc: BaseException) -> None:
        call = _CALL.get()
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


_transport = _PooledRequests()


# ------------------------------------------------------------------ SMTP: a pool of sessions


class _Stage(Exception):
    """An SMTP failure and the step it happened at (``mail`` means nothing was sent)."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.stage, self.cause = stage, cause


@dataclass(slots=True)
class _Session:
    controller: AppriseSMTPController
    smtp: smtplib.SMTP
    sent: int = 0
    idle_since: float = 0.0


_DISCONNECTED: Final = (smtplib.SMTPServerDisconnected, OSError)


class SmtpPool:
    """At most ``size`` open SMTP sessions to one server (opened by Apprise's
    ``AppriseSMTPController``), reused across mails by any thread.

    :meth:`deliver` takes an idle session (or opens one), sends one mail and gives the
    session back. A session is closed after ``max_messages`` mails, after ``idle_seconds``
    unused, after any error, and when the server answers 421. A kept session that turns out
    dropped before MAIL was accepted (the server closed it while idle) is replaced and the
    mail is tried once more: nothing of it had been sent."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        secure_mode: str,
        user: str | None,
        password: str | None,
        verify_certificate: bool,
        timeout: float,
        size: int,
        max_messages: int,
        idle_seconds: float,
    ) -> None:
        self._args = {
            "host": host,
            "port": port,
            "secure_mode": secure_mode,
            "user": user,
            "password": password,
            "verify_certificate": verify_certificate,
        }
        self.timeout = timeout
        self.max_messages = max_messages
        self.idle_seconds = idle_seconds
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Session] = []
        self._lock = threading.Lock()
        self.opened = 0  # sessions opened so far (tests, metrics)

    def _open(self, timeout: float) -> _Session:
        controller = AppriseSMTPController(socket_connect_timeout=timeout, **self._args)  # type: ignore[arg-type]
        controller.__enter__()
        smtp: Any = controller._socket
        smtp.ehlo_or_helo_if_needed()
        self.opened += 1
        return _Session(controller, smtp)

    @staticmethod
    def _close(session: _Session) -> None:
        with contextlib.suppress(Exception):
            session.controller.__exit__(None, None, None)

    @staticmethod
    def _drop(session: _Session) -> None:
        """Close without QUIT (the session is in an unknown state)."""
        with contextlib.suppress(Exception):
            session.smtp.close()

    def _take(self) -> _Session | None:
        now = time.monotonic()
        with self._lock:
            while self._idle:
                session = self._idle.pop()
                if now - session.idle_since <= self.idle_seconds:
                    return session
                self._close(session)
        return None

    def _give_back(self, session: _Session) -> None:
        if session.sent >= self.max_messages:
            self._close(session)
            return
        session.idle_since = time.monotonic()
        with self._lock:
            self._idle.append(session)

    def deliver(self, from_addr: str, to_addrs: list[str], message: str, timeout: float) -> None:
        """Send one mail; raises :class:`_Stage` (with the step) or a connection error."""
        if not self._slots.acquire(timeout=timeout):
            raise smtplib.SMTPConnectError(-1, b"no SMTP session free in time")
        try:
            session = self._take()
            if session is not None:
                try:
                    self._transact(session, from_addr, to_addrs, message, timeout)
                    return
                except _Stage as failed:
                    if not (failed.stage == "mail" and _stale(failed.cause)):
                        raise
                    # The kept session was gone before MAIL was accepted: a fresh one.
            try:
                session = self._open(timeout)
            except _Stage:
                raise
            except Exception as exc:
                raise _Stage("connect", exc) from exc
            self._transact(session, from_addr, to_addrs, message, timeout)
        finally:
            self._slots.release()

    def _transact(
        self, session: _Session, from_addr: str, to_addrs: list[str], message: str, timeout: float
    ) -> None:
        """MAIL, RCPT, DATA (as ``smtplib.SMTP.sendmail``), knowing the step of a failure.
        The session goes back to the pool after a success or a clean refusal (RSET)."""
        smtp = session.smtp
        if smtp.sock is not None:
            smtp.sock.settimeout(timeout)
        stage = "mail"
        try:
            options = [f"size={len(message.encode('utf-8'))}"] if smtp.has_extn("size") else []
            code, resp = smtp.mail(from_addr, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, resp, from_addr)
            stage = "rcpt"
            refused: dict[str, tuple[int, bytes]] = {}
            for addr in to_addrs:
                code, resp = smtp.rcpt(addr)
                if code not in (250, 251):
                    refused[addr] = (code, resp)
                if code == 421:
                    raise smtplib.SMTPRecipientsRefused(refused)
            if len(refused) == len(to_addrs):
                raise smtplib.SMTPRecipientsRefused(refused)
            stage = "data"
            code, resp = smtp.data(message)
            if code != 250:
                raise smtplib.SMTPDataError(code, resp)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            closing = getattr(exc, "smtp_code", None) == 421 or any(
                c == 421 for c, _ in getattr(exc, "recipients", {}).values()
            )
            if closing:
                self._drop(session)
            else:
                try:
                    smtp.rset()
                except Exception:
                    self._drop(session)
                else:
                    self._give_back(session)
            raise _Stage(stage, exc) from exc
        except Exception as exc:
            self._drop(session)
            raise _Stage(stage, exc) from exc
        session.sent += 1
        self._give_back(session)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for session in idle:
            self._close(session)


def _stale(exc: BaseException) -> bool:
    """A kept session that the server had dropped, or that it is closing (421)."""
    if isinstance(exc, _DISCONNECTED):
        return True
    return getattr(exc, "smtp_code", None) == 421


@dataclass(frozen=True, slots=True)
class PoolSettings:
    size: int = 8
    max_messages: int = 100
    idle_seconds: float = 30.0


class PooledEmail(NotifyEmail):  # type: ignore[no-untyped-call]  # untyped in apprise 2.3
    """Apprise's email plugin with its SMTP sessions kept in a :class:`SmtpPool`.

    One instance serves every mail to one SMTP configuration: each mail's recipient and
    headers come from the send's :class:`_Call`. The message is built by Apprise
    (``NotifyEmail.prepare_emails``) exactly as its own ``send()`` would; only the
    connection handling differs. What went wrong is noted on the :class:`_Call`."""

    pool: SmtpPool

    def attach_pool(self, settings: PoolSettings, timeout: float) -> None:
        me: Any = self  # Apprise's attributes are untyped
        self.pool = SmtpPool(
            host=me.smtp_host,
            port=int(me.port),
            secure_mode=str(me.secure_mode),
            user=me.user,
            password=me.password,
            verify_certificate=bool(me.verify_certificate),
            timeout=timeout,
            size=settings.size,
            max_messages=settings.max_messages,
            idle_seconds=settings.idle_seconds,
        )

    def send(
        self,
        body: str,
        title: str = "",
        notify_type: Any = None,
        attach: Any = None,
        body_format: Any = None,
        **kwargs: Any,
    ) -> bool:
        me: Any = self  # Apprise's attributes are untyped
        call = _CALL.get() or _Call()
        recipient = call.recipient
        targets = [(False, recipient)] if recipient else list(self.targets)
        if not targets:
            call.no_recipient = True
            return False
        headers = {"X-Application": self.app_id, **self.headers, **call.headers}
        try:
            messages = list(
                NotifyEmail.prepare_emails(
                    subject=title,
                    body=body,
                    notify_format=self.resolve_format(body_format),
                    from_addr=self.from_addr,
                    to=targets,
                    smtp_host=self.smtp_host,
                    headers=headers,
                    names=self.names,
                    tzinfo=self.tzinfo,
                )
            )
        except Exception as exc:
            call.error = exc
            return False
        try:
            for message in messages:
                self.pool.deliver(
                    str(me.from_addr[1]), message.to_addrs, message.body, self.pool.timeout
                )
        except _Stage as failed:
            cause = failed.cause
            if failed.stage == "connect":
                call.connect_failed = True
            if isinstance(cause, smtplib.SMTPRecipientsRefused):
                call.refused = {
                    str(a): (int(c), _text(m)) for a, (c, m) in cause.recipients.items()
                }
            call.error = cause
            return False
        except Exception as exc:  # the pool's own timeout
            call.connect_failed = True
            call.error = exc
            return False
        return True


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# ------------------------------------------------------------------ plugins


@lru_cache(maxsize=32)
def _asset(service_timeout: float) -> apprise.AppriseAsset:
    """Shared settings for plugin instances: our name, no Apprise logo URLs in payloads,
    no Apprise retries, and Apprise's own deadline just behind ours."""
    return apprise.AppriseAsset(
        app_id="gigalert",
        app_desc="gigalert gig alerts",
        app_url="https://gigalert.invalid/",
        image_url_mask="",
        image_url_logo="",
        default_service_retry=0,
        service_timeout=service_timeout,
    )


def _tune(service: Any, timeout: float) -> None:
    """No throttle, no retries, sockets within ``timeout``."""
    if hasattr(service, "request_rate_per_sec"):
        service.request_rate_per_sec = 0
    if hasattr(service, "retry"):
        service.retry = 0
    for name in ("socket_connect_timeout", "socket_read_timeout"):
        current = getattr(service, name, None)
        if isinstance(current, int | float) and current > timeout:
            setattr(service, name, float(timeout))


class _IdlePlugins:
    """Plugin instances kept between sends, by (URL, timeout), for URLs that repeat: a
    Slack webhook or a LINE user gets the same URL every time. An instance is lent to one
    send at a time (taken out while in use, so two threads never share it) and comes back
    only after a send that finished: one that timed out may still be running, so its
    instance is dropped. Used from the event loop thread only."""

    def __init__(self, max_urls: int = 512) -> None:
        self._idle: OrderedDict[tuple[str, float], list[Any]] = OrderedDict()
        self._max_urls = max_urls

    def take(self, url: str, timeout: float) -> Any | None:
        idle = self._idle.get((url, timeout))
        return idle.pop() if idle else None

    def give_back(self, url: str, timeout: float, service: Any) -> None:
        key = (url, timeout)
        self._idle.setdefault(key, []).append(service)
        self._idle.move_to_end(key)
        while len(self._idle) > self._max_urls:
            self._idle.popitem(last=False)

    def clear(self) -> None:
        self._idle.clear()


_plugins = _IdlePlugins()


@dataclass(frozen=True, slots=True)
class _EmailParts:
    base: str  # the URL without its per-mail parts: the key of the shared plugin
    recipient: str
    headers: dict[str, str]


def _split_email_url(url: str) -> _EmailParts | None:
    """``to=`` (unquoted once, as Apprise does) and the ``+Header`` parameters (name and
    value unquoted twice, as Apprise's email plugin does) apart from the rest."""
    head, sep, query = url.partition("?")
    if not sep:
        return None
    recipient = ""
    headers: dict[str, str] = {}
    rest: list[str] = []
    for pair in query.replace(";", "&").split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        raw = unquote(name)
        if raw.lower() == "to":
            recipient = unquote(value).strip()
        elif raw.startswith(("+", " ")) and len(raw) > 1:
            headers[unquote(raw[1:])] = unquote(unquote(value))
        else:
            rest.append(pair)
    if not recipient:
        return None
    return _EmailParts(f"{head}?{'&'.join(rest)}", recipient, headers)


_MAX_SMTP_CONFIGS: Final = 8


class _Plugins:
    """The shared :class:`PooledEmail` per SMTP configuration (and timeout)."""

    def __init__(self) -> None:
        self.email: dict[tuple[str, float], PooledEmail | None] = {}
        self.settings = PoolSettings()

    def email_plugin(self, base: str, timeout: float) -> PooledEmail | None:
        key = (base, timeout)
        if key in self.email:
            return self.email[key]
        plugin: PooledEmail | None = None
        try:
            cls: Any = PooledEmail  # untyped in apprise 2.3
            results = cls.parse_url(base)
            if results:
                results["asset"] = _asset(round(timeout + 5.0, 3))
                plugin = cls(**results)
        except Exception:
            plugin = None
        if plugin is not None:
            _tune(plugin, timeout)
            plugin.attach_pool(self.settings, timeout)
        while len(self.email) >= _MAX_SMTP_CONFIGS:  # one in production; tests make many
            oldest = self.email.pop(next(iter(self.email)))
            if oldest is not None:
                oldest.pool.close()
        self.email[key] = plugin
        return plugin

    def close(self) -> None:
        for plugin in self.email.values():
            if plugin is not None:
                plugin.pool.close()
        self.email.clear()


_shared = _Plugins()
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_size = 32


def configure(
    *,
    smtp_sessions: int = 8,
    smtp_max_messages: int = 100,
    smtp_idle_seconds: float = 30.0,
    http_per_host: int = 16,
    threads: int = 32,
) -> None:
    """Pool sizes for this process (the worker calls it from its settings at start)."""
    global _executor, _executor_size
    _shared.close()
    _shared.settings = PoolSettings(smtp_sessions, smtp_max_messages, smtp_idle_seconds)
    _transport.configure(http_per_host)
    if _executor is not None and _executor_size != threads:
        _executor.shutdown(wait=False)
        _executor = None
    _executor_size = threads


def close() -> None:
    """QUIT the kept SMTP sessions and close the HTTP connections (at shutdown)."""
    _shared.close()
    _transport.close()
    _plugins.clear()


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=_executor_size, thread_name_prefix="gigalert-send"
        )
    return _executor


def _instantiate(url: str, timeout: float) -> Any | None:
    service = apprise.Apprise.instantiate(url, asset=_asset(round(timeout + 5.0, 3)))
    if service is not None:
        _tune(service, timeout)
    return service


def _notify(service: Any, call: _Call, title: str, body: str, fmt: NotifyFormat) -> bool:
    """In a worker thread: the plugin's own ``notify()`` with this send's :class:`_Call`."""
    token = _CALL.set(call)
    try:
        return bool(service.notify(body=body, title=title, body_format=fmt))
    except Exception as exc:
        call.error = exc
        return False
    finally:
        _CALL.reset(token)


async def send(url: str, *, title: str, body: str, body_format: str, timeout: float) -> SendOutcome:
    """Send one message to one Apprise URL and classify the result (module docstring).

    ``body_format`` is ``"html"`` (email: multipart/alternative with a text part converted
    from the HTML), ``"markdown"`` (CommonMark; Slack gets mrkdwn) or ``"text"``. Services
    that cannot show a title (LINE) get none: Apprise would prepend it to the body, so such
    bodies must be complete on their own.
    """
    fmt = _FORMATS.get(body_format)
    if fmt is None:
        raise ValueError(f"body_format must be html, markdown or text, got {body_format!r}")
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    configure_apprise_logging()
    load_apprise_plugins()

    call = _Call()
    scheme = url[:8].lower()
    smtp = scheme.startswith(("mailto:", "mailtos:"))
    kept: Any | None = None
    if smtp:
        parts = _split_email_url(url)
        service: Any | None = None
        if parts is not None:
            if not _valid_address(parts.recipient):
                return _failed("no valid recipient: the address is not valid", permanent=True)
            service = _shared.email_plugin(parts.base, timeout)
            call.recipient, call.headers = parts.recipient, parts.headers
    else:
        service = kept = _plugins.take(url, timeout) or _instantiate(url, timeout)
    if service is None:
        return _failed("no usable URL: Apprise could not load it", permanent=True)
    if getattr(service, "title_maxlen", 1) == 0:
        title = ""

    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(_pool(), _notify, service, call, title, body, fmt)
    try:
        ok = await asyncio.wait_for(future, timeout)
    except TimeoutError:
        return _failed(f"timed out after {timeout:g}s (the send may still have completed)")
    if kept is not None:
        _plugins.give_back(url, timeout, kept)
    outcome = _classify(ok, call, smtp=smtp)
    if outcome.error:
        return SendOutcome(
            outcome.ok,
            outcome.permanent,
            outcome.rate_limited,
            outcome.retry_after,
            outcome.http_status,
            _scrub(outcome.error, url)[:_ERROR_MAX],
        )
    return outcome


def _valid_address(address: str) -> bool:
    from apprise.utils.parse import is_email

    check: Any = is_email  # untyped in apprise 2.3
    return bool(check(address))


# ------------------------------------------------------------------ classification


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _classify(ok: bool, call: _Call, *, smtp: bool) -> SendOutcome:
    if ok:
        return _ok()
    if smtp:
        return _classify_smtp(call)
    status = call.http_status
    if status is not None and not 200 <= status < 300:
        detail = " ".join(_text(call.http_body).split())[:200]
        what = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status == RATE_LIMITED_HTTP_STATUS:
            return _failed(
                f"HTTP {status} (rate limited)" + (f": {detail}" if detail else ""),
                rate_limited=True,
                retry_after=call.retry_after,
                http_status=status,
            )
        return _failed(what, permanent=status in PERMANENT_HTTP_STATUSES, http_status=status)
    if call.error is not None:
        return _failed(f"connection error: {_describe(call.error)}")
    if status is not None:
        return _failed(f"HTTP {status} but the service did not accept the message")
    return _failed("send failed")


def _classify_smtp(call: _Call) -> SendOutcome:
    if call.no_recipient:
        return _failed("no valid recipient: the mail has no recipient", permanent=True)
    exc = call.error
    if call.refused:
        text = "; ".join(
            f"{addr} {code} {' '.join(msg.split())}".strip()
            for addr, (code, msg) in call.refused.items()
        )
        if any(500 <= code < 600 for code, _ in call.refused.values()):
            return _failed(f"SMTP recipient refused: {text}", permanent=True)
        return _failed(f"SMTP recipient deferred: {text}")
    if exc is None:
        return _failed("SMTP failed")
    if call.connect_failed:
        return _failed(f"SMTP connection failed: {_describe(exc)}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _failed(
            f"SMTP failed: sender {exc.sender} refused: {exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return _failed(f"SMTP failed: server answered: {exc.smtp_code} {_text(exc.smtp_error)}")
    return _failed(f"SMTP failed: {_describe(exc)}")


# ------------------------------------------------------------------ secrets out of errors


def _secrets_of(url: str) -> list[str]:
    """Secret parts of an Apprise URL (password, LINE token, webhook path), for scrubbing."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found: list[str] = []
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    if parts.scheme.lower() == "line" and parts.netloc:
        token = parts.netloc.rsplit("@", 1)[-1]
        found += [token, unquote(token)]
    if parts.netloc.lower() == "hooks.slack.com":
        found += [s for s in parts.path.split("/")[2:] if s]
    return [s for s in found if len(s) >= 4]


def _scrub(text: str, url: str) -> str:
    for secret in sorted(set(_secrets_of(url)), key=len, reverse=True):
        text = text.replace(secret, "****")
    return text
