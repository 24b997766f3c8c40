"""Why a gig fits a subscription, in words a person reads (Japanese and English).

:func:`explain` gives one :class:`~gigalert_shared.events.MatchReason` per criterion the
subscription actually constrains (an "any" criterion says nothing), in a fixed order:
remote mode, rate, domain, keywords, excluded keywords, days, location. ``ok`` is the rule's
verdict from :mod:`.rules`, so the same function explains a near miss in a preview.

Examples: ``フルリモート ✓`` / ``fully remote ✓``; ``¥5,000/h ≥ ¥4,500 (月額80万円 ÷ 160h)``;
``時給不明（年収450万円、時給換算なし）`` / ``rate unknown (¥4,500,000 per year, no hourly
figure)``; ``無償（無報酬）`` / ``unpaid`` (¥0 is never shown as a figure);
``分野: PMO ✓`` / ``domain: pmo ✓``; ``キーワード: pmo ✓`` / ``keyword: pmo ✓``;
``週2〜3日 ≤ 週2日`` / ``2–3 days/week ≤ 2 days/week``; ``勤務地: 東京 ✓`` / ``location: 東京 ✓``.
Keywords are shown as stored, that is normalised (NFKC + casefold: ``PMO`` shows as ``pmo``).
"""

from __future__ import annotations

import math
from typing import Final, Literal

from gigalert_shared.events import MatchReason, RateSource, RateUnit
from gigalert_shared.matching import rules
from gigalert_shared.matching.criteria import ALL_REMOTE_MODES, Criteria, GigFacts
from gigalert_shared.taxonomy import DOMAIN_ORDER, load_taxonomy

__all__ = ["UNIT_EN", "UNIT_JA", "amount_num", "explain"]

_Criterion = Literal["remote_mode", "rate", "domain", "keyword", "days", "location"]

_OK: Final = "✓"
_NO: Final = "✗"

_MODE_JA: Final = {"remote": "フルリモート", "hybrid": "一部リモート", "onsite": "常駐"}
_MODE_EN: Final = {
    "remote": "fully remote",
    "hybrid": "hybrid (partly remote)",
    "onsite": "on-site",
}
_MODE_ORDER: Final = ("remote", "hybrid", "onsite")

UNIT_JA: Final = {
    RateUnit.HOUR: "時給",
    RateUnit.DAY: "日給",
    RateUnit.MONTH: "月額",
    RateUnit.YEAR: "年収",
    RateUnit.PROJECT: "総額",
    RateUnit.PIECE: "1件",
}
UNIT_EN: Final = {
    RateUnit.HOUR: "/hour",
    RateUnit.DAY: "/day",
    RateUnit.MONTH: "/month",
    RateUnit.YEAR: " per year",
    RateUnit.PROJECT: " per project",
    RateUnit.PIECE: " per piece",
}

_LABEL_JA: Final = {d.key: d.label_ja for d in load_taxonomy()}
_DOMAIN_POS: Final = {key: i for i, key in enumerate(DOMAIN_ORDER)}


def _mark(ok: bool) -> str:
    return _OK if ok else _NO


def amount_num(x: float) -> str:
    """A figure with thousands separators, decimals (at most two) only when there are any:
    3.0 → '3', 2.5 → '2.5', 4500 → '4,500', 812.5 → '812.5', inf → 'inf'."""
    if not math.isfinite(x):
        return str(x)
    if x == int(x):
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _yen_ja(amount: float) -> str:
    """800000 → '80万円', 812500 → '81.25万円', 30000 → '3万円', 4500 → '4,500円'."""
    man = amount / 10_000
    if amount >= 10_000 and round(man * 100) == man * 100:
        return f"{amount_num(man)}万円"
    return f"{amount_num(amount)}円"


def _reason(criterion: _Criterion, ok: bool, ja: str, en: str) -> MatchReason:
    return MatchReason(criterion=criterion, ok=ok, text_ja=ja, text_en=en)


def _modes(modes: frozenset[str], table: dict[str, str]) -> str:
    known = [table[m] for m in _MODE_ORDER if m in modes]
    return ", ".join(known + sorted(m for m in modes if m not in table)) or "-"


def _remote(c: Criteria, g: GigFacts) -> MatchReason:
    ok = rules.remote_ok(c, g)
    if g.remote_mode is None:
        ja, en = "リモート可否不明", "remote mode unknown"
    else:
        ja = _MODE_JA.get(g.remote_mode, g.remote_mode)
        en = _MODE_EN.get(g.remote_mode, g.remote_mode)
    ja, en = f"{ja} {_mark(ok)}", f"{en} {_mark(ok)}"
    if not ok:
        ja += f"（希望: {_modes(c.remote_modes, _MODE_JA)}）"
        en += f" (wanted: {_modes(c.remote_modes, _MODE_EN)})"
    return _reason("remote_mode", ok, ja, en)


