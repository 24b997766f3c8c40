"""Pay to JPY per hour, keeping what the listing said and how we got there.

Rules (design.md, "Normalising what platforms write"):

* hour: as is. day: ÷ ``hours_per_day`` (8).
* month: ÷ the listing's own hours when it gives them: the midpoint of a 精算幅 (140–180h →
  160h) or one stated figure (``160h想定``, ``月20h程度``). Else, from pay text only, hours a
  week: ``160 × h / 40`` (週20時間 → 80h). Else ÷ ``standard_hours_per_month`` (160) scaled by
  days per week, ``160 × d / 5``, where ``d`` is the *midpoint* of the days range (週3 → 96h,
  週2〜3 → 80h, 週4日以上 = 4–5 → 144h); the same divisor serves the min and the max. Else ÷ 160h.
* project: ÷ the stated hours (``案件総額50万円（100h想定）`` → ÷ 100h), else no hourly figure.
  An amount with hours of its own and no unit is a project's (``1時間程度…報酬は2万円``).
* other currencies: × ``fx_to_jpy[currency]`` (JPY per unit); not in the table → no figure.
* Rounded to the nearest yen, halves up. Tax basis is recorded, never adjusted for.
* A figure is never made up: unreadable, negotiable, unit-less, annual or unconvertible pay gives
  ``min_jpy_h = max_jpy_h = None`` and a ``convention`` that says why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from gigalert_shared.events import RateUnit, TaxBasis

from .days import DaysPerWeek, parse_days
from .hourly import MAX_HOURS_PER_MONTH, NormalisedRate, convert
from .rate_text import read_rate

__all__ = ["NormalisedRate", "RateHints", "normalise_structured_rate", "parse_rate_text"]

# A unit-less foreign figure this large is a salary (``$80,000 - $96,000``): no gig pays it by
# the hour, the day or the month.
SALARY_FROM_FOREIGN = 20_000


@dataclass(frozen=True, slots=True)
class RateHints:
    """What the rest of a listing says that its pay text leaves out (see :mod:`.listing`).

    Used only where the pay text is silent: its own hours, band and unit always win."""

    hours_per_month: tuple[float, float] | None = None  # 月間最大10時間, 1か月当たり125時間
    hours_per_week: float | None = None  # 週35時間, max 12 hrs a week
    unit: RateUnit | None = None  # a stipend, an honorarium → project; salary → year


def _check_positive(name: str, x: float | None) -> None:
    if x is not None and not (math.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a positive number, got {x}")


def _fx_table(fx_to_jpy: Mapping[str, float]) -> dict[str, float]:
    """Codes upper-cased; a rate that is not a positive number is a configuration error."""
    for code, rate in fx_to_jpy.items():
        _check_positive(f"fx_to_jpy[{code!r}]", rate)
    return {code.upper(): rate for code, rate in fx_to_jpy.items()}


@lru_cache(maxsize=16)
def _fx_checked(items: tuple[tuple[str, float], ...]) -> tuple[Mapping[str, float], frozenset[str]]:
    """:func:`_fx_table` and its codes, once per table (the settings' table, in practice); the
    table is only read from then on."""
    fx = _fx_table(dict(items))
    return fx, frozenset(fx)


def parse_rate_text(
    text: str,
    *,
    days_per_week: DaysPerWeek | None = None,
    fx_to_jpy: Mapping[str, float],
    hours_per_day: float = 8.0,
    standard_hours_per_month: float = 160.0,
    hints: RateHints | None = None,
) -> NormalisedRate:
    """Normalise a pay text such as ``月額60〜80万円（140-180h）`` or ``$40-60/hr``.

    Days per week scale a monthly figure; when ``days_per_week`` is None or empty, days written
    in the pay text itself (``週3日で月48万円``) are used. A band or stated hours outside
    0 < h <= 744 a month (or 168 a week) are ignored. Raises ``ValueError`` only for bad
    settings (hours <= 0, an fx rate <= 0), never for bad text.
    """
    fx, fx_codes = _fx_checked(tuple(fx_to_jpy.items()))
    _check_positive("hours_per_day", hours_per_day)
    _check_positive("standard_hours_per_month", standard_hours_per_month)
    read = read_rate(text, fx_codes)
    days = days_per_week if days_per_week is not None and days_per_week.known else None
    if days is None:
        days = parse_days(text)
    hours = (read.hours_min, read.hours_max)
    if not all(h is not None and 0 < h <= MAX_HOURS_PER_MONTH for h in hours):
        hours = (None, None)
    per_week = read.hours_per_week
    unit = read.unit
    currency = read.currency or "JPY"
    has_amount = read.amount_min is not None or read.amount_max is not None
    if hints is not None:
        if hours == (None, None) and per_week is None:
            if hints.hours_per_month is not None:
                hours = hints.hours_per_month
            else:
                per_week = hints.hours_per_week
        if unit is None and has_amount:
            big = max(a for a in (read.amount_min, read.amount_max) if a is not None)
            unit = hints.unit
            if unit is None and currency != "JPY" and big >= SALARY_FROM_FOREIGN:
                unit = RateUnit.YEAR
    if unit is None and has_amount and hours != (None, None) and per_week is None:
        unit = RateUnit.PROJECT  # 最大5時間拘束で4000円: the amount for the hours it states
    why = "unreadable" if not read.readable or not has_amount else "unit unknown: no hourly rate"
    return convert(
        text=text,
        amount_min=read.amount_min,
        amount_max=read.amount_max,
        unit=unit,
        currency=currency,
        tax_basis=read.tax_basis,
        negotiable=read.negotiable,
        hours=hours,
        days=days,
        fx_to_jpy=fx,
        hours_per_day=hours_per_day,
        standard=standard_hours_per_month,
        why_none=why,
        hours_per_week=per_week if 0 < (per_week or 0) <= 168 else None,
    )


def normalise_structured_rate(
    *,
    amount_min: float | None,
    amount_max: float | None,
    unit: RateUnit,
    currency: str,
    tax_basis: TaxBasis,
    hours_per_month_min: float | None,
    hours_per_month_max: float | None,
    days_per_week: DaysPerWeek | None,
    fx_to_jpy: Mapping[str, float],
    hours_per_day: float = 8.0,
    standard_hours_per_month: float = 160.0,
    negotiable: bool = False,
    project_hours: float | None = None,
    text: str | None = None,
) -> NormalisedRate:
    """Normalise pay a platform sent as fields, by the same rules as :func:`parse_rate_text`.

    Raises ``ValueError`` for impossible input (amounts or hours <= 0, min > max, hours above
    744 a month, a currency that is not a three-letter code): the caller reports it as a field
    error. One of the two hours gives a stated
    figure; for ``project`` pay, ``project_hours`` are the hours the whole project takes.
    """
    for name, x in (
        ("amount_min", amount_min),
        ("amount_max", amount_max),
        ("hours_per_month_min", hours_per_month_min),
        ("hours_per_month_max", hours_per_month_max),
        ("project_hours", project_hours),
        ("hours_per_day", hours_per_day),
        ("standard_hours_per_month", standard_hours_per_month),
    ):
        _check_positive(name, x)
    for lo, hi, what in (
        (amount_min, amount_max, "amount"),
        (hours_per_month_min, hours_per_month_max, "hours_per_month"),
    ):
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"{what}_min {lo} is more than {what}_max {hi}")
    band = [h for h in (hours_per_month_min, hours_per_month_max) if h is not None]
    if any(h > MAX_HOURS_PER_MONTH for h in band):
        raise ValueError(f"hours per month must be <= {MAX_HOURS_PER_MONTH:g}")
    hours: tuple[float | None, float | None] = (min(band), max(band)) if band else (None, None)
    if unit is RateUnit.PROJECT:
        hours = (project_hours, project_hours)
    if not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise ValueError(f"currency must be a three-letter code, got {currency!r}")
    fx = _fx_table(fx_to_jpy)
    return convert(
        text=text,
        amount_min=amount_min,
        amount_max=amount_max,
        unit=unit,
        currency=currency,
        tax_basis=tax_basis,
        negotiable=negotiable,
        hours=hours,
        days=days_per_week,
        fx_to_jpy=fx,
        hours_per_day=hours_per_day,
        standard=standard_hours_per_month,
        why_none="no amount",
    )
