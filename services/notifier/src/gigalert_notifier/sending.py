"""One send through Apprise 2.x, and what its result means for the delivery.

:func:`send` loads the URL into a fresh :class:`apprise.Apprise` with one plugin instance
(kept for the next send to the same Slack/LINE URL: :class:`_IdlePlugins`), so nothing
Apprise keeps per instance decides our pacing: the instance's
``request_rate_per_sec`` throttle is set to 0 and its own retries to 0 (backoff, jitter,
``Retry-After`` and provider rate limits are the worker's job). The call runs under
:func:`asyncio.wait_for`; the plugin's socket timeouts are lowered to the same bound.

Cancellation: Apprise runs the blocking send in a worker thread. When ``timeout`` expires
(or the caller is cancelled) we stop waiting, but a send already on the wire may still
complete: a timeout is reported as transient, so the delivery may in rare cases arrive twice
(at least once, never silently lost). The same holds for a process killed mid-send.

Classification of the :class:`apprise.AppriseResult` (the per-service results' captured
log entries are the only place Apprise puts status codes):

* no result, ``NOMATCH``, or a URL Apprise cannot load → **permanent** ("no usable URL");
* ``SUCCESS`` → ok;
* ``TIMEOUT`` (Apprise's own deadline) → transient;
* HTTP plugins (Slack, LINE) log ``…error=NNN.`` on a non-2xx answer: 400, 401, 403, 404,
  410 → **permanent**; 429 → **rate_limited** (transient); any other code → transient;
  a connection error (no code) → transient. Apprise never exposes response headers, so
  ``retry_after`` is always ``None``: the caller picks the pause for a 429;
* SMTP: a recipient refused with 5xx (``SMTPRecipientsRefused``, or Apprise's "recipient …
  was refused: 5NN") → **permanent**; refused with 4xx → transient; a connection, TLS or
  login failure ("Connection error while submitting email") → transient; anything else at
  or after MAIL/DATA (sender refused, 4xx/5xx on DATA, disconnects) → transient: it is about
  our server or our message, not the address, and ends ``dead`` after the attempt limit;
* an address Apprise drops as invalid ("There are no Email recipients") → **permanent**;
* anything else → transient.

Apprise logs SMTP reply codes only at DEBUG, and a logger that is not enabled for DEBUG
never creates those records. So the first :func:`send` calls
:func:`configure_apprise_logging`: the ``apprise`` logger is set to DEBUG, stops
propagating, and hands only WARNING and above on to ``gigalert_notifier.apprise`` (so
process logs are not flooded with Apprise's debug lines, which include payloads).
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import logging
import re
import ssl
import warnings
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

import apprise
from apprise import AppriseResult, AppriseResultStatus, NotifyFormat
from apprise.manager_plugins import NotificationManager

__all__ = [
    "PERMANENT_HTTP_STATUSES",
    "SendOutcome",
    "configure_apprise_logging",
    "load_apprise_plugins",
    "send",
]

log = logging.getLogger(__name__)

PERMANENT_HTTP_STATUSES: Final = frozenset({400, 401, 403, 404, 410})
RATE_LIMITED_HTTP_STATUS: Final = 429
_ERROR_MAX: Final = 500

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
    http_status: int | None = None,
) -> SendOutcome:
    return SendOutcome(
        ok=False,
        permanent=permanent,
        rate_limited=rate_limited,
        retry_after=None,
        http_status=http_status,
        error=error[:_ERROR_MAX],
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
    """Let Apprise's DEBUG records exist (they carry SMTP reply codes into each result's
    captured logs) without sending them to the process's handlers. Idempotent."""
    logger = logging.getLogger(_APPRISE_LOGGER)
    if any(isinstance(h, _ForwardWarnings) for h in logger.handlers):
        return
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(_ForwardWarnings())


_plugins_loaded = False


