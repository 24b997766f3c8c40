"""Pure planning and classification: which channels an alert goes to and when (per-search
channels, daily and weekly digests), whether a channel may receive, and what its owner is
told about a failed send."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from gigalert_notifier.outcome import SendOutcome
from gigalert_notifier.planning import INSTANT, Schedule, Search, pick_schedule, plan
from gigalert_notifier.policy import channel_error_reason, ineligible_reason, may_have_gone_out
from gigalert_shared.events import AlertMatched, GigSummary

NOON_JST = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # a Friday
LINE, MAIL, SLACK = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def alert() -> AlertMatched:
    gig = uuid.uuid4()
    return AlertMatched(
        alert_id=uuid.uuid4(),
        freelancer_id=uuid.uuid4(),
        gig=GigSummary(gig_id=gig, title="PMO", url="https://jobs.example.jp/1", platform_name="b"),
        subscription_ids=[uuid.uuid4()],
        reasons={},
        created_at=NOON_JST,
    )


def targets(searches: list[Search], channels: list[uuid.UUID] | None = None) -> list[uuid.UUID]:
    planned = plan(
        alert(),
        channel_ids=channels or [LINE, MAIL, SLACK],
        timezone="Asia/Tokyo",
        searches=searches,
        now=NOON_JST,
    )
    return [p.channel_id for p in planned]


def test_each_eligible_channel_chosen_by_some_search_once_in_channel_order() -> None:
    assert targets([Search(INSTANT, frozenset({LINE}))]) == [LINE]
    assert targets([Search(INSTANT, frozenset({MAIL})), Search(INSTANT, frozenset({LINE}))]) == [
        LINE,
        MAIL,
    ]
    assert targets([Search(INSTANT, frozenset({LINE})), Search(INSTANT)]) == [LINE, MAIL, SLACK]
    assert targets([Search(INSTANT, frozenset())]) == []


def test_a_chosen_channel_that_is_not_eligible_gets_nothing() -> None:
    assert targets([Search(INSTANT, frozenset({SLACK}))], channels=[LINE, MAIL]) == []


def test_unknown_subscriptions_fall_back_to_every_channel_at_once() -> None:
    assert targets([]) == [LINE, MAIL, SLACK]


def test_instant_wins_else_the_earliest_digest_moment() -> None:
    daily8 = Schedule("digest", 8, None, None)
    daily13 = Schedule("digest", 13, None, None)
    monday9 = Schedule("weekly", 9, None, None, weekly_day=0)
    saturday7 = Schedule("weekly", 7, None, None, weekly_day=5)
    tz = "Asia/Tokyo"
    assert pick_schedule([daily8, INSTANT], timezone=tz, now=NOON_JST) == ("instant", NOON_JST)
    # At noon, 13:00 today comes before 08:00 tomorrow (not the smaller hour).
    assert pick_schedule([daily8, daily13], timezone=tz, now=NOON_JST) == (
        "digest",
        datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
    )
    assert pick_schedule([monday9, daily8], timezone=tz, now=NOON_JST)[0] == "digest"
    assert pick_schedule([monday9, saturday7], timezone=tz, now=NOON_JST) == (
        "weekly",
        datetime(2026, 11, 27, 22, 0, tzinfo=UTC),  # Saturday 07:00 in Tokyo
    )
    assert pick_schedule([], timezone=tz, now=NOON_JST) == ("instant", NOON_JST)


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


def failed(error: str, *, permanent: bool = False, status: int | None = None) -> SendOutcome:
    return SendOutcome(False, permanent, status == 429, None, status, error)


@pytest.mark.parametrize(
    ("kind", "outcome", "retry", "expected"),
    [
        (
            "email",
            failed("SMTP recipient refused: 550 5.1.1 <taro@example.jp> unknown", permanent=True),
            False,
            "the mail server refused the address (550); not retried",
        ),
        (
            "email",
            failed("SMTP recipient deferred: 452 mailbox full <taro@example.jp>"),
            True,
            "the mail server deferred the address (452); will retry",
        ),
        (
            "email",
            failed("SMTP connection failed: [Errno 111] smtp.internal:587 user=ops"),
            True,
            "our mail server could not be reached; will retry",
        ),
        (
            "email",
            failed("no valid recipient: x", permanent=True),
            False,
            "the address was not accepted as valid; not retried",
        ),
        ("line", failed("LINE error=403.", status=403), True, "LINE answered HTTP 403; will retry"),
        (
            "line",
            failed("429", status=429),
            True,
            "LINE asked us to slow down (HTTP 429); will retry",
        ),
        (
            "slack",
            failed("no usable URL: Apprise could not load it", permanent=True),
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
    assert may_have_gone_out(failed("timed out after 20s (the send may still have completed)"))
    assert may_have_gone_out(failed("Apprise timed out: …"))
    assert not may_have_gone_out(failed("SMTP connection failed: refused"))
    assert not may_have_gone_out(SendOutcome(True, False, False, None, None, None))
