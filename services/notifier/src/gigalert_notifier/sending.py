"""One send through Apprise 2.x, and what its result means for the delivery.

Every alert goes through an Apprise plugin (the design's choice); how they are used here is
built for throughput:

* **Email**: the shared :class:`~gigalert_notifier.pooled_email.PooledEmail` of the SMTP
  configuration, awaited through its ``async_notify()`` in the event loop (no thread), its
  sessions kept in a bounded :class:`~gigalert_notifier.smtp_pool.SmtpPool`. A session is
  closed after ``max_messages`` mails (servers limit mails per connection), after being idle
  ``idle_seconds``, and after any error but a clean refusal; a kept session the server had
  dropped (or that answers 421 to MAIL) is replaced and the mail tried once more on a fresh
  one, since nothing of it was sent yet.
* **Slack, LINE (and Apprise's ``json://``, used by the bench)**: the plugins post through
  :class:`~gigalert_notifier.http_pool.PooledRequests` (keep-alive per host). A plugin
  instance is kept per URL (:class:`_IdlePlugins`) and lent to one send at a time.
* A webhook plugin's ``notify()`` is called directly (not through a fresh ``Apprise``
  object and its dispatch per send), in a greenlet of the event loop's thread
  (:mod:`~gigalert_notifier.greenlet_bridge`): its requests are awaited, no thread per send.
  Throttles and retries are off (backoff, jitter, ``Retry-After`` and provider rate limits
  are the worker's job).

Results are read from what the send itself saw (:class:`~gigalert_notifier.send_call.Call`)
and classified by :mod:`gigalert_notifier.outcome`.

Cancellation: when ``timeout`` expires (or the caller is cancelled) the send is cancelled
where it waits, but a request or mail already written may still have been accepted. A
timeout is reported as transient, so the delivery may in rare cases arrive twice (at least
once, never silently lost). The same holds for a process killed mid-send.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import OrderedDict
from functools import partial
from typing import Any, Final, Literal

import apprise
from apprise import NotifyFormat
from apprise.manager_plugins import NotificationManager

from gigalert_notifier.apprise_setup import (
    asset,
    configure_apprise_logging,
    load_apprise_plugins,
    tune,
)
from gigalert_notifier.apprise_urls import MailTo
from gigalert_notifier.greenlet_bridge import run_bridged
from gigalert_notifier.http_pool import transport
from gigalert_notifier.outcome import ERROR_MAX, SendOutcome, classify, failed, scrub
from gigalert_notifier.pooled_email import EmailPlugins, split_email_url
from gigalert_notifier.send_call import CALL, Call
from gigalert_notifier.smtp_pool import PoolSettings
from gigalert_shared.crypto import SLACK_PREFIX

__all__ = ["aclose", "close", "configure", "send"]

BodyFormat = Literal["html", "markdown", "text"]
_FORMATS: Final[dict[str, NotifyFormat]] = {
    "html": NotifyFormat.HTML,
    "markdown": NotifyFormat.MARKDOWN,
    "text": NotifyFormat.TEXT,
}


class _IdlePlugins:
    """Plugin instances kept between sends, by (URL, timeout), for URLs that repeat: a
    Slack webhook or a LINE user gets the same URL every time. An instance is lent to one
    send at a time (taken out while in use, so two sends in flight never share it) and comes
    back only after a send that finished: one that timed out is dropped. Used from the event
    loop's thread only."""

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

shared_email = EmailPlugins()


def configure(
    *,
    smtp_sessions: int = 8,
    smtp_max_messages: int = 100,
    smtp_idle_seconds: float = 30.0,
    http_per_host: int = 16,
) -> None:
    """Pool sizes for this process (the worker calls it from its settings at start)."""
    shared_email.close()
    shared_email.settings = PoolSettings(smtp_sessions, smtp_max_messages, smtp_idle_seconds)
    transport.configure(http_per_host)


def close() -> None:
    """Drop the kept SMTP sessions and close the HTTP connections."""
    shared_email.close()
    transport.close()
    _plugins.clear()