def load_apprise_plugins() -> None:
    """Apprise imports its ~190 plugin modules on first use. The email plugin imports
    ``imghdr`` (for PGPy), which warns ``DeprecationWarning`` on Python 3.11–3.12; under
    ``-W error`` (our pytest config) that import would fail and break every later send.
    Load them once with that one warning silenced. :func:`send` calls this; call it
    yourself before using Apprise directly (e.g. ``Apprise.instantiate`` in a test)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="'imghdr' is deprecated", category=DeprecationWarning
        )
        manager: Any = NotificationManager  # untyped in apprise 2.3
        manager().load_modules()
    _reuse_smtp_tls_context()
    _plugins_loaded = True


class _CachedDefaultContext:
    """Stands in for the ``ssl`` module inside Apprise's SMTP controller.

    Apprise 2.3 builds a new default SSL context (parsing the whole CA bundle, ~90 ms of
    CPU) for every mail, even over plain SMTP; that capped us at ~15 mails/s. A context can
    serve many connections, so we hand out one, built once. We never turn certificate
    checks off (Apprise only mutates the context when a URL says ``verify=no``, and our
    URLs never do)."""

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


# ------------------------------------------------------------------ sending


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
    """One plugin instance, one send: no throttle, no retries, sockets within ``timeout``."""
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
    Slack webhook or a LINE user gets the same URL every time, and loading it
    (``Apprise.instantiate``: URL parsing, validation, redaction for Apprise's debug log)
    was about a sixth of the CPU of a webhook send. An instance is lent to one send at a
    time (taken out while in use, so Apprise's worker thread never shares it) and comes
    back only after a send that finished: one that timed out may still be running in
    Apprise's thread, so its instance is dropped. Email URLs carry each delivery's own
    headers, never repeat, and are not kept. Used from the event loop thread only."""

    def __init__(self, max_urls: int = 512) -> None:
        self._idle: OrderedDict[tuple[str, float], list[Any]] = OrderedDict()
        self._max_urls = max_urls

    @staticmethod
    def keeps(url: str) -> bool:
        return not url[:8].lower().startswith(("mailto:", "mailtos:"))

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


def _load(url: str, timeout: float, asset: apprise.AppriseAsset) -> Any | None:
    """A tuned plugin instance for ``url``: a kept one when there is one, else a new one."""
    service = _plugins.take(url, timeout) if _IdlePlugins.keeps(url) else None
    if service is None:
        service = apprise.Apprise.instantiate(url, asset=asset)
        if service is not None:
            _tune(service, timeout)
    return service


async def send(url: str, *, title: str, body: str, body_format: str, timeout: float) -> SendOutcome:
    """Send one message to one Apprise URL and classify the result (module docstring).

    ``body_format`` is ``"html"`` (email: Apprise sends multipart/alternative with a text
    part converted from the HTML), ``"markdown"`` (CommonMark; Slack gets mrkdwn) or
    ``"text"``. Services that cannot show a title (LINE) get none: Apprise would prepend it
    to the body, so such bodies must be complete on their own.
    """
    fmt = _FORMATS.get(body_format)
    if fmt is None:
        raise ValueError(f"body_format must be html, markdown or text, got {body_format!r}")
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    configure_apprise_logging()
    load_apprise_plugins()

    asset = _asset(round(timeout + 5.0, 3))
    service = _load(url, timeout, asset)
    if service is None:
        return _failed("no usable URL: Apprise could not load it", permanent=True)
    if getattr(service, "title_maxlen", 1) == 0:
        title = ""
    notifier = apprise.Apprise(asset=asset)
    notifier.add(service)

    try:
        result = await asyncio.wait_for(
            notifier.async_notify(body=body, title=title, body_format=fmt, log_level=logging.DEBUG),
            timeout,
        )
    except TimeoutError:
        return _failed(f"timed out after {timeout:g}s (the send may still have completed)")
    except Exception as exc:  # a crash in Apprise must still end as an outcome
        log.exception("Apprise raised")
        return _failed(_scrub(f"Apprise raised {type(exc).__name__}: {exc}", url))
    if _IdlePlugins.keeps(url) and (result is None or result.status != AppriseResultStatus.TIMEOUT):
        _plugins.give_back(url, timeout, service)
    try:
        outcome = _classify(result, smtp=urlsplit(url).scheme.lower() in ("mailto", "mailtos"))
    finally:
        if result is not None:
            result.close()
    if outcome.error:
        return replace(outcome, error=_scrub(outcome.error, url)[:_ERROR_MAX])
    return outcome


# ------------------------------------------------------------------ classification

