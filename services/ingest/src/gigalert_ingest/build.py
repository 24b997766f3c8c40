"""From a validated ``GigIn`` to the normalised gig: pure, no I/O."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from gigalert_ingest.normalise import (
    DaysPerWeek,
    NormalisedRate,
    days_from_numbers,
    normalise_structured_rate,
    parse_days_cached,
    parse_rate_text,
    parse_remote,
)
from gigalert_ingest.schemas import DaysIn, GigIn, RateIn
from gigalert_shared.events import GigBody, RateSource
from gigalert_shared.taxonomy import domains_from_text, normalise_text


@dataclass(frozen=True, slots=True)
class Platform:
    id: uuid.UUID
    name: str


def content_hash(gig: GigIn) -> str:
    """Same content from the same platform is a duplicate; anything else is an update."""
    # pydantic serialises fields in declaration order, so the JSON is canonical.
    return hashlib.sha256(gig.model_dump_json().encode()).hexdigest()


def _days(value: DaysIn | str | None) -> DaysPerWeek:
    if value is None:
        return DaysPerWeek(None, None, None)
    if isinstance(value, str):
        return parse_days_cached(value)
    return days_from_numbers(value.min, value.max)


def _rate(
    value: RateIn | str | None, days: DaysPerWeek, fx_to_jpy: Mapping[str, float]
) -> NormalisedRate:
    if value is None:
        return NormalisedRate(None, None, RateSource(convention="not given"))
    if isinstance(value, str):
        return parse_rate_text(value, days_per_week=days, fx_to_jpy=fx_to_jpy)
    return normalise_structured_rate(
        amount_min=value.amount_min,
        amount_max=value.amount_max,
        unit=value.unit,
        currency=value.currency,
        tax_basis=value.tax_basis,
        hours_per_month_min=value.hours_per_month_min,
        hours_per_month_max=value.hours_per_month_max,
        days_per_week=days,
        fx_to_jpy=fx_to_jpy,
    )


def search_text(title: str, description: str, skills: list[str]) -> str:
    """What keyword criteria are matched against: width- and case-folded."""
    return normalise_text(" \n".join([title, description, *skills]))


def build_gig(
    gig: GigIn,
    *,
    platform: Platform,
    gig_id: uuid.UUID,
    received_at: datetime,
    fx_to_jpy: Mapping[str, float],
) -> GigBody:
    days = _days(gig.days_per_week)
    rate = _rate(gig.rate, days, fx_to_jpy)
    domains = domains_from_text(gig.category or "", gig.title, *gig.skills)
    return GigBody(
        gig_id=gig_id,
        platform_id=platform.id,
        platform_name=platform.name,
        external_id=gig.external_id,
        title=gig.title,
        description=gig.description,
        url=str(gig.url) if gig.url else None,
        domains=domains or ["other"],
        skills=list(gig.skills),
        remote_mode=parse_remote(gig.remote),
        remote_text=gig.remote,
        location=gig.location,
        rate_min_jpy_h=rate.min_jpy_h,
        rate_max_jpy_h=rate.max_jpy_h,
        rate_source=rate.source,
        days_per_week_min=days.min,
        days_per_week_max=days.max,
        days_text=days.text,
        language=gig.language,
        posted_at=gig.posted_at,
        expires_at=gig.expires_at,
        received_at=received_at,
        content_hash=content_hash(gig),
    )
