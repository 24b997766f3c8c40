"""What a send's outcome means for its deliveries: sent, retried at a time, or dead (and
whether the channel counts one more permanent failure), and what its owner is told. Pure:
the worker applies the :data:`Decision`."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from gigalert_notifier.backoff import next_delay
from gigalert_notifier.outcome import SendOutcome
from gigalert_shared.settings import NotifierSettings

__all__ = [
    "Dead",
    "Decision",
    "RetryAt",
    "Sent",
    "channel_error_reason",
    "decide",
    "ineligible_reason",
    "may_have_gone_out",
]

ERROR_MAX: Final = 1000  # a delivery's last_error
_PROVIDER: Final = {"email": "the mail server", "line": "LINE", "slack": "Slack"}
_STATUS_CODE: Final = re.compile(r"\b([45]\d\d)\b")


@dataclass(frozen=True, slots=True)
class Sent:
    """The send went through."""


@dataclass(frozen=True, slots=True)
class RetryAt:
    """Failed; due again at ``at``. ``rate_limited``: the provider asked us to wait
    ``wait`` seconds (the attempt is refunded and the pace held that long)."""

    at: datetime
    wait: float
    error: str
    channel_error: str
    rate_limited: bool
    release_slot: bool

    @property
    def refund(self) -> int:
        return 1 if self.rate_limited else 0


@dataclass(frozen=True, slots=True)
class Dead:
    """Not sent, and never will be. ``channel_error``: what the channel's owner is shown
    (None when nothing was sent: the channel's last failure stays as it was).
    ``disable_reason``: set for a permanent failure of the channel, which counts towards
    disabling it (the reason it then carries)."""

    error: str
    channel_error: str | None = None
    disable_reason: str | None = None
    release_slot: bool = False


Decision = Sent | RetryAt | Dead


def decide(
    kind: str,
    outcome: SendOutcome,
    *,
    attempts: int,
    settings: NotifierSettings,
    now: datetime,
    rng: random.Random | None = None,
) -> Decision:
    """The decision for a send to a channel of ``kind`` made on attempt ``attempts``."""
    if outcome.ok:
        return Sent()
    error = (outcome.error or "send failed")[:ERROR_MAX]
    release = not may_have_gone_out(outcome)
    if outcome.permanent and not _our_credentials_rejected(kind, outcome):
        return Dead(
            error,
            channel_error=channel_error_reason(kind, outcome, will_retry=False),
            disable_reason=f"disabled after repeated permanent failures: {error[:200]}",
            release_slot=release,
        )
    if not outcome.rate_limited and attempts >= settings.max_attempts:
        return Dead(
            f"gave up after {attempts} attempts: {error}"[:ERROR_MAX],
            channel_error=channel_error_reason(kind, outcome, will_retry=False),
            release_slot=release,
        )
    if outcome.rate_limited:
        wait = outcome.retry_after or settings.rate_limited_pause_seconds
    else:
        wait = next_delay(
            attempts, base=settings.base_delay_seconds, cap=settings.max_delay_seconds, rng=rng
        )
    return RetryAt(
        now + timedelta(seconds=wait),
        wait,
        error,
        channel_error_reason(kind, outcome, will_retry=True),
        outcome.rate_limited,
        release,
    )


def ineligible_reason(*, active: bool, verified: bool, paused: bool) -> str | None:
    """Why a channel may not receive alerts (None: it may): it must be on, proven, unpaused."""
    if not active:
        return "channel is disabled"
    if not verified:
        return "channel is not verified"
    if paused:
        return "channel is paused by its owner"
    return None


def channel_error_reason(kind: str, outcome: SendOutcome, *, will_retry: bool) -> str:
    """What the channel's owner is shown about a failed send: short, from fixed phrases and
    a status code only (never the server's text, a URL or an address)."""
    who = _PROVIDER.get(kind, kind)
    error = outcome.error or ""
    if outcome.rate_limited:
        what = f"{who} asked us to slow down (HTTP 429)"
    elif outcome.http_status is not None:
        what = f"{who} answered HTTP {outcome.http_status}"
    elif "timed out" in error:
        what = f"{who} did not answer in time"
    elif error.startswith("no usable URL"):
        what = "the channel's settings could not be used"
    elif error.startswith("no valid recipient"):
        what = "the address was not accepted as valid"
    elif error.startswith(("SMTP recipient refused", "SMTP recipient deferred")):
        code = _STATUS_CODE.search(error)
        verb = "refused" if outcome.permanent else "deferred"
        what = f"the mail server {verb} the address" + (f" ({code[1]})" if code else "")
    elif error.startswith("SMTP connection failed"):
        what = "our mail server could not be reached"
    elif kind == "email":
        what = "the mail server did not take the mail"
    else:
        what = f"{who} could not be reached"
    return f"{what}; {'will retry' if will_retry else 'not retried'}"


def may_have_gone_out(outcome: SendOutcome) -> bool:
    """A failed send that may still have been delivered (it timed out mid-way)."""
    return not outcome.ok and "timed out" in (outcome.error or "")


def _our_credentials_rejected(kind: str, outcome: SendOutcome) -> bool:
    """LINE answering 401/403 means our channel access token is wrong, not the user's
    channel: retry (ops will fix the token) and never disable the freelancer's channel."""
    return kind == "line" and outcome.http_status in (401, 403)