_HTTP_STATUS: Final = re.compile(r"\berror=(\d{3})\b")
_SOCKET_EXCEPTION: Final = re.compile(r"^Socket Exception: (.*)$", re.DOTALL)
_RECIPIENT_REFUSED: Final = re.compile(r"recipient (.+?) was refused: (\d{3})\b(.*)$", re.S)
_SMTP_CONNECT_FAILED: Final = "Connection error while submitting email"
_NO_RECIPIENTS: Final = "There are no Email recipients"
_PROBLEM_LEVELS: Final = frozenset({"WARNING", "ERROR", "CRITICAL"})


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _smtp_detail(detail: str) -> tuple[str, list[tuple[str, int, str]]] | None:
    """Read an ``smtplib`` exception's ``str()``: ``("recipients", [(addr, code, msg)])``
    for SMTPRecipientsRefused, ``("sender", …)`` for SMTPSenderRefused, ``("reply", …)``
    for another SMTPResponseException; None when it is not one of those."""
    if len(detail) > 4000 or not detail.startswith(("{", "(")):
        return None
    try:
        value = ast.literal_eval(detail)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None
    if isinstance(value, dict):
        refused = [
            (str(addr), int(reply[0]), _text(reply[1]))
            for addr, reply in value.items()
            if isinstance(reply, tuple) and len(reply) == 2 and isinstance(reply[0], int)
        ]
        return ("recipients", refused) if refused else None
    if isinstance(value, tuple) and value and isinstance(value[0], int):
        if len(value) == 3:
            return "sender", [(_text(value[2]), value[0], _text(value[1]))]
        if len(value) == 2:
            return "reply", [("", value[0], _text(value[1]))]
    return None


def _summary(messages: Iterable[str]) -> str:
    seen: list[str] = []
    for m in messages:
        m = " ".join(m.split())
        if m and m not in seen:
            seen.append(m)
    return "; ".join(seen) or "send failed"


def _classify(result: AppriseResult | None, *, smtp: bool) -> SendOutcome:
    if result is None or result.status == AppriseResultStatus.NOMATCH or len(result) == 0:
        return _failed("no usable URL: Apprise had nothing to notify", permanent=True)
    if result.status == AppriseResultStatus.SUCCESS:
        return _ok()

    entries = list(result.logs())
    problems = [e.message for e in entries if e.level in _PROBLEM_LEVELS]
    summary = _summary(problems)
    if result.status == AppriseResultStatus.TIMEOUT:
        return _failed(f"Apprise timed out: {summary}")

    # HTTP plugins: "...error=404."
    codes = [int(c) for m in problems for c in _HTTP_STATUS.findall(m)]
    if codes:
        status = codes[-1]
        if status == RATE_LIMITED_HTTP_STATUS:
            return _failed(
                f"HTTP {status} (rate limited): {summary}", rate_limited=True, http_status=status
            )
        return _failed(
            f"HTTP {status}: {summary}",
            permanent=status in PERMANENT_HTTP_STATUSES,
            http_status=status,
        )

    details = [d.group(1) for e in entries if (d := _SOCKET_EXCEPTION.match(e.message)) is not None]
    if not smtp:
        return _failed(f"{summary} ({_summary(details)})" if details else summary)

    # SMTP
    if any(m.startswith(_SMTP_CONNECT_FAILED) for m in problems):
        return _failed(f"SMTP connection failed: {_summary(details or problems)}")
    refused: list[tuple[str, int, str]] = []
    other: list[str] = []
    for e in entries:
        if (m := _RECIPIENT_REFUSED.search(e.message)) is not None:
            refused.append((m.group(1), int(m.group(2)), m.group(3).strip()))
            continue
        if (d := _SOCKET_EXCEPTION.match(e.message)) is None:
            continue
        parsed = _smtp_detail(d.group(1))
        if parsed is None:
            other.append(d.group(1))
            continue
        kind, replies = parsed
        if kind == "recipients":
            refused += replies
            continue
        for who, code, msg in replies:
            what = f"sender {who} refused" if kind == "sender" else "server answered"
            other.append(f"{what}: {code} {msg}")
    if refused:
        text = "; ".join(f"{addr} {code} {msg}".strip() for addr, code, msg in refused)
        if any(500 <= code < 600 for _, code, _ in refused):
            return _failed(f"SMTP recipient refused: {text}", permanent=True)
        return _failed(f"SMTP recipient deferred: {text}")
    if any(_NO_RECIPIENTS in m for m in problems):
        return _failed(f"no valid recipient: {summary}", permanent=True)
    if other:
        return _failed(f"SMTP failed: {_summary(other)} ({summary})")
    return _failed(summary)


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
