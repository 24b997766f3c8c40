"""Reading what a pay text says (amounts, unit, currency, tax, hours) without converting it.

Only the first figure (or range) in the text is read: ``時給4,500円（月額72万円相当）`` is hourly.
A figure counts only if it carries money (``円``, ``万``, ``千``, ``k``, ``¥``, ``$``, ``€``, ``£``,
a currency code) or sits next to a unit (``時給4500``, ``4500/h``); so ``週3日`` or ``3ヶ月``
are never read as pay. Its unit is the one written right after it (``/月``), else the nearest
unit word before it (``月額``), else the first unit word after it (``4,500円（時給）``).
A bare ``単価`` is the SES ``月単価`` only for ¥100,000 or more; below that the unit is unknown.
A figure without money marks followed by a counter (``月4記事程度で2万円``, ``1投稿8000円``) is a
count of things, not pay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gigalert_shared.events import RateUnit, TaxBasis

from . import rate_patterns as p
from .text import RANGE, prepare

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
    readable: bool = True  # False: there was a figure we could not make sense of


def _currency(mark: str | None, fx_codes: frozenset[str]) -> str | None:
    if not mark:  # the common case: no mark on this side of the figure
        return "" if "" in fx_codes else None
    mark = mark.strip()
    if (symbol := p.SYMBOLS.get(mark) or p.SYMBOLS.get(mark.lower())) is not None:
        return symbol
    return mark if mark in p.ISO_CODES or mark in fx_codes else None


_GAP = re.compile(r"\s*[:：]?\s*")  # between a unit word and its figure: 時給: 4500
_TILDE_GAP = re.compile(r"\s*~\s*")  # between the two figures of a range


def _multiplier(t: re.Match[str]) -> float:
    if t["senman"]:
        return 10_000_000  # 1千万円
    return 10_000 if t["man"] else 1000 if (t["sen"] or t["k"]) else 1


def _value(t: re.Match[str]) -> float:
    rest = float(t["rest"] or 0) * (1000 if t["rest_sen"] else 1)
    return float(t["num"]) * _multiplier(t) + rest


def _is_money(t: re.Match[str], fx_codes: frozenset[str]) -> bool:
    marks = (_currency(t["pre"], fx_codes), _currency(t["post"], fx_codes))
    return _multiplier(t) > 1 or any(marks)


def _blank(s: str, m: re.Match[str]) -> str:
    return s[: m.start()] + " " * (m.end() - m.start()) + s[m.end() :]


# Words right before stated hours that belong to them: 最大5時間拘束で4000円 is 4,000円 for at
# most 5 hours, not "at most 4,000円"; 月10時間ほど働き is a month's hours.
_BEFORE_HOURS = re.compile(
    r"(?:(?P<month>(?<![\dヶヵかカケ箇])月間?|毎月)\s*(?:に)?\s*)?(?:最大|最低|約|上限)?\s*$"
)


def _hours(s: str) -> tuple[str, float | None, float | None, bool]:
    """``s`` without its hours, the hours, and whether they are a month's (``月10時間``)."""
    if RANGE in s and (band := p.BAND.search(s)):
        lo, hi = float(band["lo"] or band["lo2"]), float(band["hi"] or band["hi2"])
        return _blank(s, band), lo, hi, False
    if p.may_have_hours(s) and (one := p.HOURS.search(s)):
        before = _BEFORE_HOURS.search(s, max(0, one.start() - 8), one.start())
        start = one.start() if before is None else before.start()
        monthly = before is not None and before["month"] is not None
        blanked = s[:start] + " " * (one.end() - start) + s[one.end() :]
        return blanked, float(one["h"]), float(one["h"]), monthly
    return s, None, None, False


