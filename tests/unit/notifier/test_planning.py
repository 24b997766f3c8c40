"""Pure planning: which channels an alert goes to and when (per-search channels, daily and
weekly digests)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from gigalert_notifier.planning import INSTANT, Schedule, Search, pick_schedule, plan
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