def _derivation(g: GigFacts, rs: RateSource) -> tuple[str, str]:
    """How the hourly figure came from what the listing said: ('月額80万円 ÷ 160h', …)."""
    if rs.unit is None:
        return "", ""
    from_max = g.rate_max_jpy_h is not None
    first, second = (rs.amount_max, rs.amount_min) if from_max else (rs.amount_min, rs.amount_max)
    amount = first if first is not None else second
    if amount is None:
        return "", ""
    jpy = rs.currency.upper() == "JPY"
    divisor = rs.hours_divisor
    if rs.unit is RateUnit.HOUR and jpy and divisor in (None, 1.0):
        return "", ""  # an hourly yen figure needs no explaining
    if jpy:
        ja, en = f"{UNIT_JA[rs.unit]}{_yen_ja(amount)}", f"¥{amount_num(amount)}{UNIT_EN[rs.unit]}"
    else:
        ja = f"{UNIT_JA[rs.unit]}{rs.currency} {amount_num(amount)}"
        en = f"{rs.currency} {amount_num(amount)}{UNIT_EN[rs.unit]}"
        if rs.fx_rate_to_jpy is not None:
            ja += f" × {amount_num(rs.fx_rate_to_jpy)}円"
            en += f" × ¥{amount_num(rs.fx_rate_to_jpy)}"
    if divisor is not None and divisor != 1.0:
        ja += f" ÷ {amount_num(divisor)}h"
        en += f" ÷ {amount_num(divisor)}h"
    return f" ({ja})", f" ({en})"


def _listing_pay(rs: RateSource) -> tuple[str, str] | None:
    """What the listing says it pays, in its own unit, when that gives no hourly figure:
    ('年収450万円', '¥4,500,000 per year'), ('1件6,000円', '¥6,000 per piece')."""
    if rs.unit is None:
        return None
    amounts = [a for a in (rs.amount_min, rs.amount_max) if a is not None]
    if not amounts:
        return None
    lo, hi = min(amounts), max(amounts)
    unit_ja, unit_en = UNIT_JA[rs.unit], UNIT_EN[rs.unit]
    if rs.currency.upper() == "JPY":
        ja = _yen_ja(lo) if lo == hi else f"{_yen_ja(lo)}〜{_yen_ja(hi)}"
        en = f"¥{amount_num(lo)}" if lo == hi else f"¥{amount_num(lo)}–{amount_num(hi)}"
    else:
        core = amount_num(lo) if lo == hi else f"{amount_num(lo)}–{amount_num(hi)}"
        ja = en = f"{rs.currency} {core}"
    if rs.amount_min is None:
        ja, en = f"〜{ja}", f"up to {en}"
    elif rs.amount_max is None:
        ja, en = f"{ja}〜", f"from {en}"
    return f"{unit_ja}{ja}", f"{en}{unit_en}"


def _rate(c: Criteria, g: GigFacts, rs: RateSource, floor: int) -> MatchReason:
    ok = rules.rate_ok(c, g)
    figure = rules.gig_rate(g)
    if figure == 0 and rs.unpaid:
        # ¥0 is shown only for unpaid work, in words; it passes no floor
        ja = f"無償（無報酬）: 時給¥{floor:,}以上の希望に合わず {_mark(ok)}"
        en = f"unpaid (volunteer): below your ¥{floor:,}/h {_mark(ok)}"
        return _reason("rate", ok, ja, en)
    if figure is None:
        pay = _listing_pay(rs)
        if rs.negotiable:
            why_ja, why_en = "応相談", "negotiable"
        elif pay is not None:
            why_ja, why_en = f"{pay[0]}、時給換算なし", f"{pay[1]}, no hourly figure"
        else:
            why_ja, why_en = "時給の記載なし", "not stated"
        if ok:
            ja = f"時給不明（{why_ja}）: 時給不明の案件も受け取る設定 {_OK}"
            en = f"rate unknown ({why_en}): you accept gigs without a rate {_OK}"
        else:
            ja = f"時給不明（{why_ja}）: 時給不明の案件は受け取らない設定 {_NO}"
            en = f"rate unknown ({why_en}): you skip gigs without a rate {_NO}"
        return _reason("rate", ok, ja, en)
    ranged = (
        g.rate_min_jpy_h is not None
        and g.rate_max_jpy_h is not None
        and g.rate_min_jpy_h != g.rate_max_jpy_h
    )
    how_ja, how_en = _derivation(g, rs)
    op = "≥" if ok else "<"
    ja = f"{'最大' if ranged else ''}¥{figure:,}/h {op} ¥{floor:,}{how_ja}"
    en = f"{'up to ' if ranged else ''}¥{figure:,}/h {op} ¥{floor:,}{how_en}"
    if not ok:
        ja, en = f"{ja} {_NO}", f"{en} {_NO}"
    return _reason("rate", ok, ja, en)


def _domain_order(keys: frozenset[str]) -> list[str]:
    return sorted(keys, key=lambda k: (_DOMAIN_POS.get(k, len(_DOMAIN_POS)), k))