def _unit_words(
    s: str, words: list[re.Match[str]], start: int, end: int
) -> tuple[str | None, bool]:
    """The unit word nearest before ``start`` (else the first after ``end``) among ``words``
    (the unit words of ``s``); and whether it sits right before the figure (``時給4500``)."""
    before = [w for w in words if w.end() <= start]
    if before:
        w = before[-1]
        return w.lastgroup, _GAP.fullmatch(s, w.end(), start) is not None
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
            if lo * p.MAX_BARE_SPREAD < hi and lo * 1000 <= hi and hi >= 10_000:
                lo *= 1000  # $45-60,000: the 45 is 45,000
        elif lo * p.MAX_BARE_SPREAD < hi:
            lo = 0  # 80~60万円: neither 80円 nor 80万円 makes sense
    return lo, hi


def read_rate(text: str, fx_codes: frozenset[str] = frozenset()) -> ReadRate:
    """What ``text`` says about pay; ``fx_codes`` are currency codes to accept beyond ISO's."""
    s = prepare(text)
    tax = TaxBasis.UNKNOWN
    negotiable = False
    if p.TAX_OR_NEGOTIABLE.search(s):  # one scan; most texts say neither
        if p.TAX_EXCLUDED.search(s):
            tax = TaxBasis.EXCLUDED
        elif p.TAX_INCLUDED.search(s):
            tax = TaxBasis.INCLUDED
        negotiable = p.NEGOTIABLE.search(s) is not None
    per_week = None
    if "週" in s and (week := p.WEEK_HOURS.search(s)):
        per_week = (float(week["lo"]) + float(week["hi"] or week["lo"])) / 2
        s = _blank(s, week)
    s, hours_min, hours_max, monthly_hours = _hours(s)
    tokens = list(p.TOKEN.finditer(s))
    words: list[re.Match[str]] | None = None  # found once, when a figure needs them
    for i, first in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        paired = nxt is not None and _TILDE_GAP.fullmatch(s, first.end(), nxt.start())
        last = nxt if paired and nxt is not None else first
        start, end = first.start(), last.end()
        suffix = p.SUFFIX.match(s, end)
        if words is None:
            words = list(p.UNIT_WORD.finditer(s))
        unit_word, adjacent = _unit_words(s, words, start, end)
        money = _is_money(first, fx_codes) or _is_money(last, fx_codes)
        if not (money or suffix or adjacent):
            continue  # 週3日, 3ヶ月, 2025年: not pay
        if not money and suffix is None and p.COUNT_AFTER.match(s, end):
            continue  # 月4記事程度で2万円: a count of things, not pay
        lo, hi = _range(first, last)
        currencies = {_currency(t[g], fx_codes) for t in (first, last) for g in ("pre", "post")}
        currencies.discard(None)
        # 0〜5,000円: up to 5,000 (a written 0, not 80~60万円's "neither")
        zero_floor = last is not first and float(first["num"]) == 0 and hi > 0
        if len(currencies) > 1 or (lo <= 0 and not zero_floor) or lo > hi:
            return ReadRate(None, None, None, None, tax, negotiable, None, None, readable=False)
        min_only, max_only = (False, zero_floor)
        if last is first:
            before = s[tokens[i - 1].end() if i else 0 : start]
            min_only, max_only = _one_sided(s, before, end, suffix)
        currency = currencies.pop() if currencies else None
        unit_name = suffix.lastgroup if suffix else unit_word
        if unit_name is None and monthly_hours:
            unit_name = "month"  # 月10時間ほど働き、報酬は10万~20万円
        if unit_name == "tanka":  # bare 単価: the SES 月単価, if the figure is that large
            yen = currency in (None, "JPY")
            big = yen and hi >= p.TANKA_MONTHLY_FROM_JPY
            # 単価0.8円~5円: a few yen is a price per character or item, never a month's pay
            unit_name = (
                "month" if big else "piece" if yen and hi < p.TANKA_PIECE_BELOW_JPY else None
            )
        unit = None if unit_name is None else RateUnit(unit_name)
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
        )
    return ReadRate(None, None, None, None, tax, negotiable, hours_min, hours_max)
