"""When a delivery is due: instant or at the digest hour, never in quiet hours, in the
freelancer's own time zone. Pure, with an injectable clock.

Rules (all wall-clock times are the freelancer's, via :mod:`zoneinfo`):

* Quiet hours are ``[quiet_start, quiet_end)``: the start minute is quiet, the end minute is
  not. ``quiet_start > quiet_end`` wraps midnight (22:00–07:00); ``quiet_start ==
  quiet_end`` or either missing means no quiet hours.
* ``instant``: now, unless now is quiet; then the end of that quiet period.
* ``digest``: the next ``digest_hour:00`` at or after now (now itself when it is exactly the
  hour), pushed to the end of the quiet period if that moment is quiet.
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

__all__ = ["Clock", "FrozenClock", "SystemClock", "due_at", "in_quiet_hours"]

Frequency = Literal["instant", "digest"]


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


def _next_hour(now: datetime, tz: tzinfo, hour: int) -> datetime:
    at = time(hour, 0)
    day = now.astimezone(tz).date()
    candidate = _wall(day, at, tz)
    while candidate < now:
        day += timedelta(days=1)
        candidate = _wall(day, at, tz)
    return candidate


def due_at(
    now: datetime,
    *,
    timezone: str,
    frequency: str,
    digest_hour: int | None,
    quiet_start: time | None,
    quiet_end: time | None,
) -> datetime:
    """When a delivery planned at ``now`` should go out (UTC-aware, ``>= now``)."""
    now = _aware(now, "now").astimezone(UTC)
    tz = _zone(timezone)
    if frequency == "instant":
        moment = now
    elif frequency == "digest":
        if digest_hour is None or not 0 <= digest_hour <= 23:
            raise ValueError(f"a digest needs a digest_hour in 0..23, got {digest_hour!r}")
        moment = _next_hour(now, tz, digest_hour)
    else:
        raise ValueError(f"unknown frequency {frequency!r}")
    if (
        quiet_start is not None
        and quiet_end is not None
        and in_quiet_hours(moment.astimezone(tz).time(), quiet_start, quiet_end)
    ):
        return _quiet_end_after(moment, tz, quiet_start, quiet_end)
    return moment
