"""What an alert says about its gig, as cleaned plain text (not yet escaped for any format):
the rate and how it was normalised, the days, remote mode, location and source; the match
reasons; the subject."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from gigalert_notifier.escaping import line, safe_url, shorten
from gigalert_notifier.wording import (
    CURRENCY_SYMBOL,
    REMOTE,
    UNIT_EN,
    UNIT_JA,
    WORDS,
    Lang,
    alert_subject_words,
    untitled,
)
from gigalert_shared.events import (
    AlertMatched,
    GigSummary,
    MatchReason,
    RateSource,
    RateUnit,
    TaxBasis,
)
from gigalert_shared.matching.reasons import amount_num

TITLE_MAX: Final = 200
SUBJECT_TITLE_MAX: Final = 80


def num(x: float) -> str:
    """2.0 → "2", 2.5 → "2.5", 106.666 → "106.7"."""
    r = round(x, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def rate_figure(gig: GigSummary, lang: Lang) -> str | None:
    """¥5,000/h, ¥4,500〜6,000/h, ¥4,500/h〜 (ja) or from ¥4,500/h (en); 無償 / unpaid for
    unpaid work (¥0 is never shown as a figure); None if unknown."""
    lo, hi = gig.rate_min_jpy_h, gig.rate_max_jpy_h
    if gig.rate_source.unpaid:
        return "無償" if lang == "ja" else "unpaid"
    if (hi if hi is not None else lo) == 0:
        return None
    if lo is not None and hi is not None:
        if lo == hi:
            return f"¥{lo:,}/h"
        return f"¥{lo:,}{'〜' if lang == 'ja' else '–'}{hi:,}/h"
    if lo is not None:
        return f"¥{lo:,}/h〜" if lang == "ja" else f"from ¥{lo:,}/h"
    if hi is not None:
        return f"〜¥{hi:,}/h" if lang == "ja" else f"up to ¥{hi:,}/h"
    return None


def amounts_ja(src: RateSource) -> str | None:
    lo, hi = src.amount_min, src.amount_max
    values = [v for v in (lo, hi) if v is not None]
    if not values:
        return None
    if src.currency == "JPY":
        man = all(v >= 10_000 and round(v / 10_000, 2) == v / 10_000 for v in values)
        fmt: Callable[[float], str] = (
            (lambda v: amount_num(v / 10_000)) if man else (lambda v: amount_num(v))
        )
        suffix = "万円" if man else "円"
        if lo is not None and hi is not None and lo != hi:
            return f"{fmt(lo)}〜{fmt(hi)}{suffix}"
        return f"{fmt(values[0])}{suffix}" + ("〜" if hi is None and lo is not None else "")
    sym = CURRENCY_SYMBOL.get(src.currency)
    if lo is not None and hi is not None and lo != hi:
        core = f"{amount_num(lo)}〜{amount_num(hi)}"
    else:
        core = amount_num(values[0])
    return f"{sym}{core}" if sym else f"{core} {src.currency}"


def amounts_en(src: RateSource) -> str | None:
    lo, hi = src.amount_min, src.amount_max
    values = [v for v in (lo, hi) if v is not None]
    if not values:
        return None
    sym = "¥" if src.currency == "JPY" else CURRENCY_SYMBOL.get(src.currency)
    if lo is not None and hi is not None and lo != hi:
        core = f"{amount_num(lo)}–{amount_num(hi)}"
    else:
        core = amount_num(values[0])
    return f"{sym}{core}" if sym else f"{core} {src.currency}"


def how_normalised(src: RateSource, lang: Lang) -> str | None:
    """How the listing's pay became yen per hour, e.g. 月額80万円 ÷ 160h."""
    if src.unit is None:
        return None
    amounts = amounts_ja(src) if lang == "ja" else amounts_en(src)
    if amounts is None:
        return None
    foreign = src.currency != "JPY"
    divisor = src.hours_divisor
    if src.unit is RateUnit.HOUR and not foreign and src.tax_basis is TaxBasis.UNKNOWN:
        return None  # as the listing said it
    parts: list[str] = []
    if lang == "ja":
        tax = {TaxBasis.INCLUDED: "・税込", TaxBasis.EXCLUDED: "・税抜"}.get(src.tax_basis, "")
        parts.append(f"{UNIT_JA[src.unit]}{amounts}{tax}")
        if divisor is not None and src.unit is not RateUnit.HOUR:
            parts.append(f" ÷ {num(divisor)}h")
        if foreign and src.fx_rate_to_jpy is not None:
            parts.append(f" × {num(src.fx_rate_to_jpy)}円")
        lo, hi = src.hours_per_month_min, src.hours_per_month_max
        if lo is not None and hi is not None and lo != hi:
            parts.append(f"、精算幅{num(lo)}〜{num(hi)}h")
        return "".join(parts)
    tax = {TaxBasis.INCLUDED: " incl. tax", TaxBasis.EXCLUDED: " excl. tax"}.get(src.tax_basis, "")
    parts.append(f"{amounts}{UNIT_EN[src.unit]}{tax}")
    if divisor is not None and src.unit is not RateUnit.HOUR:
        parts.append(f" ÷ {num(divisor)}h")
    if foreign and src.fx_rate_to_jpy is not None:
        parts.append(f" × ¥{num(src.fx_rate_to_jpy)}")
    lo, hi = src.hours_per_month_min, src.hours_per_month_max
    if lo is not None and hi is not None and lo != hi:
        parts.append(f"; settlement band {num(lo)}–{num(hi)}h")
    return "".join(parts)


