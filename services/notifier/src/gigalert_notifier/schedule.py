"""When a delivery is due: instant or at the digest hour, never in quiet hours, in the
freelancer's own time zone. Pure, with an injectable clock.

Rules (all wall-clock times are the freelancer's, via :mod:`zoneinfo`):

* Quiet hours are ``[quiet_start, quiet_end)``: the start minute is quiet, the end minute is
  not. ``quiet_start > quiet_end`` wraps midnight (22:00–07:00); ``quiet_start ==
  quiet_end`` or either missing means no quiet hours.
* ``instant``: now, unless now is quiet; then the end of that quiet period.
* ``digest``: the next ``digest_hour:00`` at or after now (now itself when it is exactly the
  hour), pushed to the end of the quiet period if that moment is quiet.
* ``weekly``: the next ``digest_hour:00`` on ``weekly_day`` (0 = Monday … 6 = Sunday, as
  :meth:`datetime.date.weekday`) at or after now, pushed out of quiet hours the same way.
* Daylight saving time: a wall time that does not exist (spring forward) is read with the
  offset before the change, so it lands just after the gap (02:30 → 03:30 EDT, also for a
  quiet end inside the gap); a wall time that happens twice (fall back) is its first
  occurrence, so a digest hour comes once a day; a quiet end in a repeated hour that has
  already passed once is taken at its second occurrence.
* The result is UTC-aware and never earlier than ``now``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "FREQUENCIES",
    "Clock",
    "FrozenClock",
    "SystemClock",
    "due_at",
    "in_quiet_hours",
    "local_day",
    "next_day_start",
]

Frequency = Literal["instant", "digest", "weekly"]
FREQUENCIES: tuple[Frequency, ...] = ("instant", "digest", "weekly")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (for tests)."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start, "start")

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = _aware(when, "when")

    def advance(self, delta: timedelta) -> datetime:
        self._now = self._now + delta
        return self._now


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    return value


def in_quiet_hours(local: time, quiet_start: time | None, quiet_end: time | None) -> bool:
    """Whether a wall-clock time is inside ``[quiet_start, quiet_end)`` (wrapping midnight)."""
    if quiet_start is None or quiet_end is None or quiet_start == quiet_end:
        return False
    t = local.replace(tzinfo=None)
    s, e = quiet_start.replace(tzinfo=None), quiet_end.replace(tzinfo=None)
    if s < e:
        return s <= t < e
    return t >= s or t < e


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def _wall(day: date, at: time, tz: tzinfo, fold: int = 0) -> datetime:
    """``day`` at ``at`` in ``tz``, as UTC (see the module docstring for DST)."""
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz).replace(fold=fold)
    return local.astimezone(UTC)


def _quiet_end_after(moment: datetime, tz: tzinfo, start: time, end: time) -> datetime:
    """The end of the quiet period that ``moment`` (UTC, known to be quiet) is in."""
    local = moment.astimezone(tz)
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start.replace(tzinfo=None):
        day += timedelta(days=1)  # wrapping: the quiet night ends tomorrow morning
    for fold in (0, 1):
        candidate = _wall(day, end, tz, fold)
        if candidate > moment:
            return candidate
    return moment  # the end already passed (a repeated hour): not quiet any more


def _next_hour(now: datetime, tz: tzinfo, hour: int, weekday: int | None = None) -> datetime:
    """The first ``hour:00`` (on ``weekday`` when given) at or after ``now``."""
    at = time(hour, 0)
    day = now.astimezone(tz).date()
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    step = timedelta(days=1 if weekday is None else 7)
    candidate = _wall(day, at, tz)
    while candidate < now:
        day += step
        candidate = _wall(day, at, tz)
    return candidate


def _check_hour(digest_hour: int | None, frequency: str) -> int:
    if digest_hour is None or not 0 <= digest_hour <= 23:
        raise ValueError(
            f"a {frequency} schedule needs a digest_hour in 0..23, got {digest_hour!r}"
        )
    return digest_hour


def due_at(
    now: datetime,
    *,
    timezone: str,
    frequency: str,
    digest_hour: int | None,
    quiet_start: time | None,
    quiet_end: time | None,
    weekly_day: int | None = None,
) -> datetime:
    """When a delivery planned at ``now`` should go out (UTC-aware, ``>= now``)."""
    now = _aware(now, "now").astimezone(UTC)
    tz = _zone(timezone)
    if frequency == "instant":
        moment = now
    elif frequency == "digest":
        moment = _next_hour(now, tz, _check_hour(digest_hour, frequency))
    elif frequency == "weekly":
        if weekly_day is None or not 0 <= weekly_day <= 6:
            raise ValueError(f"a weekly digest needs a weekly_day in 0..6, got {weekly_day!r}")
        moment = _next_hour(now, tz, _check_hour(digest_hour, frequency), weekly_day)
    else:
        raise ValueError(f"unknown frequency {frequency!r}")
    if (
        quiet_start is not None
        and quiet_end is not None
        and in_quiet_hours(moment.astimezone(tz).time(), quiet_start, quiet_end)
    ):
        return _quiet_end_after(moment, tz, quiet_start, quiet_end)
    return moment


def local_day(now: datetime, timezone: str) -> date:
    """The calendar day ``now`` falls on in ``timezone``."""
    return _aware(now, "now").astimezone(_zone(timezone)).date()


def next_day_start(now: datetime, timezone: str) -> datetime:
    """The start (00:00, or the first instant after a DST gap) of the day after the one
    ``now`` falls on in ``timezone``, as UTC: strictly after ``now``."""
    tz = _zone(timezone)
    return _wall(local_day(now, timezone) + timedelta(days=1), time(0, 0), tz)
