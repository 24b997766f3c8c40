"""A delivery's technical error read as a kind its owner is told in plain words: the exact
texts the notifier writes (outcome, policy, sending, worker), and texts made by the
notifier's own functions, so a change of its wording shows here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest

from gigalert_notifier.outcome import classify
from gigalert_notifier.policy import Dead, RetryAt, decide, ineligible_reason
from gigalert_notifier.send_call import Call
from gigalert_shared.settings import NotifierSettings
from gigalert_web.delivery_failures import DeliveryFailure, FailureKind, delivery_failure
from gigalert_web.i18n import LANGS, STRINGS, Lang, text

SETTINGS = NotifierSettings(max_attempts=3)
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "error", "expected"),
    [
        (
            "email",
            "SMTP recipient refused: a@example.jp 550 5.1.1 User unknown",
            "address_refused",
        ),
        ("email", "no valid recipient: the address is not valid", "address_refused"),
        ("email", "no valid recipient: the mail has no recipient", "address_refused"),
        ("email", "the recipient is not a plain email address: 'a@b@c'", "address_refused"),
        (
            "email",
            "SMTP recipient deferred: a@example.jp 452 4.2.2 full",
            "address_deferred",
        ),
        ("email", "SMTP failed: server answered: 451 4.3.0 Try again later", "our_side"),
        ("email", "SMTP failed: server answered: 554 5.7.1 Message rejected", "our_side"),
        ("email", "SMTP failed: sender alerts@gigalert.local refused: 550 not allowed", "our_side"),
        (
            "email",
            (
                "SMTP connection failed: Connection refused: SMTPConnectError: "
                "Error connecting to smtp.internal on port 587"
            ),
            "our_side",
        ),
        ("email", "SMTP failed: SMTPServerDisconnected: Connection lost", "our_side"),
        ("email", "the SMTP host is not a host name or IPv4 address: 'x y'", "our_side"),
        ("slack", "HTTP 429 (rate limited): slow down", "rate_limited"),
        ("line", "HTTP 429 (rate limited)", "rate_limited"),
        ("slack", "HTTP 404: no_team", "service_refused"),
        ("slack", "HTTP 410: channel_is_archived", "service_refused"),
        ("line", 'HTTP 400: {"message":"The request body has 1 error(s)"}', "service_refused"),
        ("line", 'HTTP 401: {"message":"Authentication failed"}', "our_side"),
        ("line", "HTTP 403", "our_side"),
        ("slack", "HTTP 403: invalid_token", "service_refused"),
        ("slack", "HTTP 500: internal_error", "service_trouble"),
        ("slack", "HTTP 200 but the service did not accept the message", "service_trouble"),
        (
            "slack",
            "connection error: ConnectionError: [Errno 111] refused",
            "service_trouble",
        ),
        ("line", "timed out after 20s (the send may still have completed)", "timed_out"),
        ("slack", "no usable URL: Apprise could not load it", "channel_unusable"),
        ("slack", "slack channel has no webhook", "channel_unusable"),
        ("line", "GIGALERT_NOTIFIER_LINE_CHANNEL_TOKEN is not configured", "our_side"),
        ("line", "the LINE channel access token has unexpected characters", "our_side"),
        ("email", "channel is disabled", "channel_disabled"),
        ("email", "channel is paused by its owner", "channel_paused"),
        ("line", "channel is not verified", "channel_unverified"),
        (
            "email",
            "the sender (GIGALERT_SMTP_SENDER) is not a plain email address: 'x'",
            "our_side",
        ),
        ("line", "not a LINE user, group or room id", "channel_unusable"),
        (
            "slack",
            "not a Slack incoming-webhook URL (https://hooks.slack.com/…)",
            "channel_unusable",
        ),
        ("email", "SMTP failed: server answered: 421 4.3.2 Closing", "our_side"),
        ("slack", "send failed", "unknown"),
        ("email", "", "unknown"),
    ],
)
def test_the_notifiers_texts(kind: str, error: str, expected: FailureKind) -> None:
    assert delivery_failure(error, kind) == DeliveryFailure(expected, None)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("gave up after 3 attempts: HTTP 500", DeliveryFailure("service_trouble", 3)),
        (
            "gave up after 12 attempts: SMTP recipient deferred: a@example.jp 450 busy",
            DeliveryFailure("address_deferred", 12),
        ),
        ("gave up after 5 attempts: timed out after 20s (…)", DeliveryFailure("timed_out", 5)),
        ("gave up after many attempts: HTTP 500", DeliveryFailure("unknown", None)),
    ],
)
def test_a_delivery_given_up_keeps_its_cause_and_attempts(
    error: str, expected: DeliveryFailure
) -> None:
    assert delivery_failure(error, "email") == expected


def _classified(call: Call, *, smtp: bool) -> str:
    error = classify(False, call, smtp=smtp).error
    assert error is not None
    return error


@pytest.mark.parametrize(
    ("kind", "call", "expected"),
    [
        ("slack", Call(http_status=429, http_body=b"ratelimited", retry_after=30), "rate_limited"),
        ("slack", Call(http_status=404, http_body=b"no_service"), "service_refused"),
        ("line", Call(http_status=401), "our_side"),
        ("slack", Call(http_status=503, http_body=b"<html>\n busy </html>"), "service_trouble"),
        ("slack", Call(http_status=200), "service_trouble"),
        ("slack", Call(error=ConnectionResetError(104, "reset by peer")), "service_trouble"),
        ("email", Call(refused={"a@example.jp": (550, "5.1.1 no such user")}), "address_refused"),
        ("email", Call(refused={"a@example.jp": (451, "4.7.1 greylisted")}), "address_deferred"),
        ("email", Call(no_recipient=True), "address_refused"),
        ("email", Call(error=OSError("refused"), connect_failed=True), "our_side"),
        ("email", Call(error=RuntimeError("lost")), "our_side"),
    ],
)
def test_what_the_notifier_classifies(kind: str, call: Call, expected: FailureKind) -> None:
    assert delivery_failure(_classified(call, smtp=kind == "email"), kind).kind == expected


def test_what_the_notifiers_policy_writes() -> None:
    outcome = classify(False, Call(http_status=502), smtp=False)
    retried = decide("slack", outcome, attempts=1, settings=SETTINGS, now=NOW)
    assert isinstance(retried, RetryAt)
    assert delivery_failure(retried.error, "slack") == DeliveryFailure("service_trouble", None)
    dead = decide("slack", outcome, attempts=3, settings=SETTINGS, now=NOW)
    assert isinstance(dead, Dead)
    assert delivery_failure(dead.error, "slack") == DeliveryFailure("service_trouble", 3)
    for flags, expected in (
        ({"active": False, "verified": True, "paused": False}, "channel_disabled"),
        ({"active": True, "verified": False, "paused": False}, "channel_unverified"),
        ({"active": True, "verified": True, "paused": True}, "channel_paused"),
    ):
        reason = ineligible_reason(**flags)
        assert reason is not None
        assert delivery_failure(reason, "email").kind == expected


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", get_args(FailureKind))
def test_every_kind_is_worded_in_every_language(lang: Lang, kind: str) -> None:
    assert f"alerts.why.{kind}" in STRINGS[lang]
    assert "3" in text(lang, "alerts.why.gave_up", attempts=3)
