"""Why a delivery failed, as its owner is told: the notifier's technical text (a delivery's
``last_error``, written by ``gigalert_notifier.outcome``, ``.policy`` and ``.worker``) read
as one of a few kinds, each worded in the viewer's language by :mod:`gigalert_web.i18n`
(``alerts.why.<kind>``). The text itself is shown too, but secondary. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

FailureKind = Literal[
    "address_refused",  # the receiving mail server refused the address
    "address_deferred",  # … put it off for now (a full mailbox)
    "rate_limited",  # the service asked us to slow down
    "timed_out",  # no answer in time: it may still have arrived
    "service_refused",  # the service refused it (a deleted webhook, say)
    "service_trouble",  # the service could not be reached, or failed
    "our_side",  # our mail server or our configuration
    "channel_unusable",  # the channel's settings could not be used
    "channel_disabled",
    "channel_paused",
    "channel_unverified",
    "unknown",
]

_GAVE_UP: Final = re.compile(r"gave up after (\d+) attempts: ")
_HTTP: Final = re.compile(r"HTTP (\d{3})\b")
_REFUSED_HTTP: Final = frozenset({400, 401, 403, 404, 410})  # outcome.PERMANENT_HTTP_STATUSES
# Texts of the channel itself (policy.ineligible_reason) and of building its message.
_EXACT: Final[dict[str, FailureKind]] = {
    "channel is disabled": "channel_disabled",
    "channel is paused by its owner": "channel_paused",
    "channel is not verified": "channel_unverified",
    "slack channel has no webhook": "channel_unusable",
}
# Checked in order: the first prefix that starts the text names its kind.
_PREFIXES: Final[tuple[tuple[tuple[str, ...], FailureKind], ...]] = (
    (
        (
            "SMTP recipient refused",
            "no valid recipient",
            "the recipient is not a plain email address",
        ),
        "address_refused",
    ),
    (("SMTP recipient deferred",), "address_deferred"),
    (("timed out",), "timed_out"),
    (("connection error",), "service_trouble"),
    (("no usable URL", "not a LINE ", "not a Slack "), "channel_unusable"),
    (
        (
            "SMTP connection failed",
            "SMTP failed",  # the relay refused our sender or our message, or failed
            "GIGALERT_NOTIFIER_",
            "the SMTP ",
            "the LINE channel access token",
            "the sender",
            "the delivery id",
            "the unsubscribe URL",
        ),
        "our_side",
    ),
)


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    kind: FailureKind
    gave_up_after: int | None  # attempts, when the notifier stopped retrying


def delivery_failure(error: str, channel_kind: str) -> DeliveryFailure:
    """What ``error`` (a delivery's ``last_error``) means for a channel of ``channel_kind``."""
    text = " ".join(error.split())
    gave_up = _GAVE_UP.match(text)
    if gave_up:
        text = text[gave_up.end() :]
    return DeliveryFailure(_kind(text, channel_kind), int(gave_up[1]) if gave_up else None)


def _kind(text: str, channel_kind: str) -> FailureKind:
    if text in _EXACT:
        return _EXACT[text]
    if http := _HTTP.match(text):
        status = int(http[1])
        if status == 429:
            return "rate_limited"
        if channel_kind == "line" and status in (401, 403):
            return "our_side"  # our LINE access token was refused (policy retries it)
        return "service_refused" if status in _REFUSED_HTTP else "service_trouble"
    for prefixes, kind in _PREFIXES:
        if text.startswith(prefixes):
            return kind
    return "unknown"
