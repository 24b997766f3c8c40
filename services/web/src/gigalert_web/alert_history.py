"""Alert history: every alert with its gig, its reasons and, per channel, its delivery."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from uuid import UUID

from gigalert_shared.crypto import shown_target
from gigalert_shared.db import Db
from gigalert_web.repository import history
from gigalert_web.schemas import AlertOut, AlertPage, DeliveryOut

PAGE_SIZE = 20


def encode_cursor(created_at: datetime, alert_id: UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(alert_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, UUID] | None:
    if not cursor or len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, ident = json.loads(raw)
        return datetime.fromisoformat(stamp), UUID(ident)
    except (ValueError, TypeError):
        return None


def _reasons(value: object, lang: str) -> list[str]:
    """The alert's reasons (per matched search, as the matcher stores them), each once."""
    groups = value.values() if isinstance(value, dict) else [value]
    key = "text_ja" if lang == "ja" else "text_en"
    seen: dict[str, None] = {}
    for group in groups:
        for reason in group if isinstance(group, list) else []:
            if isinstance(reason, dict) and reason.get(key):
                seen.setdefault(str(reason[key]), None)
    return list(seen)


def _delivery(out: DeliveryOut) -> DeliveryOut:
    return out.model_copy(update={"target": shown_target(out.kind, out.target)})


async def page_of_alerts(
    db: Db,
    freelancer_id: UUID,
    *,
    subscription_id: UUID | None,
    cursor: str | None,
    size: int = PAGE_SIZE,
) -> AlertPage:
    rows = await history.page(
        db,
        freelancer_id=freelancer_id,
        subscription_id=subscription_id,
        before=decode_cursor(cursor),
        limit=size + 1,
    )
    alerts = [
        AlertOut(
            id=r.id,
            gig_id=r.gig_id,
            title=r.title,
            url=r.url,
            subscription_ids=r.subscription_ids,
            reasons_ja=_reasons(r.reasons, "ja"),
            reasons_en=_reasons(r.reasons, "en"),
            created_at=r.created_at,
            deliveries=[_delivery(d) for d in r.deliveries],
        )
        for r in rows[:size]
    ]
    more = len(rows) > size
    next_cursor = encode_cursor(rows[size - 1].created_at, rows[size - 1].id) if more else None
    return AlertPage(alerts=alerts, next_cursor=next_cursor)
