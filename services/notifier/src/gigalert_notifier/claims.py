"""Claimed rows as units of sending: an instant delivery alone, a channel's digest
deliveries (daily and weekly, due together) as one message. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from gigalert_notifier.policy import ineligible_reason
from gigalert_notifier.repository import ClaimedRow
from gigalert_shared.events import AlertMatched

DIGESTS: Final = frozenset({"digest", "weekly"})


@dataclass(frozen=True, slots=True)
class Claimed:
    ids: list[UUID]
    channel_id: UUID
    kind: str
    target: str
    secret: bytes | None
    ineligible: str | None  # why the channel may not receive now, None when it may
    locale: str
    alerts: list[AlertMatched]
    attempts: int
    lease_until: datetime
    write_deadline: float  # time.monotonic() after which another replica may claim them


def group_claimed(rows: list[ClaimedRow], *, write_deadline: float) -> list[Claimed]:
    """Instant deliveries go one by one; digest deliveries go one message per channel. An
    alert claimed for several channels is read once."""
    out: list[Claimed] = []
    digests: dict[UUID, list[ClaimedRow]] = defaultdict(list)
    alerts: dict[UUID, AlertMatched] = {}
    for r in rows:
        if r.frequency in DIGESTS:
            digests[r.channel_id].append(r)
        else:
            out.append(_claimed([r], write_deadline, alerts))
    out.extend(_claimed(rs, write_deadline, alerts) for rs in digests.values())
    return out


def _alert(row: ClaimedRow, seen: dict[UUID, AlertMatched]) -> AlertMatched:
    alert = seen.get(row.alert_id)
    if alert is None:
        alert = seen[row.alert_id] = AlertMatched.model_validate_json(row.payload)
    return alert


def _claimed(
    rows: list[ClaimedRow], write_deadline: float, seen: dict[UUID, AlertMatched]
) -> Claimed:
    first = rows[0]
    return Claimed(
        ids=[r.id for r in rows],
        channel_id=first.channel_id,
        kind=first.kind,
        target=first.target,
        secret=first.secret_encrypted,
        ineligible=ineligible_reason(
            active=first.channel_active,
            verified=first.channel_verified,
            paused=first.channel_paused,
        ),
        locale=first.locale,
        alerts=[_alert(r, seen) for r in rows],
        attempts=max(r.attempts for r in rows),
        lease_until=first.lease_until,  # one claim statement: the same for every row
        write_deadline=write_deadline,
    )


def delivery_header(ids: list[UUID]) -> str:
    """Every delivery id of the mail while the header stays short (a digest of up to 20);
    beyond that the first id and how many more."""
    if len(ids) <= 20:
        return ",".join(str(i) for i in ids)
    return f"{ids[0]} +{len(ids) - 1}"
