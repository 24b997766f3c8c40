"""From alerts to deliveries: one per (alert, eligible channel that one of the matched
subscriptions selects), scheduled by those subscriptions and the freelancer's time zone.
Eligible: active, proven (``verified_at``) and not paused. The planning is pure
(:mod:`gigalert_notifier.planning`); this reads what it needs and writes what it planned."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from gigalert_notifier import repository
from gigalert_notifier.planning import plan, search_of
from gigalert_notifier.repository import NewDelivery
from gigalert_shared.db import Conn
from gigalert_shared.events import AlertMatched

log = logging.getLogger(__name__)


async def create_deliveries(conn: Conn, alerts: Sequence[AlertMatched], now: datetime) -> int:
    """Insert the deliveries of these alerts (in the caller's transaction); return how many
    were new."""
    if not alerts:
        return 0
    freelancers = {
        f.freelancer_id: f
        for f in await repository.alert_context(
            conn, freelancer_ids=list({a.freelancer_id for a in alerts})
        )
    }
    sub_ids = list({s for a in alerts for s in a.subscription_ids})
    searches = {
        s.id: search_of(s)
        for s in await repository.subscription_schedules(conn, subscription_ids=sub_ids)
    }
    planned: list[NewDelivery] = []
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
                channel_ids=who.channel_ids,
                timezone=who.timezone,
                searches=[searches[s] for s in alert.subscription_ids if s in searches],
                now=now,
            )
        )
    if not planned:
        return 0
    return await repository.insert_deliveries(conn, planned)
