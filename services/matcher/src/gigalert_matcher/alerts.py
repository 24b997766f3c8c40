"""From a gig and the subscriptions it matched to alerts: pure, no I/O.

One alert per (freelancer, gig), naming every subscription of that freelancer that
matched. Its id is derived from the pair, so processing a gig twice yields the same ids.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter

from gigalert_matcher.matching import Criteria, GigFacts, explain
from gigalert_shared.events import AlertMatched, GigBody, GigSummary, MatchReason

_NAMESPACE = uuid.UUID("5d0c1e2a-6f0b-4c55-9d7e-6a1c0b8e2f11")
_REASONS: TypeAdapter[dict[str, list[MatchReason]]] = TypeAdapter(dict[str, list[MatchReason]])
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)


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


@dataclass(frozen=True, slots=True)
class EncodedAlert:
    """What storing and publishing an alert need, each serialised once."""

    payload: bytes  # the event, byte for byte ``dump_event(alert)``
    reasons: str  # the reasons' JSON, for the ``reasons`` column
    key: bytes  # the freelancer id: the Kafka key
    alert_id: str


def encode_alerts(alerts: list[AlertMatched]) -> list[EncodedAlert]:
    """Each alert's event, reasons, key and id as text.

    The alerts of one gig share its summary and usually the batch's ``created_at``: those
    are serialised once each, each alert's reasons once for both uses, and each id once;
    the event is assembled from these fragments instead of one pydantic pass per alert over
    the whole summary. The field order is AlertMatched's; a unit test holds the result to
    ``dump_event``."""
    gigs: dict[int, bytes] = {}
    times: dict[datetime, bytes] = {}
    out: list[EncodedAlert] = []
    head = b'{"schema_version":%d,"event":"%s","alert_id":"%s","freelancer_id":"%s","gig":'
    for a in alerts:
        gig = gigs.get(id(a.gig))
        if gig is None:
            gig = gigs[id(a.gig)] = a.gig.model_dump_json().encode()
        created = times.get(a.created_at)
        if created is None:
            created = times[a.created_at] = _DATETIME.dump_json(a.created_at)
        reasons = _REASONS.dump_json(a.reasons)
        alert = str(a.alert_id).encode()
        key = str(a.freelancer_id).encode()
        ids = a.subscription_ids
        subs = ('"' + '","'.join(map(str, ids)) + '"').encode() if ids else b""
        payload = b"".join(
            (
                head % (a.schema_version, a.event.encode(), alert, key),
                gig,
                b',"subscription_ids":[',
                subs,
                b'],"reasons":',
                reasons,
                b',"created_at":',
                created,
                b"}",
            )
        )
        out.append(EncodedAlert(payload, reasons.decode(), key, alert.decode()))
    return out
