"""A send's outcome, classified from what the send saw (:class:`Call`), errors scrubbed of
the URL's secrets.

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
* a send that timed out → transient (it may still have completed: at least once);
* anything else → transient.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit

import aiosmtplib

from gigalert_notifier.send_call import Call, as_text

PERMANENT_HTTP_STATUSES: Final = frozenset({400, 401, 403, 404, 410})
RATE_LIMITED_HTTP_STATUS: Final = 429
ERROR_MAX: Final = 500


@dataclass(frozen=True, slots=True)
class SendOutcome:
    ok: bool
    permanent: bool
    rate_limited: bool
    retry_after: float | None
    http_status: int | None
    error: str | None


SENT: Final = SendOutcome(True, False, False, None, None, None)


def failed(
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
        error=error[:ERROR_MAX],
    )


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def classify(ok: bool, call: Call, *, smtp: bool) -> SendOutcome:
    if ok:
        return SENT
    if smtp:
        return _classify_smtp(call)
    status = call.http_status
    if status is not None and not 200 <= status < 300:
        detail = " ".join(as_text(call.http_body).split())[:200]
        what = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status == RATE_LIMITED_HTTP_STATUS:
            return failed(
                f"HTTP {status} (rate limited)" + (f": {detail}" if detail else ""),
                rate_limited=True,
                retry_after=call.retry_after,
                http_status=status,
            )
        return failed(what, permanent=status in PERMANENT_HTTP_STATUSES, http_status=status)
    if call.error is not None:
        return failed(f"connection error: {_describe(call.error)}")
    if status is not None:
        return failed(f"HTTP {status} but the service did not accept the message")
    return failed("send failed")


def _classify_smtp(call: Call) -> SendOutcome:
    if call.no_recipient:
        return failed("no valid recipient: the mail has no recipient", permanent=True)
    exc = call.error
    if call.refused:
        text = "; ".join(
            f"{addr} {code} {' '.join(msg.split())}".strip()
            for addr, (code, msg) in call.refused.items()
        )
        if any(500 <= code < 600 for code, _ in call.refused.values()):
            return failed(f"SMTP recipient refused: {text}", permanent=True)
        return failed(f"SMTP recipient deferred: {text}")
    if exc is None:
        return failed("SMTP failed")
    if call.connect_failed:
        cause = exc.__cause__
        errno = cause.errno if isinstance(cause, OSError) else None
        reason = f"{os.strerror(errno)}: " if errno and errno > 0 else ""
        return failed(f"SMTP connection failed: {reason}{_describe(exc)}")
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return failed(f"SMTP failed: sender {exc.sender} refused: {exc.code} {exc.message}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return failed(f"SMTP failed: server answered: {exc.code} {exc.message}")
    return failed(f"SMTP failed: {_describe(exc)}")


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


def scrub(text: str, url: str) -> str:
    for secret in sorted(set(_secrets_of(url)), key=len, reverse=True):
        text = text.replace(secret, "****")
    return text
