"""What a send's outcome means for its deliveries: sent; retried after a backoff or a 429's
wait (the attempt refunded); dead after a permanent failure (counting towards disabling the
channel) or the last attempt; LINE's rejection of our own token retried; the daily-cap slot
kept only by a send that may have gone out. Whether a channel may receive, and what its owner
is told about a failed send."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from gigalert_notifier.outcome import SendOutcome, failed
from gigalert_notifier.policy import (
    Dead,
    RetryAt,
    Sent,
    channel_error_reason,
    decide,
    ineligible_reason,
    may_have_gone_out,
)
from gigalert_shared.settings import NotifierSettings

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SETTINGS = NotifierSettings(
    max_attempts=3,
    base_delay_seconds=30.0,
    max_delay_seconds=3600.0,
    rate_limited_pause_seconds=60.0,
)


def decide_for(kind: str, outcome: SendOutcome, attempts: int = 1) -> Sent | RetryAt | Dead:
    return decide(
        kind, outcome, attempts=attempts, settings=SETTINGS, now=NOW, rng=random.Random(7)
    )


def test_a_send_that_went_through_is_sent() -> None:
    ok = SendOutcome(True, False, False, None, None, None)
    assert decide_for("email", ok, attempts=3) == Sent()


@pytest.mark.parametrize("attempts", [1, 2])
def test_a_transient_failure_retries_within_the_backoff(attempts: int) -> None:
    d = decide_for("email", failed("SMTP connection failed: refused"), attempts)
    assert isinstance(d, RetryAt)
    ceiling = min(3600.0, 30.0 * 2 ** (attempts - 1))
    assert 15.0 <= d.wait <= ceiling
    assert d.at == NOW + timedelta(seconds=d.wait)
    assert (d.rate_limited, d.refund, d.release_slot) == (False, 0, True)
    assert d.error == "SMTP connection failed: refused"
    assert d.channel_error == "our mail server could not be reached; will retry"


def test_the_last_attempt_gives_up() -> None:
    d = decide_for("slack", failed("HTTP 500", http_status=500), attempts=3)
    assert d == Dead(
        "gave up after 3 attempts: HTTP 500",
        channel_error="Slack answered HTTP 500; not retried",
        release_slot=True,
    )


@pytest.mark.parametrize(
    ("retry_after", "wait"), [(12.5, 12.5), (None, 60.0)], ids=["retry-after", "default"]
)
def test_a_429_waits_as_asked_and_refunds_the_attempt_even_at_the_limit(
    retry_after: float | None, wait: float
) -> None:
    outcome = failed("HTTP 429", rate_limited=True, retry_after=retry_after, http_status=429)
    d = decide_for("line", outcome, attempts=3)
    assert isinstance(d, RetryAt)
    assert (d.wait, d.at, d.refund, d.rate_limited) == (
        wait,
        NOW + timedelta(seconds=wait),
        1,
        True,
    )
    assert d.channel_error == "LINE asked us to slow down (HTTP 429); will retry"


def test_a_permanent_failure_is_dead_and_counts_against_the_channel() -> None:
    d = decide_for("slack", failed("HTTP 404: no_team", permanent=True, http_status=404))
    assert d == Dead(
        "HTTP 404: no_team",
        channel_error="Slack answered HTTP 404; not retried",
        disable_reason="disabled after repeated permanent failures: HTTP 404: no_team",
        release_slot=True,
    )


@pytest.mark.parametrize("status", [401, 403])
def test_line_rejecting_our_token_is_retried_and_never_disables_the_channel(status: int) -> None:
    d = decide_for("line", failed(f"HTTP {status}", permanent=True, http_status=status))
    assert isinstance(d, RetryAt)
    assert d.channel_error == f"LINE answered HTTP {status}; will retry"


def test_slack_401_is_the_channels_own_failure() -> None:
    d = decide_for("slack", failed("HTTP 401", permanent=True, http_status=401))
    assert isinstance(d, Dead)
    assert d.disable_reason is not None


def test_a_timeout_keeps_the_daily_cap_slot_any_other_failure_gives_it_back() -> None:
    timed_out = decide_for("email", failed("timed out after 20s (the send may still have…)"))
    refused = decide_for("email", failed("SMTP recipient refused: a 550 no", permanent=True))
    assert isinstance(timed_out, RetryAt) and not timed_out.release_slot
    assert isinstance(refused, Dead) and refused.release_slot
    assert refused.channel_error == "the mail server refused the address (550); not retried"


def test_errors_are_bounded() -> None:
    """Longer than any classified error (a sender of our own may say more)."""
    d = decide_for("email", SendOutcome(False, False, False, None, None, "x" * 5000), attempts=3)
    assert isinstance(d, Dead)
    assert len(d.error) == 1000
    p = decide_for("email", SendOutcome(False, True, False, None, None, "y" * 5000))
    assert isinstance(p, Dead) and p.disable_reason is not None
    assert len(p.error) == 1000
    assert p.disable_reason == "disabled after repeated permanent failures: " + "y" * 200


@pytest.mark.parametrize(
    ("active", "verified", "paused", "reason"),
    [
        (True, True, False, None),
        (False, True, False, "channel is disabled"),
        (True, False, False, "channel is not verified"),
        (True, True, True, "channel is paused by its owner"),
        (False, False, True, "channel is disabled"),
    ],
)
def test_only_active_proven_unpaused_channels_receive(
    active: bool, verified: bool, paused: bool, reason: str | None
) -> None:
    assert ineligible_reason(active=active, verified=verified, paused=paused) == reason


def outcome_of(error: str, *, permanent: bool = False, status: int | None = None) -> SendOutcome:
    return SendOutcome(False, permanent, status == 429, None, status, error)


@pytest.mark.parametrize(
    ("kind", "outcome", "retry", "expected"),
    [
        (
            "email",
            outcome_of(
                "SMTP recipient refused: 550 5.1.1 <taro@example.jp> unknown", permanent=True
            ),
            False,
            "the mail server refused the address (550); not retried",
        ),
        (
            "email",
            outcome_of("SMTP recipient deferred: 452 mailbox full <taro@example.jp>"),
            True,
            "the mail server deferred the address (452); will retry",
        ),
        (
            "email",
            outcome_of("SMTP connection failed: [Errno 111] smtp.internal:587 user=ops"),
            True,
            "our mail server could not be reached; will retry",
        ),
        (
            "email",
            outcome_of("no valid recipient: x", permanent=True),
            False,
            "the address was not accepted as valid; not retried",
        ),
        (
            "line",
            outcome_of("LINE error=403.", status=403),
            True,
            "LINE answered HTTP 403; will retry",
        ),
        (
            "line",
            outcome_of("429", status=429),
            True,
            "LINE asked us to slow down (HTTP 429); will retry",
        ),
        (
            "slack",
            outcome_of("no usable URL: Apprise could not load it", permanent=True),
            False,
            "the channel's settings could not be used; not retried",
        ),
    ],
)
def test_the_owner_sees_a_short_reason_without_the_servers_words(
    kind: str, outcome: SendOutcome, retry: bool, expected: str
) -> None:
    reason = channel_error_reason(kind, outcome, will_retry=retry)
    assert reason == expected
    assert "@" not in reason and "smtp.internal" not in reason


def test_only_a_timeout_may_have_gone_out() -> None:
    assert may_have_gone_out(outcome_of("timed out after 20s (the send may still have completed)"))
    assert may_have_gone_out(outcome_of("Apprise timed out: …"))
    assert not may_have_gone_out(outcome_of("SMTP connection failed: refused"))
    assert not may_have_gone_out(SendOutcome(True, False, False, None, None, None))
