"""When deliveries are due: quiet hours (wrapping midnight, exact boundaries), digest hours
(today or tomorrow, pushed out of quiet hours), weekly digests (a weekday and an hour), time
zones with and without DST, the day boundaries of the daily mail cap, clocks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigalert_notifier.schedule import (
    Clock,
    FrozenClock,
    SystemClock,
    due_at,
    in_quiet_hours,
    local_day,
    next_day_start,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def jst(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=TOKYO)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def instant(
    now: datetime, quiet: tuple[time, time] | None = None, tz: str = "Asia/Tokyo"
) -> datetime:
    return due_at(
        now,
        timezone=tz,
        frequency="instant",
        digest_hour=None,
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
    )


def digest(
    now: datetime, hour: int, quiet: tuple[time, time] | None = None, tz: str = "Asia/Tokyo"
) -> datetime:
    return due_at(
        now,
        timezone=tz,
        frequency="digest",
        digest_hour=hour,
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
    )


NIGHT = (time(22, 0), time(7, 0))  # wraps midnight
LUNCH = (time(12, 0), time(13, 0))


# ------------------------------------------------------------------ instant


def test_instant_without_quiet_hours_is_now_in_utc() -> None:
    now = jst(2026, 5, 1, 12, 34, 56)
    due = instant(now)
    assert due == now and due.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (jst(2026, 5, 1, 21, 59, 59), jst(2026, 5, 1, 21, 59, 59)),  # just before: now
        (jst(2026, 5, 1, 22, 0), jst(2026, 5, 2, 7, 0)),  # the start is quiet
        (jst(2026, 5, 1, 23, 30), jst(2026, 5, 2, 7, 0)),  # before midnight: tomorrow 07:00
        (jst(2026, 5, 2, 0, 0), jst(2026, 5, 2, 7, 0)),
        (jst(2026, 5, 2, 3, 0), jst(2026, 5, 2, 7, 0)),  # after midnight: today 07:00
        (jst(2026, 5, 2, 6, 59, 59, 999999), jst(2026, 5, 2, 7, 0)),
        (jst(2026, 5, 2, 7, 0), jst(2026, 5, 2, 7, 0)),  # the end is not quiet
        (jst(2026, 12, 31, 23, 0), jst(2027, 1, 1, 7, 0)),  # across the year
    ],
)
def test_instant_in_quiet_hours_wrapping_midnight(now: datetime, expected: datetime) -> None:
    assert instant(now, NIGHT) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (jst(2026, 5, 1, 11, 59), jst(2026, 5, 1, 11, 59)),
        (jst(2026, 5, 1, 12, 0), jst(2026, 5, 1, 13, 0)),
        (jst(2026, 5, 1, 12, 30), jst(2026, 5, 1, 13, 0)),
        (jst(2026, 5, 1, 13, 0), jst(2026, 5, 1, 13, 0)),
        (jst(2026, 5, 1, 23, 0), jst(2026, 5, 1, 23, 0)),
    ],
)
def test_instant_in_quiet_hours_within_a_day(now: datetime, expected: datetime) -> None:
    assert instant(now, LUNCH) == expected


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    now = jst(2026, 5, 1, 22, 0)
    assert instant(now, (time(22, 0), time(22, 0))) == now
    assert (
        due_at(
            now,
            timezone="Asia/Tokyo",
            frequency="instant",
            digest_hour=None,
            quiet_start=time(22, 0),
            quiet_end=None,
        )
        == now
    )


def test_now_in_another_zone_is_judged_in_the_freelancers_zone() -> None:
    # 14:30 UTC is 23:30 in Tokyo: quiet there.
    assert instant(utc(2026, 5, 1, 14, 30), NIGHT) == jst(2026, 5, 2, 7, 0)
    # 14:30 UTC is 10:30 in New York: not quiet.
    assert instant(utc(2026, 5, 1, 14, 30), NIGHT, tz="America/New_York") == utc(2026, 5, 1, 14, 30)


# ------------------------------------------------------------------ digest


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (jst(2026, 5, 1, 8, 0), jst(2026, 5, 1, 9, 0)),  # later today
        (jst(2026, 5, 1, 9, 0), jst(2026, 5, 1, 9, 0)),  # exactly the hour: now
        (jst(2026, 5, 1, 9, 0, 0, 1), jst(2026, 5, 2, 9, 0)),  # just past: tomorrow
        (jst(2026, 5, 1, 18, 0), jst(2026, 5, 2, 9, 0)),
        (jst(2026, 4, 30, 23, 59), jst(2026, 5, 1, 9, 0)),  # across a month
    ],
)
def test_digest_hour_today_or_tomorrow(now: datetime, expected: datetime) -> None:
    assert digest(now, 9) == expected


def test_digest_hour_midnight() -> None:
    assert digest(jst(2026, 5, 1, 23, 0), 0) == jst(2026, 5, 2, 0, 0)
    assert digest(jst(2026, 5, 2, 0, 0), 0) == jst(2026, 5, 2, 0, 0)


def test_digest_hour_in_quiet_hours_moves_to_their_end() -> None:
    assert digest(jst(2026, 5, 1, 12, 0), 6, NIGHT) == jst(2026, 5, 2, 7, 0)
    assert digest(jst(2026, 5, 1, 12, 0), 23, NIGHT) == jst(2026, 5, 2, 7, 0)  # past midnight
    assert digest(jst(2026, 5, 1, 12, 0), 22, NIGHT) == jst(2026, 5, 2, 7, 0)  # start is quiet
    assert digest(jst(2026, 5, 1, 12, 0), 7, NIGHT) == jst(2026, 5, 2, 7, 0)  # end is not
    assert digest(jst(2026, 5, 1, 5, 0), 7, NIGHT) == jst(2026, 5, 1, 7, 0)
    assert digest(jst(2026, 5, 1, 10, 0), 12, LUNCH) == jst(2026, 5, 1, 13, 0)
    assert digest(jst(2026, 5, 1, 10, 0), 21, NIGHT) == jst(2026, 5, 1, 21, 0)


# ------------------------------------------------------------------ DST (America/New_York)
# 2026: clocks spring forward on 8 March at 02:00 EST, fall back on 1 November at 02:00 EDT.


def test_digest_across_spring_forward_keeps_the_wall_clock_hour() -> None:
    now = datetime(2026, 3, 7, 10, 0, tzinfo=NEW_YORK)  # 15:00 UTC, EST
    due = digest(now, 9, tz="America/New_York")
    assert due == utc(2026, 3, 8, 13, 0)  # 09:00 EDT: 22 real hours later
    assert due.astimezone(NEW_YORK).hour == 9


def test_digest_across_fall_back_keeps_the_wall_clock_hour() -> None:
    now = datetime(2026, 10, 31, 10, 0, tzinfo=NEW_YORK)  # EDT
    assert digest(now, 9, tz="America/New_York") == utc(2026, 11, 1, 14, 0)  # 09:00 EST


def test_digest_hour_in_the_spring_gap_comes_just_after_it() -> None:
    now = utc(2026, 3, 8, 5, 0)  # 00:00 EST
    due = digest(now, 2, tz="America/New_York")  # 02:00 does not exist that day
    assert due == utc(2026, 3, 8, 7, 0)
    assert due.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:00 EDT"


def test_digest_hour_in_the_repeated_hour_comes_once() -> None:
    first_pass = utc(2026, 11, 1, 4, 30)  # 00:30 EDT
    assert digest(first_pass, 1, tz="America/New_York") == utc(2026, 11, 1, 5, 0)  # 01:00 EDT
    second_pass = utc(2026, 11, 1, 6, 15)  # 01:15 EST, after 01:00 EDT went out
    assert digest(second_pass, 1, tz="America/New_York") == utc(2026, 11, 2, 6, 0)


def test_quiet_night_across_fall_back_is_a_wall_clock_night() -> None:
    now = utc(2026, 11, 1, 3, 0)  # 23:00 EDT on 31 October
    due = instant(now, NIGHT, tz="America/New_York")
    assert due == utc(2026, 11, 1, 12, 0)  # 07:00 EST: 9 wall hours, 10 real hours
    assert due.astimezone(NEW_YORK).hour == 7


def test_quiet_night_across_spring_forward() -> None:
    now = utc(2026, 3, 8, 3, 0)  # 22:00 EST on 7 March
    assert instant(now, NIGHT, tz="America/New_York") == utc(2026, 3, 8, 11, 0)  # 07:00 EDT


def test_quiet_end_in_the_repeated_hour_uses_the_occurrence_still_ahead() -> None:
    quiet = (time(0, 0), time(1, 30))
    assert instant(utc(2026, 11, 1, 5, 0), quiet, tz="America/New_York") == utc(
        2026, 11, 1, 5, 30
    )  # 01:00 EDT → 01:30 EDT
    assert instant(utc(2026, 11, 1, 6, 15), quiet, tz="America/New_York") == utc(
        2026, 11, 1, 6, 30
    )  # 01:15 EST (the second time round) → 01:30 EST


def test_tokyo_has_no_dst() -> None:
    assert digest(jst(2026, 3, 7, 10, 0), 9) == jst(2026, 3, 8, 9, 0)
    assert digest(jst(2026, 3, 7, 10, 0), 9) - jst(2026, 3, 7, 10, 0) == timedelta(hours=23)


# ------------------------------------------------------------------ properties

ZONES = ["Asia/Tokyo", "America/New_York", "Europe/London", "Australia/Sydney", "UTC"]
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
minutes = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]))


@settings(max_examples=300, deadline=None)
@given(
    now=moments,
    zone=st.sampled_from(ZONES),
    frequency=st.sampled_from(["instant", "digest"]),
    hour=st.integers(0, 23),
    start=minutes,
    end=minutes,
)
def test_due_is_never_early_never_quiet_never_far(
    now: datetime, zone: str, frequency: str, hour: int, start: time, end: time
) -> None:
    due = due_at(
        now,
        timezone=zone,
        frequency=frequency,
        digest_hour=hour,
        quiet_start=start,
        quiet_end=end,
    )
    assert due.utcoffset() == timedelta(0)
    assert due >= now
    assert due - now <= timedelta(days=2)
    assert not in_quiet_hours(due.astimezone(ZoneInfo(zone)).time(), start, end)
    if frequency == "instant" and not in_quiet_hours(
        now.astimezone(ZoneInfo(zone)).time(), start, end
    ):
        assert due == now


@settings(max_examples=200, deadline=None)
@given(now=moments, hour=st.integers(0, 23))
def test_digest_without_quiet_hours_is_on_the_hour_within_a_day(now: datetime, hour: int) -> None:
    due = digest(now, hour)
    local = due.astimezone(TOKYO)
    assert (local.hour, local.minute, local.second, local.microsecond) == (hour, 0, 0, 0)
    assert timedelta(0) <= due - now < timedelta(days=1)


def weekly(
    now: datetime,
    day: int,
    hour: int,
    quiet: tuple[time, time] | None = None,
    tz: str = "Asia/Tokyo",
) -> datetime:
    return due_at(
        now,
        timezone=tz,
        frequency="weekly",
        digest_hour=hour,
        weekly_day=day,
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
    )


# ------------------------------------------------------------------ weekly
# 2026-05-01 is a Friday (weekday 4); 0 = Monday … 6 = Sunday.

MONDAY, FRIDAY, SUNDAY = 0, 4, 6


@pytest.mark.parametrize(
    ("now", "day", "expected"),
    [
        (jst(2026, 5, 1, 8, 0), FRIDAY, jst(2026, 5, 1, 9, 0)),  # later today, its weekday
        (jst(2026, 5, 1, 9, 0), FRIDAY, jst(2026, 5, 1, 9, 0)),  # exactly then: now
        (jst(2026, 5, 1, 9, 0, 0, 1), FRIDAY, jst(2026, 5, 8, 9, 0)),  # just past: next week
        (jst(2026, 5, 1, 8, 0), SUNDAY, jst(2026, 5, 3, 9, 0)),  # later this week
        (jst(2026, 5, 1, 8, 0), MONDAY, jst(2026, 5, 4, 9, 0)),  # next Monday
        (jst(2026, 4, 30, 23, 0), FRIDAY, jst(2026, 5, 1, 9, 0)),  # across a month
        (jst(2026, 12, 30, 12, 0), MONDAY, jst(2027, 1, 4, 9, 0)),  # across a year
    ],
)
def test_weekly_on_its_weekday_and_hour(now: datetime, day: int, expected: datetime) -> None:
    assert weekly(now, day, 9) == expected


def test_weekly_weekday_is_the_freelancers_not_utc() -> None:
    # Friday 2026-05-01 20:00 UTC is Saturday 05:00 in Tokyo: a Saturday 09:00 digest is today.
    assert weekly(utc(2026, 5, 1, 20, 0), 5, 9) == jst(2026, 5, 2, 9, 0)
    # In New York it is still Friday 16:00: Saturday 09:00 EDT.
    assert weekly(utc(2026, 5, 1, 20, 0), 5, 9, tz="America/New_York") == utc(2026, 5, 2, 13, 0)


def test_weekly_in_quiet_hours_moves_to_their_end() -> None:
    assert weekly(jst(2026, 5, 1, 12, 0), SUNDAY, 23, NIGHT) == jst(2026, 5, 4, 7, 0)
    assert weekly(jst(2026, 5, 1, 12, 0), SUNDAY, 6, NIGHT) == jst(2026, 5, 3, 7, 0)
    assert weekly(jst(2026, 5, 1, 10, 0), FRIDAY, 12, LUNCH) == jst(2026, 5, 1, 13, 0)


def test_weekly_across_spring_forward_keeps_the_wall_clock_hour() -> None:
    # Monday 2 March 2026 10:00 EST → Monday 9 March 09:00 EDT (clocks moved on the 8th).
    due = weekly(datetime(2026, 3, 2, 10, 0, tzinfo=NEW_YORK), MONDAY, 9, tz="America/New_York")
    assert due == utc(2026, 3, 9, 13, 0)
    assert due.astimezone(NEW_YORK).strftime("%a %H:%M %Z") == "Mon 09:00 EDT"


def test_weekly_hour_in_the_spring_gap_comes_just_after_it() -> None:
    # Sunday 8 March 2026 02:00 does not exist in New York.
    due = weekly(utc(2026, 3, 7, 12, 0), SUNDAY, 2, tz="America/New_York")
    assert due.astimezone(NEW_YORK).strftime("%a %H:%M %Z") == "Sun 03:00 EDT"


@pytest.mark.parametrize(
    ("day", "hour", "match"),
    [
        (None, 9, "weekly_day"),
        (7, 9, "weekly_day"),
        (-1, 9, "weekly_day"),
        (0, None, "digest_hour"),
        (0, 24, "digest_hour"),
    ],
)
def test_weekly_needs_a_weekday_and_an_hour(day: int | None, hour: int | None, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        due_at(
            jst(2026, 5, 1, 12),
            timezone="Asia/Tokyo",
            frequency="weekly",
            digest_hour=hour,
            weekly_day=day,
            quiet_start=None,
            quiet_end=None,
        )


def test_a_daily_digest_ignores_weekly_day() -> None:
    assert due_at(
        jst(2026, 5, 1, 8),
        timezone="Asia/Tokyo",
        frequency="digest",
        digest_hour=9,
        weekly_day=SUNDAY,
        quiet_start=None,
        quiet_end=None,
    ) == jst(2026, 5, 1, 9)


@settings(max_examples=300, deadline=None)
@given(
    now=moments,
    zone=st.sampled_from(ZONES),
    day=st.integers(0, 6),
    hour=st.integers(0, 23),
)
def test_weekly_without_quiet_hours_is_its_weekday_and_hour_within_a_week(
    now: datetime, zone: str, day: int, hour: int
) -> None:
    due = weekly(now, day, hour, tz=zone)
    assert due.utcoffset() == timedelta(0)
    assert timedelta(0) <= due - now <= timedelta(days=7, hours=1)
    local = due.astimezone(ZoneInfo(zone))
    assert local.weekday() == day
    # On the hour, or just after a DST gap that swallowed it.
    assert (local.minute, local.second) == (0, 0)
    assert local.hour in (hour, hour + 1)


@settings(max_examples=300, deadline=None)
@given(
    now=moments,
    zone=st.sampled_from(ZONES),
    day=st.integers(0, 6),
    hour=st.integers(0, 23),
    start=minutes,
    end=minutes,
)
def test_weekly_is_never_early_never_quiet(
    now: datetime, zone: str, day: int, hour: int, start: time, end: time
) -> None:
    due = weekly(now, day, hour, (start, end), tz=zone)
    assert due >= now
    assert due - now <= timedelta(days=8)
    assert not in_quiet_hours(due.astimezone(ZoneInfo(zone)).time(), start, end)


# ------------------------------------------------------------------ the daily cap's day


def test_local_day_and_next_day_start_in_tokyo() -> None:
    # 2026-05-01 14:59 UTC is 23:59 in Tokyo; 15:00 UTC is the next day's midnight.
    assert local_day(utc(2026, 5, 1, 14, 59), "Asia/Tokyo").isoformat() == "2026-05-01"
    assert next_day_start(utc(2026, 5, 1, 14, 59), "Asia/Tokyo") == jst(2026, 5, 2, 0, 0)
    assert local_day(utc(2026, 5, 1, 15, 0), "Asia/Tokyo").isoformat() == "2026-05-02"
    assert next_day_start(utc(2026, 5, 1, 15, 0), "Asia/Tokyo") == jst(2026, 5, 3, 0, 0)
    assert next_day_start(jst(2026, 5, 2, 0, 0), "Asia/Tokyo") == jst(2026, 5, 3, 0, 0)


@settings(max_examples=200, deadline=None)
@given(now=moments, zone=st.sampled_from(ZONES))
def test_next_day_start_is_the_next_local_midnight(now: datetime, zone: str) -> None:
    start = next_day_start(now, zone)
    assert now < start <= now + timedelta(days=1, hours=1)
    assert local_day(start, zone) == local_day(now, zone) + timedelta(days=1)
    assert local_day(start - timedelta(microseconds=1), zone) == local_day(now, zone)


# ------------------------------------------------------------------ errors


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        instant(datetime(2026, 5, 1, 12, 0))
    with pytest.raises(ValueError, match="time zone"):
        instant(jst(2026, 5, 1, 12), tz="Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="digest_hour"):
        due_at(
            jst(2026, 5, 1, 12),
            timezone="Asia/Tokyo",
            frequency="digest",
            digest_hour=None,
            quiet_start=None,
            quiet_end=None,
        )
    with pytest.raises(ValueError, match="digest_hour"):
        digest(jst(2026, 5, 1, 12), 24)
    with pytest.raises(ValueError, match="frequency"):
        due_at(
            jst(2026, 5, 1, 12),
            timezone="Asia/Tokyo",
            frequency="monthly",
            digest_hour=None,
            quiet_start=None,
            quiet_end=None,
        )


# ------------------------------------------------------------------ clocks


def test_frozen_clock_moves_only_when_told() -> None:
    clock: Clock = FrozenClock(jst(2026, 5, 1, 12, 0))
    assert isinstance(clock, FrozenClock)
    assert clock.now() == jst(2026, 5, 1, 12, 0)
    assert clock.now() == clock.now()
    assert clock.advance(timedelta(minutes=90)) == jst(2026, 5, 1, 13, 30)
    assert clock.now() == jst(2026, 5, 1, 13, 30)
    clock.set(utc(2026, 6, 1, 0, 0))
    assert clock.now() == utc(2026, 6, 1, 0, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 6, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2026, 6, 1))


def test_system_clock_is_aware_utc_now() -> None:
    clock: Clock = SystemClock()
    before = datetime.now(UTC)
    now = clock.now()
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
