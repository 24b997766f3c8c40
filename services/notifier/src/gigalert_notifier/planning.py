"""From alerts to deliveries, the pure part: one per (alert, eligible channel that one of
the matched subscriptions selects), scheduled by those subscriptions and the freelancer's
time zone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Final
from uuid import UUID

from gigalert_notifier.repository import NewDelivery, SubscriptionSchedule
from gigalert_notifier.schedule import due_at
from gigalert_shared.events import AlertMatched


@dataclass(frozen=True, slots=True)
class Schedule:
    frequency: str
    digest_hour: int | None
    quiet_start: time | None
    quiet_end: time | None
    weekly_day: int | None = None


INSTANT: Final = Schedule("instant", None, None, None)


@dataclass(frozen=True, slots=True)
class Search:
    """What a matched subscription asks of its alerts: when, and on which channels
    (``None``: every channel of the account)."""

    schedule: Schedule
    channel_ids: frozenset[UUID] | None = None

    def selects(self, channel_id: UUID) -> bool:
        return self.channel_ids is None or channel_id in self.channel_ids


def _due(s: Schedule, timezone: str, now: datetime) -> datetime:
    return due_at(
        now,
        timezone=timezone,
        frequency=s.frequency,
        digest_hour=s.digest_hour,
        quiet_start=s.quiet_start,
        quiet_end=s.quiet_end,
        weekly_day=s.weekly_day,
    )


def pick_schedule(
    schedules: Sequence[Schedule], *, timezone: str, now: datetime
) -> tuple[str, datetime]:
    """The frequency and due time of a delivery wanted by these schedules. If any wants it
    at once, it goes at once (the first such one's quiet hours apply); otherwise at the
    earliest moment any of them (daily or weekly digest) would send it."""
    if not schedules:
        schedules = [INSTANT]
    instant = [s for s in schedules if s.frequency == "instant"]
    if instant:
        return "instant", _due(instant[0], timezone, now)
    return min(((s.frequency, _due(s, timezone, now)) for s in schedules), key=lambda p: p[1])


def plan(
    alert: AlertMatched,
    *,
    channel_ids: Sequence[UUID],
    timezone: str,
    searches: Sequence[Search],
    now: datetime,
) -> list[NewDelivery]:
    """One delivery per eligible channel (``channel_ids``, in order) that at least one of
    the alert's matched searches selects, scheduled by the searches selecting it. When none
    of the alert's subscriptions is known any more (deleted meanwhile), the alert goes at
    once to every eligible channel, as it did before per-search channels existed."""
    if not searches:
        searches = [Search(INSTANT)]
    payload = alert.model_dump(mode="json")
    out: list[NewDelivery] = []
    for channel in channel_ids:
        wanting = [s.schedule for s in searches if s.selects(channel)]
        if not wanting:
            continue
        frequency, when = pick_schedule(wanting, timezone=timezone, now=now)
        out.append(
            NewDelivery(alert.alert_id, channel, alert.freelancer_id, frequency, payload, when)
        )
    return out


def search_of(row: SubscriptionSchedule) -> Search:
    schedule = Schedule(
        row.frequency, row.digest_hour, row.quiet_start, row.quiet_end, row.weekly_day
    )
    return Search(schedule, None if row.channel_ids is None else frozenset(row.channel_ids))
