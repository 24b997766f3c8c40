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

from .text import prepare

__all__ = ["ReadRate", "read_rate"]

_N = r"\d+(?:\.\d+)?"
_H = r"(?:(?:hours?|hrs?|時間|h)(?![a-z]))"
_SYMBOLS = {"US$": "USD", "$": "USD", "ドル": "USD", "dollar": "USD", "dollars": "USD",
            "¥": "JPY", "円": "JPY", "yen": "JPY", "€": "EUR", "ユーロ": "EUR", "euro": "EUR",
            "euros": "EUR", "£": "GBP"}  # fmt: skip
_ISO = frozenset(
    {"JPY", "USD", "EUR", "GBP", "AUD", "CAD", "CHF", "CNY", "HKD", "INR", "KRW", "NZD",
     "SGD", "THB", "TWD", "VND", "IDR", "MYR"}
)  # fmt: skip
_TOKEN = re.compile(
    rf"""(?P<pre>US\$|\$|¥|€|£|\b[A-Z]{{3}}\s?)?(?<![\d.])(?P<num>{_N})
    (?:\s*(?P<man>万)(?:(?P<rest>\d+)(?P<rest_sen>千)?)?|\s*(?P<sen>千)|(?P<k>[kK])(?![a-zA-Z]))?
    (?P<post>\s*(?:円|ドル|ユーロ|(?i:yen|dollars?|euros?)\b|[A-Z]{{3}}(?![A-Za-z])))?""",
    re.VERBOSE,
)
_BAND = re.compile(
    rf"精算(?:幅)?\s*[:：]?\s*(?P<lo>{_N})\s*{_H}?\s*~\s*(?P<hi>{_N})\s*{_H}?"
    rf"|(?<![週日\d./])(?P<lo2>{_N})\s*{_H}?\s*~\s*(?P<hi2>{_N})\s*{_H}",
    re.IGNORECASE,
)
# 100h想定, 月160h; not 1日8h, 週20時間 or 8時間/日 (hours per day or week).
_HOURS = re.compile(
    rf"(?<![週日\d./])(?<!週\s)(?P<h>{_N})\s*{_H}(?!\s*/\s*(?:日|day|週|week))", re.IGNORECASE
)
_SUFFIX = re.compile(
    r"\s*[+~]?\s*(?:/|per\s+|an?\s+)\s*(?:1\s*)?(?:人)?(?:(?P<hour>hours?|hrs?|h|時間|時)|(?P<day>days?|日)"
    r"|(?P<month>months?|mo|月)|(?P<project>project|件|記事|本)|(?P<year>years?|yr|年))"
    r"(?![a-zA-Z])",
    re.IGNORECASE,
)
_MONEY_AHEAD = r"(?=\s*[\d¥$€£])"
_UNIT_WORD = re.compile(
    r"(?P<hour>時給|時間単価|時間給|hourly|per\s+hour)"
    rf"|(?P<day>日給|日額|日当|日単価|人日|daily|per\s+day|(?<![\d週])1\s*日{_MONEY_AHEAD})"
    rf"|(?P<month>月額|月給|月単価|月収|人月|monthly|per\s+month|(?<![\dヶヵか箇カケ])月{_MONEY_AHEAD}"
    rf"|1\s*[ヶヵかカケ箇]\s*月{_MONEY_AHEAD})"
    r"|(?P<project>案件総額|総額|固定報酬|報酬総額|一括|成果報酬|fixed(?:\s+(?:price|fee))?"
    r"|per\s+project|project\s+fee|lump\s+sum|1\s*(?:記事|本|件|案件)|案件あたり)"
    r"|(?P<year>年収|年俸|annual(?:ly)?|per\s+(?:year|annum))"
    r"|(?P<tanka>単価)",
    re.IGNORECASE,
)
_MAX_ONLY_BEFORE = re.compile(r"~\s*$|上限|最大|\bmax(?:imum)?\b|up\s+to", re.IGNORECASE)
_MIN_ONLY_BEFORE = re.compile(r"下限|最低|\bmin(?:imum)?\b|\bfrom\b", re.IGNORECASE)
_MIN_ONLY_AFTER = re.compile(r"\s*(?:~|\+|以上|から|or\s+more|and\s+up)", re.IGNORECASE)
_MAX_ONLY_AFTER = re.compile(r"\s*(?:まで|迄|以下|or\s+less)", re.IGNORECASE)
_NEGOTIABLE = re.compile(
    r"応相談|要相談|相談可|相談に応じ|見合い|スキルに応じ|経験に応じ|negotiable|\bDOE\b|\bTBD\b",
    re.IGNORECASE,
)
_TAX_EXCLUDED = re.compile(
    r"税抜|税別|外税|\+\s*(?:消費)?税|excl(?:uding|\.)?\s*(?:of\s+)?(?:tax|vat)|plus\s+(?:tax|vat)",
    re.IGNORECASE,
)
_TAX_INCLUDED = re.compile(r"税込|内税|incl(?:uding|\.)?\s*(?:tax|vat)|tax\s+incl", re.IGNORECASE)
TANKA_MONTHLY_FROM_JPY = 100_000
MAX_BARE_SPREAD = 10  # 5000~1万円 is 5,000–10,000; 80~60万円 is unreadable


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
    annual: bool = False
    readable: bool = True  # False: there was a figure we could not make sense of


