"""From alerts to deliveries: one per (alert, active channel), scheduled by the matched
subscriptions and the freelancer's time zone. Pure planning kept apart from the SQL."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from uuid import UUID

from gigalert_notifier.schedule import due_at
from gigalert_shared.db import Conn, load_queries
from gigalert_shared.events import AlertMatched

log = logging.getLogger(__name__)


def q(name: str) -> str:
    return load_queries("gigalert_notifier")[name]


@dataclass(frozen=True, slots=True)
class Schedule:
    frequency: str
    digest_hour: int | None
    quiet_start: time | None
    quiet_end: time | None


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    alert_id: UUID
    channel_id: UUID
    freelancer_id: UUID
    frequency: str
    payload: dict[str, Any]
    next_attempt_at: datetime


def pick_schedule(schedules: Sequence[Schedule]) -> Schedule:
    """If any matched subscription wants it at once, it goes at once (its quiet hours
    apply); otherwise at the earliest digest hour among them."""
    instant = [s for s in schedules if s.frequency == "instant"]
    if instant or not schedules:
        return instant[0] if instant else Schedule("instant", None, None, None)
    return min(schedules, key=lambda s: s.digest_hour if s.digest_hour is not None else 24)


def plan(
    alert: AlertMatched,
    *,
    channel_ids: Sequence[UUID],
    timezone: str,
    schedules: Sequence[Schedule],
    now: datetime,
) -> list[PlannedDelivery]:
    chosen = pick_schedule(schedules)
    when = due_at(
        now,
        timezone=timezone,
        frequency=chosen.frequency,
        digest_hour=chosen.digest_hour,
        quiet_start=chosen.quiet_start,
        quiet_end=chosen.quiet_end,
    )
    payload = alert.model_dump(mode="json")
    return [
        PlannedDelivery(alert.alert_id, c, alert.freelancer_id, chosen.frequency, payload, when)
        for c in channel_ids
    ]


async def create_deliveries(conn: Conn, alerts: Sequence[AlertMatched], now: datetime) -> int:
    """Insert the deliveries of these alerts (in the caller's transaction); return how many
    were new."""
    if not alerts:
        return 0
    freelancers = {
        r["freelancer_id"]: r
        for r in await conn.fetch(q("alert_context"), list({a.freelancer_id for a in alerts}))
    }
    sub_ids = list({s for a in alerts for s in a.subscription_ids})
    schedules = {
        r["id"]: Schedule(r["frequency"], r["digest_hour"], r["quiet_start"], r["quiet_end"])
        for r in await conn.fetch(q("subscription_schedules"), sub_ids)
    }
    planned: list[PlannedDelivery] = []
    for alert in alerts:
        who = freelancers.get(alert.freelancer_id)
        if who is None:
            log.info(
                "alert for a deleted freelancer skipped", extra={"alert_id": str(alert.alert_id)}
            )
            continue
        planned.extend(
            plan(
                alert,
                channel_ids=who["channel_ids"],
                timezone=who["timezone"],
                schedules=[schedules[s] for s in alert.subscription_ids if s in schedules],
                now=now,
            )
        )
    if not planned:
        return 0
    rows = await conn.fetch(
        q("insert_deliveries"),
        [p.alert_id for p in planned],
        [p.channel_id for p in planned],
        [p.freelancer_id for p in planned],
        [p.frequency for p in planned],
        [p.payload for p in planned],
        [p.next_attempt_at for p in planned],
    )
    return len(rows)
