"""Saved searches as stored: keywords and locations folded (NFKC + casefold), so ＰＭＯ and
pmo are one; the matcher reads the same rows."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Final
from uuid import UUID

from gigalert_shared.db import Db
from gigalert_shared.events import RemoteMode
from gigalert_shared.matching import Criteria, criteria_from_row
from gigalert_shared.taxonomy import normalise_text
from gigalert_web.repository import channels, searches
from gigalert_web.repository.searches import Search, SearchValues
from gigalert_web.schemas import SubscriptionIn

MAX_SUBSCRIPTIONS: Final = 50


def stored_values(s: SubscriptionIn) -> SearchValues:
    return SearchValues(
        name=s.name,
        remote_modes=[str(m) for m in s.remote_modes],
        min_rate_jpy_h=s.min_rate_jpy_h,
        include_unknown_rate=s.include_unknown_rate,
        domains=list(s.domains),
        keywords_any=sorted({normalise_text(k) for k in s.keywords_any}),
        keywords_none=sorted({normalise_text(k) for k in s.keywords_none}),
        max_days_per_week=s.max_days_per_week,
        locations=sorted({normalise_text(k) for k in s.locations}),
        frequency=s.frequency,
        digest_hour=s.digest_hour,
        quiet_start=s.quiet_start,
        quiet_end=s.quiet_end,
        weekly_day=s.weekly_day,
        channel_ids=s.channel_ids,
    )


def criteria_of(s: SubscriptionIn, freelancer_id: UUID) -> Criteria:
    """An unsaved search's criteria, exactly as the matcher would read them once stored."""
    values = asdict(stored_values(s))
    return criteria_from_row({**values, "id": uuid.uuid4(), "freelancer_id": freelancer_id})


def narrows(s: SubscriptionIn) -> bool:
    """Whether ``s`` has a criterion. Without one every gig fits: its preview tells nothing,
    so none is run (nor counted against the account's previews a minute)."""
    return bool(
        set(s.remote_modes) != set(RemoteMode)
        or s.min_rate_jpy_h is not None
        or s.domains
        or s.keywords_any
        or s.keywords_none
        or s.max_days_per_week is not None
        or s.locations
    )


def criteria_of_stored(search: Search) -> Criteria:
    return criteria_from_row(asdict(search))


def as_input(search: Search, **changes: object) -> SubscriptionIn:
    """A stored search as the model a new one is made from (a duplicate, say)."""
    values = {k: getattr(search, k) for k in SubscriptionIn.model_fields}
    return SubscriptionIn.model_validate({**values, **changes})


class TooManySearches(Exception):
    pass


async def insert(db: Db, freelancer_id: UUID, sub: SubscriptionIn) -> Search:
    if await searches.count(db, freelancer_id=freelancer_id) >= MAX_SUBSCRIPTIONS:
        raise TooManySearches
    return await searches.insert(db, freelancer_id=freelancer_id, values=stored_values(sub))


async def update(
    db: Db, freelancer_id: UUID, subscription_id: UUID, sub: SubscriptionIn
) -> Search | None:
    return await searches.update(
        db, subscription_id=subscription_id, freelancer_id=freelancer_id, values=stored_values(sub)
    )


async def own_channel_ids(db: Db, freelancer_id: UUID) -> set[UUID]:
    return await channels.ids_of(db, freelancer_id=freelancer_id)
