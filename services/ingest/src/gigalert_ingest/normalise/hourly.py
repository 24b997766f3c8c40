"""Amounts in some currency per some unit, to whole yen per hour: the conversion rules.

See :mod:`.rates` for the rules in words; this module applies them to figures already read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from gigalert_shared.events import RateSource, RateUnit, TaxBasis

from .days import FULL_WEEK, DaysPerWeek
from .text import fmt_num

__all__ = [
    "MAX_HOURS_PER_MONTH",
    "MAX_JPY_PER_HOUR",
    "PLAUSIBLE_JPY_H",
    "NormalisedRate",
    "convert",
    "plausible",
]

MAX_HOURS_PER_MONTH = 744.0  # 31 × 24: anything above is not a month's hours
# Far above any real rate, far below what an integer column holds (2**31 - 1).
MAX_JPY_PER_HOUR = 1_000_000
# The plausible band of an hourly figure for paid work: below Japan's minimum wage (about
# ¥1,000 an hour) or above ¥50,000 an hour, a derived figure is a sign of a misreading (a
# monthly fee for a few hours' work divided by 160 h, a deduction read as the hours).
PLAUSIBLE_JPY_H = (1_000, 50_000)


@dataclass(frozen=True, slots=True)
class NormalisedRate:
    min_jpy_h: int | None
    max_jpy_h: int | None
    source: RateSource

    @property
    def known(self) -> bool:
        return self.min_jpy_h is not None or self.max_jpy_h is not None


def _round_yen(x: float) -> int:
    return math.floor(x + 0.5)


def _finite(x: float | None) -> float | None:
    return x if x is None or math.isfinite(x) else None


def _divisor(
    unit: RateUnit,
    hours: tuple[float | None, float | None],
    days: DaysPerWeek | None,
    hours_per_week: float | None,
    hours_per_day: float,
    standard: float,
) -> tuple[float | None, str]:
    lo, hi = hours
    if unit is RateUnit.HOUR:
        return 1.0, "hour"
    if unit is RateUnit.DAY:
        return hours_per_day, f"day ÷ {fmt_num(hours_per_day)}h"
    if lo is not None and hi is not None:
        mid = (lo + hi) / 2
        how = f"midpoint of 精算幅 {fmt_num(lo)}–{fmt_num(hi)}h" if lo != hi else "listing's hours"
        if unit is RateUnit.YEAR:  # the hours are a month's: twelve of them make the year
            return mid * 12, f"year ÷ {fmt_num(mid * 12)}h (12 × {fmt_num(mid)}h, {how})"
        return mid, f"{unit.value} ÷ {fmt_num(mid)}h ({how})"
    if unit is RateUnit.PROJECT or unit is RateUnit.PIECE:
        return None, f"{unit.value}: no hourly rate"
    if unit is RateUnit.YEAR:
        if hours_per_week is not None:
            h = hours_per_week * 52
            return h, f"year ÷ {fmt_num(h)}h (52 × {fmt_num(hours_per_week)}h a week)"
        return None, "annual pay: no hourly rate"
    if hours_per_week is not None:
        week = FULL_WEEK * hours_per_day
        h = standard * hours_per_week / week
        per = f"{fmt_num(hours_per_week)}/{fmt_num(week)}h a week"
        return h, f"month ÷ {fmt_num(h)}h ({fmt_num(standard)}h × {per})"
    d = days.midpoint if days is not None else None
    if d is not None:
        h = standard * d / FULL_WEEK
        return h, f"month ÷ {fmt_num(h)}h ({fmt_num(standard)}h × {fmt_num(d)}/5 days)"
    return standard, f"month ÷ {fmt_num(standard)}h (standard)"


def convert(
    *,
    text: str | None,
    amount_min: float | None,
    amount_max: float | None,
    unit: RateUnit | None,
    currency: str,
    tax_basis: TaxBasis,
    negotiable: bool,
    hours: tuple[float | None, float | None],
    days: DaysPerWeek | None,
    fx_to_jpy: Mapping[str, float],
    hours_per_day: float,
    standard: float,
    why_none: str,
    hours_per_week: float | None = None,
) -> NormalisedRate:
    currency = currency.upper()
    fx = 1.0 if currency == "JPY" else fx_to_jpy.get(currency)
    divisor, convention = None, why_none
    if amount_min is None and amount_max is None:
        convention = "negotiable (応相談): no figure" if negotiable else why_none
    elif unit is not None:
        divisor, convention = _divisor(unit, hours, days, hours_per_week, hours_per_day, standard)
        if divisor is not None and fx is None:
            divisor, convention = None, f"no fx rate for {currency}: no JPY figure"
        elif divisor is not None and currency != "JPY":
            convention += f"; {currency} × {fmt_num(fx or 0)} JPY"
    banded = unit is RateUnit.MONTH
    source = RateSource(
        text=text,
        amount_min=_finite(amount_min),
        amount_max=_finite(amount_max),
        unit=unit,
        currency=currency,
        tax_basis=tax_basis,
        negotiable=negotiable,
        hours_per_month_min=hours[0] if banded else None,
        hours_per_month_max=hours[1] if banded else None,
        hours_divisor=divisor,
        fx_rate_to_jpy=fx if currency != "JPY" else None,
        convention=convention,
    )
    if divisor is None or fx is None:
        return NormalisedRate(None, None, source)

    figures = [None if a is None else a * fx / divisor for a in (amount_min, amount_max)]
    if any(f is not None and not (math.isfinite(f) and f <= MAX_JPY_PER_HOUR) for f in figures):
        implausible = f"{convention}; over ¥{MAX_JPY_PER_HOUR:,} an hour: implausible, no figure"
        return NormalisedRate(None, None, source.model_copy(update={"convention": implausible}))
    lo, hi = (None if f is None else _round_yen(f) for f in figures)
    return NormalisedRate(lo, hi, source)


def plausible(rate: NormalisedRate) -> NormalisedRate:
    """``rate`` as is when its hourly figure is plausible for paid work (or unknown, or the
    ¥0 of unpaid work); otherwise the figure moves to ``implausible_min_jpy_h`` /
    ``implausible_max_jpy_h`` of the source and the rate itself becomes unknown, so that it
    never passes a rate floor. A range is implausible when all of it lies outside the band:
    its top below ¥1,000 or its bottom above ¥50,000 (¥938–1,563 stays as it is)."""
    lo, hi = rate.min_jpy_h, rate.max_jpy_h
    if (lo is None and hi is None) or rate.source.unpaid:
        return rate
    floor, ceiling = PLAUSIBLE_JPY_H
    top = hi if hi is not None else lo
    bottom = lo if lo is not None else hi
    assert top is not None and bottom is not None
    if floor <= top and bottom <= ceiling:
        return rate
    figure = f"¥{bottom:,}" if bottom == top else f"¥{bottom:,}–{top:,}"
    convention = (
        f"{rate.source.convention}; {figure} an hour is outside ¥{floor:,}–{ceiling:,}: "
        "implausible, not used for matching"
    )
    source = rate.source.model_copy(
        update={
            "implausible_min_jpy_h": lo,
            "implausible_max_jpy_h": hi,
            "convention": convention,
        }
    )
    return NormalisedRate(None, None, source)
