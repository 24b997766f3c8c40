"""From a validated ``GigIn`` to the normalised gig: pure, no I/O.

The structured fields come first; the title and description (``normalise.listing_pay``,
``listing_time``, ``listing_place``) fill what they leave open: pay when the rate field
gives no amount, the hours a monthly figure is divided by when the pay text states none,
days per week, remote mode, place, whether the work is unpaid, and domains when category,
title and skills name none. Where both speak, the field wins. An hourly figure outside the
plausible band is kept in ``rate_source`` only
(:func:`.normalise.plausible`)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from gigalert_ingest.normalise import (
    DaysPerWeek,
    NormalisedRate,
    RateHints,
    days_from_numbers,
    normalise_structured_rate,
    parse_days_cached,
    parse_rate_text,
    parse_remote,
    plausible,
)
from gigalert_ingest.normalise.domains import listing_domains
from gigalert_ingest.normalise.listing_pay import fee_unit, find_pay_text, says_unpaid, unit_hint
from gigalert_ingest.normalise.listing_place import (
    clean_location,
    read_location,
    read_remote_text,
    regular_visits,
)
from gigalert_ingest.normalise.listing_time import Hours, read_days_text, read_hours
from gigalert_ingest.schemas import DaysIn, GigIn, RateIn
from gigalert_shared.events import GigBody, RateSource, RateUnit, RemoteMode
from gigalert_shared.taxonomy import normalise_text


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
    value: RateIn | str | None,
    days: DaysPerWeek,
    fx_to_jpy: Mapping[str, float],
    hints: RateHints | None = None,
) -> NormalisedRate:
    if value is None:
        return NormalisedRate(None, None, RateSource(convention="not given"))
    if isinstance(value, str):
        return parse_rate_text(value, days_per_week=days, fx_to_jpy=fx_to_jpy, hints=hints)
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


def _has_amount(rate: NormalisedRate) -> bool:
    return rate.source.amount_min is not None or rate.source.amount_max is not None


def _unpaid(source: RateSource) -> NormalisedRate:
    convention = "unpaid (無報酬): ¥0 an hour, passes no rate floor"
    return NormalisedRate(
        0, 0, source.model_copy(update={"unpaid": True, "convention": convention})
    )


class _Hours:
    """The description's hours, read once and only when something needs them."""

    __slots__ = ("_description", "_hours")

    def __init__(self, description: str) -> None:
        self._description = description
        self._hours: Hours | None = None

    def get(self) -> Hours:
        if self._hours is None:
            self._hours = read_hours(self._description) if self._description else Hours()
        return self._hours


def _wants_hints(rate: NormalisedRate) -> bool:
    """Whether the rest of the listing could complete this rate: an amount without a unit, or
    monthly or yearly pay divided by no hours of the listing's own."""
    rs = rate.source
    if rs.amount_min is None and rs.amount_max is None:
        return False
    if rs.unit is None:
        return True
    return (
        rs.unit in (RateUnit.MONTH, RateUnit.YEAR)
        and rs.hours_per_month_min is None
        and "listing's" not in rs.convention
        and "a week" not in rs.convention
    )


def _listing_rate(
    gig: GigIn, days: DaysPerWeek, hours: _Hours, fx_to_jpy: Mapping[str, float]
) -> NormalisedRate:
    """The rate field, completed by the title and description where it is silent."""
    text = gig.rate if isinstance(gig.rate, str) else None
    rate = _rate(gig.rate, days, fx_to_jpy)
    if text is not None and gig.description and _wants_hints(rate):
        unit = unit_hint(gig.description) if rate.source.unit is None else None
        hinted = hours.get().hints(unit)
        if hinted != _NO_HINTS or rate.source.unit is None:
            rate = _rate(gig.rate, days, fx_to_jpy, hinted)
    if _has_amount(rate) or rate.source.negotiable:
        return rate
    pay = find_pay_text(gig.title, gig.description, frozenset(fx_to_jpy))
    if pay is not None:
        hints = hours.get().hints(None) if gig.description else None
        found = parse_rate_text(pay, days_per_week=days, fx_to_jpy=fx_to_jpy, hints=hints)
        if _has_amount(found) or (found.source.negotiable and gig.rate is None):
            return found
    if says_unpaid(text, gig.title, gig.description):
        return _unpaid(rate.source)
    if text is not None and rate.source.unit is None and (unit := fee_unit(text)) is not None:
        # 固定報酬制（契約金額は相談）: the kind of pay is known, its amount is not
        return NormalisedRate(None, None, rate.source.model_copy(update={"unit": unit}))
    return rate


_NO_HINTS = RateHints()


def _days_of(gig: GigIn, hours: _Hours) -> DaysPerWeek:
    days = _days(gig.days_per_week)
    if days.known:
        return days
    texts = [days.text, gig.rate if isinstance(gig.rate, str) else None, gig.title]
    for text in texts:
        if text:
            found = read_days_text(text)
            if found.known:
                return found
    if gig.description:
        found = read_days_text(gig.description, hours.get())
        if found.known:
            return found
    return days


def _remote_of(gig: GigIn, location_says_remote: bool) -> RemoteMode | None:
    mode = parse_remote(gig.remote)
    if mode is None and location_says_remote:
        mode = RemoteMode.REMOTE
    if mode is None:
        mode = read_remote_text(gig.title)
        if mode is None:
            return read_remote_text(gig.description)
    if mode is RemoteMode.REMOTE and regular_visits(gig.description):
        # remote, plus a stated regular presence (a monthly meeting in town): hybrid
        return RemoteMode.HYBRID
    return mode


def _location_of(gig: GigIn) -> tuple[str | None, bool]:
    location, remote = clean_location(gig.location)
    if location is None:
        location = read_location(gig.title, gig.description)
    return location, remote


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
    hours = _Hours(gig.description)
    days = _days_of(gig, hours)
    rate = plausible(_listing_rate(gig, days, hours, fx_to_jpy))
    location, location_says_remote = _location_of(gig)
    domains = listing_domains(gig.category or "", gig.title, gig.skills, gig.description)
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
        remote_mode=_remote_of(gig, location_says_remote),
        remote_text=gig.remote,
        location=location,
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