def listing_pay(src: RateSource, lang: Lang) -> str | None:
    """The listing's pay in its own unit (年収450万円, ¥4,500,000 per year), when it gives no
    hourly figure."""
    if src.unit is None:
        return None
    amounts = amounts_ja(src) if lang == "ja" else amounts_en(src)
    if amounts is None:
        return None
    if lang == "ja":
        return f"{UNIT_JA[src.unit]}{amounts}"
    return f"{amounts}{UNIT_EN[src.unit]}"


def rate_line(gig: GigSummary, lang: Lang) -> str:
    """¥5,000/h（月額80万円 ÷ 160h） or 不明（応相談）."""
    w = WORDS[lang]
    figure = rate_figure(gig, lang)
    src = gig.rate_source
    if src.unpaid:
        return f"{figure}（無報酬）" if lang == "ja" else f"{figure} (volunteer)"
    if figure is None:
        pay = listing_pay(src, lang)
        if src.negotiable:
            why = w["negotiable"]
        elif pay is not None:  # 年収450万円, ¥6,000 per piece: the listing's own figure
            return f"{pay}（時給換算なし）" if lang == "ja" else f"{pay} (no hourly figure)"
        elif line(src.text):
            why = f"{w['listing_says']}: {shorten(line(src.text), 60)}"
        else:
            return w["unknown"]
        return f"{w['unknown']}（{why}）" if lang == "ja" else f"{w['unknown']} ({why})"
    how = how_normalised(src, lang)
    if how is None:
        return figure
    return f"{figure}（{how}）" if lang == "ja" else f"{figure} ({how})"


def days_line(gig: GigSummary, lang: Lang) -> str:
    lo, hi = gig.days_per_week_min, gig.days_per_week_max
    if lo is None and hi is None:
        return WORDS[lang]["unknown"]
    if lang == "ja":
        if lo is not None and hi is not None:
            return f"週{num(lo)}日" if lo == hi else f"週{num(lo)}〜{num(hi)}日"
        return f"週{num(lo)}日〜" if lo is not None else f"週{num(hi or 0)}日まで"
    if lo is not None and hi is not None:
        span = num(lo) if lo == hi else f"{num(lo)}–{num(hi)}"
        return f"{span} day{'s' if not (lo == hi == 1) else ''}/week"
    return f"{num(lo)}+ days/week" if lo is not None else f"up to {num(hi or 0)} days/week"


def remote_word(gig: GigSummary, lang: Lang) -> str | None:
    return REMOTE[lang][gig.remote_mode] if gig.remote_mode is not None else None


@dataclass(frozen=True, slots=True)
class Facts:
    """One gig's fields, cleaned (plain text, not yet escaped for any format)."""

    title: str
    url: str | None
    rows: list[tuple[str, str]]  # (label, value), in display order


def facts(gig: GigSummary, lang: Lang) -> Facts:
    w = WORDS[lang]
    remote = remote_word(gig, lang)
    rows = [
        (w["rate"], rate_line(gig, lang)),
        (
            w["remote"],
            (remote[:1].upper() + remote[1:] if lang == "en" else remote)
            if remote
            else w["unknown"],
        ),
        (w["days"], days_line(gig, lang)),
    ]
    location = shorten(line(gig.location), 100)
    if location:
        rows.append((w["location"], location))
    platform = shorten(line(gig.platform_name), 60)
    if platform:
        rows.append((w["platform"], platform))
    title = shorten(line(gig.title), TITLE_MAX) or untitled(lang)
    return Facts(title=title, url=safe_url(gig.url), rows=rows)


def reason_groups(alert: AlertMatched, lang: Lang) -> list[list[tuple[bool, str]]]:
    """The reasons of every matched subscription, in subscription order, as (ok, text)."""
    keys = [str(s) for s in alert.subscription_ids if str(s) in alert.reasons]
    keys += sorted(k for k in alert.reasons if k not in keys)
    groups: list[list[tuple[bool, str]]] = []
    for key in keys:
        reasons: Sequence[MatchReason] = alert.reasons[key]
        group = [
            (r.ok, shorten(line(r.text_ja if lang == "ja" else r.text_en), 200)) for r in reasons
        ]
        group = [(ok, t) for ok, t in group if t]
        if group:
            groups.append(group)
    return groups


def flat_reasons(alert: AlertMatched, lang: Lang) -> list[tuple[bool, str]]:
    seen: set[str] = set()
    out: list[tuple[bool, str]] = []
    for group in reason_groups(alert, lang):
        for ok, text in group:
            if text not in seen:
                seen.add(text)
                out.append((ok, text))
    return out


def plain(reason: str) -> str:
    """A reason without its own trailing check mark (the list adds one)."""
    return reason.removesuffix(" ✓").removesuffix("✓")


def mark(ok: bool) -> str:
    return "✓" if ok else "△"


def join(lang: Lang, items: Iterable[str]) -> str:
    return ("、" if lang == "ja" else ", ").join(items)


def alert_subject(alert: AlertMatched, lang: Lang) -> str:
    gig = alert.gig
    title = shorten(line(gig.title), SUBJECT_TITLE_MAX) or untitled(lang)
    return alert_subject_words(title, remote_word(gig, lang), rate_figure(gig, lang), lang)
