"""Reading what a pay text says (amounts, unit, currency, tax, hours) without converting it.

Only the first figure (or range) in the text is read: ``時給4,500円（月額72万円相当）`` is hourly.
A figure counts only if it carries money (``円``, ``万``, ``千``, ``k``, ``¥``, ``$``, ``€``, ``£``,
a currency code) or sits next to a unit (``時給4500``, ``4500/h``); so ``週3日`` or ``3ヶ月``
are never read as pay. Its unit is the one written right after it (``/月``), else the nearest
unit word before it (``月額``), else the first unit word after it (``4,500円（時給）``).
A bare ``単価`` is the SES ``月単価`` only for ¥100,000 or more; below that the unit is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gigalert_shared.events import RateUnit, TaxBasis

from . import rate_patterns as p
from .text import prepare

__all__ = ["ReadRate", "read_rate"]


@dataclass(frozen=True, slots=True)
class ReadRate:
    amount_min: float | None
    amount_max: float | None
    unit: RateUnit | None
    currency: str | None  # None when the text names no currency
    tax_basis: TaxBasis
    negotiable: bool
    hours_min: float | None  # 精算幅 low, or the one stated number of hours
    hours_max: float | None
    hours_per_week: float | None = None  # 週20時間; the midpoint of 週10~20時間
    annual: bool = False
    readable: bool = True  # False: there was a figure we could not make sense of


def _currency(mark: str | None, fx_codes: frozenset[str]) -> str | None:
    mark = (mark or "").strip()
    if (symbol := p.SYMBOLS.get(mark) or p.SYMBOLS.get(mark.lower())) is not None:
        return symbol
    return mark if mark in p.ISO_CODES or mark in fx_codes else None


def _multiplier(t: re.Match[str]) -> float:
    return 10_000 if t["man"] else 1000 if (t["sen"] or t["k"]) else 1


def _value(t: re.Match[str]) -> float:
    rest = float(t["rest"] or 0) * (1000 if t["rest_sen"] else 1)
    return float(t["num"]) * _multiplier(t) + rest


def _is_money(t: re.Match[str], fx_codes: frozenset[str]) -> bool:
    marks = (_currency(t["pre"], fx_codes), _currency(t["post"], fx_codes))
    return _multiplier(t) > 1 or any(marks)


def _blank(s: str, m: re.Match[str]) -> str:
    return s[: m.start()] + " " * (m.end() - m.start()) + s[m.end() :]


def _hours(s: str) -> tuple[str, float | None, float | None]:
    if band := p.BAND.search(s):
        lo, hi = float(band["lo"] or band["lo2"]), float(band["hi"] or band["hi2"])
        return _blank(s, band), lo, hi
    if one := p.HOURS.search(s):
        return _blank(s, one), float(one["h"]), float(one["h"])
    return s, None, None


def _unit_words(s: str, start: int, end: int) -> tuple[str | None, bool]:
    """The unit word nearest before ``start`` (else the first after ``end``); and whether it
    sits right before the figure (``時給4500``)."""
    words = list(p.UNIT_WORD.finditer(s))
    before = [w for w in words if w.end() <= start]
    if before:
        w = before[-1]
        return w.lastgroup, re.fullmatch(r"\s*[:：]?\s*", s[w.end() : start]) is not None
    after = [w for w in words if w.start() >= end]
    return (after[0].lastgroup if after else None), False


def _one_sided(s: str, before: str, end: int, suffix: re.Match[str] | None) -> tuple[bool, bool]:
    """(min only, max only) for a single figure, from the words around it."""
    before = p.UNIT_WORD.sub("", before)  # 〜時給5,000円 reads as 〜5,000円
    rest = suffix.end() if suffix else end
    if p.MAX_ONLY_BEFORE.search(before) or p.MAX_ONLY_AFTER.match(s, rest):
        return False, True
    after = p.MIN_ONLY_AFTER.match(s, rest) or p.MIN_ONLY_AFTER.match(s, end)
    return bool(p.MIN_ONLY_BEFORE.search(before) or after), False


def _range(first: re.Match[str], last: re.Match[str]) -> tuple[float, float]:
    lo, hi = _value(first), _value(last)
    if last is not first and _multiplier(first) == 1:
        if float(first["num"]) <= float(last["num"]):
            lo = float(first["num"]) * _multiplier(last)  # 60~80万円: the 60 is 60万 too
        elif lo * p.MAX_BARE_SPREAD < hi:
            lo = 0  # 80~60万円: neither 80円 nor 80万円 makes sense
    return lo, hi


def read_rate(text: str, fx_codes: frozenset[str] = frozenset()) -> ReadRate:
    """What ``text`` says about pay; ``fx_codes`` are currency codes to accept beyond ISO's."""
    s = prepare(text)
    tax = TaxBasis.UNKNOWN
    if p.TAX_EXCLUDED.search(s):
        tax = TaxBasis.EXCLUDED
    elif p.TAX_INCLUDED.search(s):
        tax = TaxBasis.INCLUDED
    negotiable = p.NEGOTIABLE.search(s) is not None
    per_week = None
    if week := p.WEEK_HOURS.search(s):
        per_week = (float(week["lo"]) + float(week["hi"] or week["lo"])) / 2
        s = _blank(s, week)
    s, hours_min, hours_max = _hours(s)
    tokens = list(p.TOKEN.finditer(s))
    for i, first in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        paired = nxt is not None and re.fullmatch(r"\s*~\s*", s[first.end() : nxt.start()])
        last = nxt if paired and nxt is not None else first
        start, end = first.start(), last.end()
        suffix = p.SUFFIX.match(s, end)
        unit_word, adjacent = _unit_words(s, start, end)
        if not (_is_money(first, fx_codes) or _is_money(last, fx_codes) or suffix or adjacent):
            continue  # 週3日, 3ヶ月, 2025年: not pay
        lo, hi = _range(first, last)
        currencies = {_currency(t[g], fx_codes) for t in (first, last) for g in ("pre", "post")}
        currencies.discard(None)
        if len(currencies) > 1 or lo <= 0 or lo > hi:
            return ReadRate(None, None, None, None, tax, negotiable, None, None, readable=False)
        min_only, max_only = (False, False)
        if last is first:
            before = s[tokens[i - 1].end() if i else 0 : start]
            min_only, max_only = _one_sided(s, before, end, suffix)
        currency = currencies.pop() if currencies else None
        unit_name = suffix.lastgroup if suffix else unit_word
        if unit_name == "tanka":  # bare 単価: the SES 月単価, if the figure is that large
            big = currency in (None, "JPY") and hi >= p.TANKA_MONTHLY_FROM_JPY
            unit_name = "month" if big else None
        unit = None if unit_name in (None, "year") else RateUnit(unit_name)
        return ReadRate(
            None if max_only else lo,
            None if min_only else hi,
            unit,
            currency,
            tax,
            negotiable,
            hours_min,
            hours_max,
            hours_per_week=per_week,
            annual=unit_name == "year",
        )
    return ReadRate(None, None, None, None, tax, negotiable, hours_min, hours_max)
