"""From a gig and the subscriptions it matched to alerts: pure, no I/O.

One alert per (freelancer, gig), naming every subscription of that freelancer that
matched. Its id is derived from the pair, so processing a gig twice yields the same ids.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from gigalert_matcher.matching import Criteria, GigFacts, explain
from gigalert_shared.events import AlertMatched, GigBody, GigSummary, MatchReason

_NAMESPACE = uuid.UUID("5d0c1e2a-6f0b-4c55-9d7e-6a1c0b8e2f11")


def alert_id(freelancer_id: uuid.UUID, gig_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{freelancer_id}:{gig_id}")


def summary(gig: GigBody) -> GigSummary:
    return GigSummary(
        gig_id=gig.gig_id,
        title=gig.title,
        url=gig.url,
        platform_name=gig.platform_name,
        domains=gig.domains,
        remote_mode=gig.remote_mode,
        location=gig.location,
        rate_min_jpy_h=gig.rate_min_jpy_h,
        rate_max_jpy_h=gig.rate_max_jpy_h,
        rate_source=gig.rate_source,
        days_per_week_min=gig.days_per_week_min,
        days_per_week_max=gig.days_per_week_max,
        posted_at=gig.posted_at,
    )


def build_alerts(
    gig: GigBody, facts: GigFacts, matched: list[Criteria], now: datetime
) -> list[AlertMatched]:
    by_freelancer: dict[uuid.UUID, list[Criteria]] = defaultdict(list)
    for c in matched:
        by_freelancer[c.freelancer_id].append(c)
    gig_summary = summary(gig)
    alerts = []
    for freelancer_id, subs in by_freelancer.items():
        subs.sort(key=lambda c: str(c.subscription_id))
        reasons: dict[str, list[MatchReason]] = {
            str(c.subscription_id): explain(c, facts, gig.rate_source) for c in subs
        }
        alerts.append(
            AlertMatched(
                alert_id=alert_id(freelancer_id, gig.gig_id),
                freelancer_id=freelancer_id,
                gig=gig_summary,
                subscription_ids=[c.subscription_id for c in subs],
                reasons=reasons,
                created_at=now,
            )
        )
    return alerts