async def aclose() -> None:
    """QUIT the kept SMTP sessions and close the HTTP connections (at shutdown)."""
    await shared_email.aclose()
    await transport.aclose()
    close()


def _parsed(url: str) -> dict[str, Any] | None:
    """The plugin's own parse of our URLs (``slack``'s native webhook, ``line://``, ``json://``)
    without ``Apprise.instantiate``'s eager redaction of the URL for logs and, for a Slack
    webhook, its scan of every plugin's native-URL parser: half of a post's set-up. None:
    leave the URL to ``instantiate`` (which logs why it cannot load it)."""
    plugins: Any = NotificationManager  # untyped in apprise 2.3
    manager = plugins()
    schema = url.partition("://")[0].lower()
    if schema in manager:
        parsed: dict[str, Any] | None = manager[schema].parse_url(url.replace("/#", "/%23"))
    elif url.startswith(SLACK_PREFIX):
        parsed = manager["slack"].parse_native_url(url)
    else:
        parsed = None
    return parsed or None


def _instantiate(url: str, timeout: float) -> Any | None:
    service = apprise.Apprise.instantiate(_parsed(url) or url, asset=asset(round(timeout + 5.0, 3)))
    if service is not None:
        tune(service, timeout)
    return service


async def send(
    url: str,
    *,
    title: str,
    body: str,
    body_format: str,
    timeout: float,
    text: str | None = None,
    mail: MailTo | None = None,
) -> SendOutcome:
    """Send one message to one Apprise URL and classify the result (module docstring).

    ``body_format`` is ``"html"`` (email: multipart/alternative; its text part is ``text``
    when given, else Apprise's conversion of the HTML; ``mail`` gives the recipient and
    headers when ``url`` holds only the SMTP server), ``"markdown"`` (CommonMark; Slack
    gets mrkdwn) or ``"text"``. Services that cannot show a title (LINE) get none: Apprise
    would prepend it to the body, so such bodies must be complete on their own.
    """
    fmt = _FORMATS.get(body_format)
    if fmt is None:
        raise ValueError(f"body_format must be html, markdown or text, got {body_format!r}")
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    configure_apprise_logging()
    load_apprise_plugins()

    call = Call()
    scheme = url[:8].lower()
    smtp = scheme.startswith(("mailto:", "mailtos:"))
    kept: Any | None = None
    if smtp:
        service: Any | None = None
        if mail is None:
            parts = split_email_url(url)
            if parts is not None:
                if not _valid_address(parts.recipient):
                    return failed("no valid recipient: the address is not valid", permanent=True)
                url, mail = parts.base, MailTo(parts.recipient, parts.headers)
        if mail is not None:
            service = shared_email.email_plugin(url, timeout)
            call.recipient, call.headers, call.text = mail.recipient, mail.headers, text
    else:
        service = kept = _plugins.take(url, timeout) or _instantiate(url, timeout)
    if service is None:
        return failed("no usable URL: Apprise could not load it", permanent=True)
    if getattr(service, "title_maxlen", 1) == 0:
        title = ""

    # Email: the plugin's async_notify() in this loop. Webhooks: the plugin's own notify()
    # in a greenlet, its requests awaited here. Both see this send's Call.
    token = CALL.set(call)
    try:
        async with asyncio.timeout(timeout):
            try:
                if smtp:
                    ok = bool(await service.async_notify(body=body, title=title, body_format=fmt))
                else:
                    notify = partial(service.notify, body=body, title=title, body_format=fmt)
                    ok = bool(await run_bridged(notify))
            except Exception as exc:
                call.error, ok = exc, False
    except TimeoutError:
        return failed(f"timed out after {timeout:g}s (the send may still have completed)")
    finally:
        CALL.reset(token)
    if kept is not None:
        _plugins.give_back(url, timeout, kept)
    outcome = classify(ok, call, smtp=smtp)
    if outcome.error:
        return dataclasses.replace(outcome, error=scrub(outcome.error, url)[:ERROR_MAX])
    return outcome


def _valid_address(address: str) -> bool:
    from apprise.utils.parse import is_email

    check: Any = is_email  # untyped in apprise 2.3
    return bool(check(address))