def _domain(c: Criteria, g: GigFacts) -> MatchReason:
    ok = rules.domains_ok(c, g)
    shown = _domain_order(c.domains & g.domains if ok else g.domains)
    ja = ", ".join(_LABEL_JA.get(k, k) for k in shown) or "未分類"
    en = ", ".join(shown) or "none"
    ja, en = f"分野: {ja} {_mark(ok)}", f"domain: {en} {_mark(ok)}"
    if not ok:
        wanted = _domain_order(c.domains)
        ja += f"（希望: {', '.join(_LABEL_JA.get(k, k) for k in wanted)}）"
        en += f" (wanted: {', '.join(wanted)})"
    return _reason("domain", ok, ja, en)


def _keywords_any(c: Criteria, g: GigFacts) -> MatchReason:
    hits = [k for k in c.keywords_any if k in g.search_text]
    ok = bool(hits)
    if ok:
        shown = ", ".join(hits)
        return _reason("keyword", True, f"キーワード: {shown} {_OK}", f"keyword: {shown} {_OK}")
    wanted = ", ".join(c.keywords_any)
    return _reason(
        "keyword",
        False,
        f"キーワード: 該当なし {_NO}（{wanted}）",
        f"keyword: none of {wanted} {_NO}",
    )


def _keywords_none(c: Criteria, g: GigFacts) -> MatchReason:
    hits = [k for k in c.keywords_none if k in g.search_text]
    if hits:
        shown = ", ".join(hits)
        return _reason(
            "keyword", False, f"除外キーワード: {shown} {_NO}", f"excluded keyword: {shown} {_NO}"
        )
    excluded = ", ".join(c.keywords_none)
    return _reason(
        "keyword",
        True,
        f"除外キーワードなし（{excluded}） {_OK}",
        f"no excluded keyword ({excluded}) {_OK}",
    )


def _days_text(g: GigFacts) -> tuple[str, str] | None:
    lo, hi = g.days_min, g.days_max
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo != hi:
        return (
            f"週{amount_num(lo)}〜{amount_num(hi)}日",
            f"{amount_num(lo)}–{amount_num(hi)} days/week",
        )
    one = lo if lo is not None else hi
    assert one is not None
    return f"週{amount_num(one)}日", f"{amount_num(one)} days/week"


def _days(c: Criteria, g: GigFacts, limit: float) -> MatchReason:
    ok = rules.days_ok(c, g)
    shown = _days_text(g)
    limit_ja, limit_en = f"週{amount_num(limit)}日", f"{amount_num(limit)} days/week"
    if shown is None:
        return _reason(
            "days",
            ok,
            f"稼働日数の記載なし（上限 {limit_ja}） {_mark(ok)}",
            f"days per week not stated (limit {limit_en}) {_mark(ok)}",
        )
    if ok:
        return _reason("days", True, f"{shown[0]} ≤ {limit_ja}", f"{shown[1]} ≤ {limit_en}")
    return _reason(
        "days", False, f"{shown[0]} > {limit_ja} {_NO}", f"{shown[1]} > {limit_en} {_NO}"
    )


def _location(c: Criteria, g: GigFacts) -> MatchReason:
    ok = rules.location_ok(c, g)
    wanted = ", ".join(c.locations)
    if g.remote_mode == "remote":
        return _reason(
            "location",
            True,
            f"フルリモートのため勤務地不問 {_OK}",
            f"fully remote, so location does not matter {_OK}",
        )
    if g.location is None:
        return _reason(
            "location",
            ok,
            f"勤務地の記載なし {_mark(ok)}（希望: {wanted}）",
            f"location not stated {_mark(ok)} (wanted: {wanted})",
        )
    if ok:
        hits = ", ".join(loc for loc in c.locations if loc in g.location)
        return _reason("location", True, f"勤務地: {hits} {_OK}", f"location: {hits} {_OK}")
    return _reason(
        "location",
        False,
        f"勤務地: {g.location} {_NO}（希望: {wanted}）",
        f"location: {g.location} {_NO} (wanted: {wanted})",
    )


def explain(c: Criteria, g: GigFacts, rate_source: RateSource) -> list[MatchReason]:
    """One reason per criterion ``c`` constrains, each with the rule's verdict in ``ok``.

    ``rate_source`` is the gig's (``GigBody.rate_source``): it says how the hourly figure was
    derived, e.g. ``月額80万円 ÷ 160h``."""
    reasons: list[MatchReason] = []
    if not c.remote_modes >= ALL_REMOTE_MODES:
        reasons.append(_remote(c, g))
    if c.min_rate_jpy_h is not None:
        reasons.append(_rate(c, g, rate_source, c.min_rate_jpy_h))
    if c.domains:
        reasons.append(_domain(c, g))
    if c.keywords_any:
        reasons.append(_keywords_any(c, g))
    if c.keywords_none:
        reasons.append(_keywords_none(c, g))
    if c.max_days_per_week is not None:
        reasons.append(_days(c, g, c.max_days_per_week))
    if c.locations:
        reasons.append(_location(c, g))
    return reasons
