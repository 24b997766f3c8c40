"""Alert history: a freelancer's alerts with their gigs and deliveries, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from gigalert_shared.db import Db
from gigalert_web.repository.base import q
from gigalert_web.schemas import DeliveryOut


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: UUID
    gig_id: UUID
    subscription_ids: list[UUID]
    reasons: object  # as the matcher stores them: {search id: [reason, …]}
    created_at: datetime
    title: str | None
    url: str | None
    deliveries: list[DeliveryOut]


async def page(
    db: Db,
    *,
    freelancer_id: UUID,
    subscription_id: UUID | None,
    before: tuple[datetime, UUID] | None,
    limit: int,
) -> list[AlertRow]:
    """At most ``limit`` alerts older than ``before`` (keyset), optionally of one search."""
    rows = await db.fetch(
        q("list_alerts"),
        freelancer_id,
        subscription_id,
        before[0] if before else None,
        before[1] if before else None,
        limit,
    )
    return [
        AlertRow(
            **{name: r[name] for name in ("id", "gig_id", "created_at", "title", "url")},
            subscription_ids=list(r["subscription_ids"]),
            reasons=r["reasons"],
            deliveries=[DeliveryOut.model_validate(d) for d in r["deliveries"]],
        )
        for r in rows
    ]