def _currency(mark: str | None, fx_codes: frozenset[str]) -> str | None:
    mark = (mark or "").strip()
    if (symbol := _SYMBOLS.get(mark) or _SYMBOLS.get(mark.lower())) is not None:
        return symbol
    return mark if mark in _ISO or mark in fx_codes else None


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
    if band := _BAND.search(s):
        lo, hi = float(band["lo"] or band["lo2"]), float(band["hi"] or band["hi2"])
        return _blank(s, band), lo, hi
    if one := _HOURS.search(s):
        return _blank(s, one), float(one["h"]), float(one["h"])
    return s, None, None


def _unit_words(s: str, start: int, end: int) -> tuple[str | None, bool]:
    """The unit word nearest before ``start`` (else the first after ``end``); and whether it
    sits right before the figure (``時給4500``)."""
    words = list(_UNIT_WORD.finditer(s))
    before = [w for w in words if w.end() <= start]
    if before:
        w = before[-1]
        return w.lastgroup, re.fullmatch(r"\s*[:：]?\s*", s[w.end() : start]) is not None
    after = [w for w in words if w.start() >= end]
    return (after[0].lastgroup if after else None), False


def read_rate(text: str, fx_codes: frozenset[str] = frozenset()) -> ReadRate:
    s = prepare(text)
    tax = TaxBasis.UNKNOWN
    if _TAX_EXCLUDED.search(s):
        tax = TaxBasis.EXCLUDED
    elif _TAX_INCLUDED.search(s):
        tax = TaxBasis.INCLUDED
    negotiable = _NEGOTIABLE.search(s) is not None
    s, hours_min, hours_max = _hours(s)
    nothing = ReadRate(None, None, None, None, tax, negotiable, hours_min, hours_max)
    tokens = list(_TOKEN.finditer(s))
    for i, first in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        paired = nxt is not None and re.fullmatch(r"\s*~\s*", s[first.end() : nxt.start()])
        last = nxt if paired and nxt is not None else first
        start, end = first.start(), last.end()
        suffix = _SUFFIX.match(s, end)
        unit_word, adjacent = _unit_words(s, start, end)
        if not (_is_money(first, fx_codes) or _is_money(last, fx_codes) or suffix or adjacent):
            continue
        lo, hi = _value(first), _value(last)
        bare_first = last is not first and _multiplier(first) == 1
        if bare_first and float(first["num"]) <= float(last["num"]):
            lo = float(first["num"]) * _multiplier(last)  # 60~80万円: the 60 is 60万 too
        elif bare_first and lo * MAX_BARE_SPREAD < hi:
            lo = 0  # 80~60万円: neither 80円 nor 80万円 makes sense
        currencies = {_currency(t[g], fx_codes) for t in (first, last) for g in ("pre", "post")}
        currencies.discard(None)
        if len(currencies) > 1 or lo <= 0 or lo > hi:
            return ReadRate(None, None, None, None, tax, negotiable, None, None, readable=False)
        amount_min: float | None = lo
        amount_max: float | None = hi
        if last is first:
            before = s[tokens[i - 1].end() if i else 0 : start]
            rest = s[suffix.end() if suffix else end :]
            before = _UNIT_WORD.sub("", before)  # 〜時給5,000円 is 〜5,000円
            if _MAX_ONLY_BEFORE.search(before) or _MAX_ONLY_AFTER.match(rest):
                amount_min = None
            elif (
                _MIN_ONLY_BEFORE.search(before)
                or _MIN_ONLY_AFTER.match(rest)
                or _MIN_ONLY_AFTER.match(s, end)
            ):
                amount_max = None
        unit_name = suffix.lastgroup if suffix else unit_word
        currency = currencies.pop() if currencies else None
        if unit_name == "tanka":
            jpy = currency in (None, "JPY") and hi >= TANKA_MONTHLY_FROM_JPY
            unit_name = "month" if jpy else None
        unit = None if unit_name in (None, "year") else RateUnit(unit_name)
        return ReadRate(
            amount_min, amount_max, unit, currency, tax, negotiable, hours_min, hours_max,
            annual=unit_name == "year",
        )  # fmt: skip
    return nothing
