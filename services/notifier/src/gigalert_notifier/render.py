"""Alert messages in Japanese (default) and English: subject, plain text, HTML, Slack
markdown and LINE text. Pure functions, no I/O.

Every field that comes from a platform (title, location, URL, the listing's own words) is
treated as hostile:

* HTML: every field goes through :func:`html.escape`; links are only ``http(s)`` URLs
  without spaces, quotes or angle brackets, else they are left out.
* Slack: ``markdown`` is CommonMark, which Apprise's Slack plugin converts to Slack's mrkdwn
  (``**b**`` → ``*b*``, ``[t](<u>)`` → ``<u|t>``, ``&`` → ``&amp;``). Platform text has
  ``<``, ``>``, ``[`` and ``]`` backslash-escaped, which Apprise turns into ``&lt;``/``&gt;``
  and literal brackets, so a title such as ``<!channel>`` or ``[x](https://evil)`` cannot
  ping a channel or smuggle a link. (``*``, ``_`` and ``~`` in a title may still format: only
  cosmetic, and Apprise keeps a backslash before them.)
* Everything: control characters and line breaks in single-line fields become spaces.

The email's text/plain part is made by Apprise from ``html`` (it sends
multipart/alternative); :attr:`Rendered.text` is the same message as plain text for other
uses. ``line_text`` already starts with the subject line: send it without a title (LINE has
none, and Apprise would prepend one to the body).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from gigalert_shared.events import (
    AlertMatched,
    GigSummary,
    MatchReason,
    RateSource,
    RateUnit,
    RemoteMode,
    TaxBasis,
)

__all__ = ["LINE_MAX_CHARS", "Rendered", "render_alert", "render_digest"]

LINE_MAX_CHARS: Final = 5000
"""LINE's limit for one text message, counted here in UTF-16 code units (stricter than code
points: an emoji outside the BMP counts twice)."""

TITLE_MAX: Final = 200
SUBJECT_TITLE_MAX: Final = 80

Lang = Literal["ja", "en"]


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    markdown: str
    line_text: str


# ------------------------------------------------------------------ words


_REMOTE: Final[dict[Lang, dict[RemoteMode, str]]] = {
    "ja": {
        RemoteMode.REMOTE: "フルリモート",
        RemoteMode.HYBRID: "一部リモート",
        RemoteMode.ONSITE: "常駐",
    },
    "en": {
        RemoteMode.REMOTE: "fully remote",
        RemoteMode.HYBRID: "partly remote",
        RemoteMode.ONSITE: "on-site",
    },
}

_WORDS: Final[dict[Lang, dict[str, str]]] = {
    "ja": {
        "rate": "時給",
        "remote": "リモート",
        "days": "稼働",
        "location": "勤務地",
        "platform": "掲載元",
        "link": "詳細",
        "unknown": "不明",
        "why": "この案件が届いた理由",
        "search": "保存条件",
        "unsubscribe": "この条件の通知を停止",
        "footer": "gigalert からのお知らせです。",
        "open": "案件の詳細を見る",
        "negotiable": "応相談",
        "listing_says": "掲載の記載",
    },
    "en": {
        "rate": "Rate",
        "remote": "Remote",
        "days": "Days",
        "location": "Location",
        "platform": "Source",
        "link": "Details",
        "unknown": "unknown",
        "why": "Why you got this gig",
        "search": "Saved search",
        "unsubscribe": "Stop alerts for this search",
        "footer": "Sent by gigalert.",
        "open": "Open the gig",
        "negotiable": "negotiable",
        "listing_says": "listing says",
    },
}

_UNIT_JA: Final = {
    RateUnit.HOUR: "時給",
    RateUnit.DAY: "日給",
    RateUnit.MONTH: "月額",
    RateUnit.YEAR: "年収",
    RateUnit.PROJECT: "案件総額",
    RateUnit.PIECE: "1件",
}
_UNIT_EN: Final = {
    RateUnit.HOUR: "/hour",
    RateUnit.DAY: "/day",
    RateUnit.MONTH: "/month",
    RateUnit.YEAR: " per year",
    RateUnit.PROJECT: " per project",
    RateUnit.PIECE: " per piece",
}
_CURRENCY_SYMBOL: Final = {"USD": "$", "EUR": "€", "GBP": "£"}


def _lang(locale: str) -> Lang:
    return "en" if locale.strip().lower().startswith("en") else "ja"


# ------------------------------------------------------------------ text helpers

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+")
_SPACES = re.compile(r"\s+")


def _line(value: str | None) -> str:
    """One line of platform text: control characters and runs of space become one space."""
    if not value:
        return ""
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _num(x: float) -> str:
    """2.0 → "2", 2.5 → "2.5", 106.666 → "106.7"."""
    r = round(x, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def _amount_num(x: float) -> str:
    """An amount with thousands separators; decimals only when there are any."""
    if x == int(x):
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


_URL_OK = re.compile(r"^https?://[^\s<>\"'`\\\x00-\x1f\x7f]+\Z", re.IGNORECASE)


def _safe_url(url: str | None) -> str | None:
    """A link we are willing to show: http(s), no whitespace, quotes or angle brackets."""
    if url is None or len(url) > 2048 or not _URL_OK.match(url):
        return None
    return url


def _md(value: str) -> str:
    """Platform text for Slack markdown (see the module docstring)."""
    return re.sub(r"([<>\[\]])", r"\\\1", value)


def _utf16_len(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def _truncate_utf16(value: str, limit: int) -> str:
    """At most ``limit`` UTF-16 code units, ending in "…" when cut (never mid-character)."""
    if _utf16_len(value) <= limit:
        return value
    out: list[str] = []
    used = 1  # the ellipsis
    for ch in value:
        n = 2 if ord(ch) > 0xFFFF else 1
        if used + n > limit:
            break
        out.append(ch)
        used += n
    return "".join(out).rstrip() + "…"


# ------------------------------------------------------------------ facts about a gig


def _rate_figure(gig: GigSummary, lang: Lang) -> str | None:
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


def _amounts_ja(src: RateSource) -> str | None:
    lo, hi = src.amount_min, src.amount_max
    values = [v for v in (lo, hi) if v is not None]
    if not values:
        return None
    if src.currency == "JPY":
        man = all(v >= 10_000 and round(v / 10_000, 2) == v / 10_000 for v in values)
        fmt: Callable[[float], str] = (
            (lambda v: _amount_num(v / 10_000)) if man else (lambda v: _amount_num(v))
        )
        suffix = "万円" if man else "円"
        if lo is not None and hi is not None and lo != hi:
            return f"{fmt(lo)}〜{fmt(hi)}{suffix}"
        return f"{fmt(values[0])}{suffix}" + ("〜" if hi is None and lo is not None else "")
    sym = _CURRENCY_SYMBOL.get(src.currency)
    if lo is not None and hi is not None and lo != hi:
        core = f"{_amount_num(lo)}〜{_amount_num(hi)}"
    else:
        core = _amount_num(values[0])
    return f"{sym}{core}" if sym else f"{core} {src.currency}"


def _amounts_en(src: RateSource) -> str | None:
    lo, hi = src.amount_min, src.amount_max
    values = [v for v in (lo, hi) if v is not None]
    if not values:
        return None
    sym = "¥" if src.currency == "JPY" else _CURRENCY_SYMBOL.get(src.currency)
    if lo is not None and hi is not None and lo != hi:
        core = f"{_amount_num(lo)}–{_amount_num(hi)}"
    else:
        core = _amount_num(values[0])
    return f"{sym}{core}" if sym else f"{core} {src.currency}"


def _how_normalised(src: RateSource, lang: Lang) -> str | None:
    """How the listing's pay became yen per hour, e.g. 月額80万円 ÷ 160h."""
    if src.unit is None:
        return None
    amounts = _amounts_ja(src) if lang == "ja" else _amounts_en(src)
    if amounts is None:
        return None
    foreign = src.currency != "JPY"
    divisor = src.hours_divisor
    if src.unit is RateUnit.HOUR and not foreign and src.tax_basis is TaxBasis.UNKNOWN:
        return None  # as the listing said it
    parts: list[str] = []
    if lang == "ja":
        tax = {TaxBasis.INCLUDED: "・税込", TaxBasis.EXCLUDED: "・税抜"}.get(src.tax_basis, "")
        parts.append(f"{_UNIT_JA[src.unit]}{amounts}{tax}")
        if divisor is not None and src.unit is not RateUnit.HOUR:
            parts.append(f" ÷ {_num(divisor)}h")
        if foreign and src.fx_rate_to_jpy is not None:
            parts.append(f" × {_num(src.fx_rate_to_jpy)}円")
        lo, hi = src.hours_per_month_min, src.hours_per_month_max
        if lo is not None and hi is not None and lo != hi:
            parts.append(f"、精算幅{_num(lo)}〜{_num(hi)}h")
        return "".join(parts)
    tax = {TaxBasis.INCLUDED: " incl. tax", TaxBasis.EXCLUDED: " excl. tax"}.get(src.tax_basis, "")
    parts.append(f"{amounts}{_UNIT_EN[src.unit]}{tax}")
    if divisor is not None and src.unit is not RateUnit.HOUR:
        parts.append(f" ÷ {_num(divisor)}h")
    if foreign and src.fx_rate_to_jpy is not None:
        parts.append(f" × ¥{_num(src.fx_rate_to_jpy)}")
    lo, hi = src.hours_per_month_min, src.hours_per_month_max
    if lo is not None and hi is not None and lo != hi:
        parts.append(f"; settlement band {_num(lo)}–{_num(hi)}h")
    return "".join(parts)


def _listing_pay(src: RateSource, lang: Lang) -> str | None:
    """The listing's pay in its own unit (年収450万円, ¥4,500,000 per year), when it gives no
    hourly figure."""
    if src.unit is None:
        return None
    amounts = _amounts_ja(src) if lang == "ja" else _amounts_en(src)
    if amounts is None:
        return None
    if lang == "ja":
        return f"{_UNIT_JA[src.unit]}{amounts}"
    return f"{amounts}{_UNIT_EN[src.unit]}"


def _rate_line(gig: GigSummary, lang: Lang) -> str:
    """¥5,000/h（月額80万円 ÷ 160h） or 不明（応相談）."""
    w = _WORDS[lang]
    figure = _rate_figure(gig, lang)
    src = gig.rate_source
    if src.unpaid:
        return f"{figure}（無報酬）" if lang == "ja" else f"{figure} (volunteer)"
    if figure is None:
        pay = _listing_pay(src, lang)
        if src.negotiable:
            why = w["negotiable"]
        elif pay is not None:  # 年収450万円, ¥6,000 per piece: the listing's own figure
            return f"{pay}（時給換算なし）" if lang == "ja" else f"{pay} (no hourly figure)"
        elif _line(src.text):
            why = f"{w['listing_says']}: {_shorten(_line(src.text), 60)}"
        else:
            return w["unknown"]
        return f"{w['unknown']}（{why}）" if lang == "ja" else f"{w['unknown']} ({why})"
    how = _how_normalised(src, lang)
    if how is None:
        return figure
    return f"{figure}（{how}）" if lang == "ja" else f"{figure} ({how})"


def _days_line(gig: GigSummary, lang: Lang) -> str:
    lo, hi = gig.days_per_week_min, gig.days_per_week_max
    if lo is None and hi is None:
        return _WORDS[lang]["unknown"]
    if lang == "ja":
        if lo is not None and hi is not None:
            return f"週{_num(lo)}日" if lo == hi else f"週{_num(lo)}〜{_num(hi)}日"
        return f"週{_num(lo)}日〜" if lo is not None else f"週{_num(hi or 0)}日まで"
    if lo is not None and hi is not None:
        span = _num(lo) if lo == hi else f"{_num(lo)}–{_num(hi)}"
        return f"{span} day{'s' if not (lo == hi == 1) else ''}/week"
    return f"{_num(lo)}+ days/week" if lo is not None else f"up to {_num(hi or 0)} days/week"


def _remote_word(gig: GigSummary, lang: Lang) -> str | None:
    return _REMOTE[lang][gig.remote_mode] if gig.remote_mode is not None else None


@dataclass(frozen=True, slots=True)
class _Facts:
    """One gig's fields, cleaned (plain text, not yet escaped for any format)."""

    title: str
    url: str | None
    rows: list[tuple[str, str]]  # (label, value), in display order


def _facts(gig: GigSummary, lang: Lang) -> _Facts:
    w = _WORDS[lang]
    remote = _remote_word(gig, lang)
    rows = [
        (w["rate"], _rate_line(gig, lang)),
        (
            w["remote"],
            (remote[:1].upper() + remote[1:] if lang == "en" else remote)
            if remote
            else w["unknown"],
        ),
        (w["days"], _days_line(gig, lang)),
    ]
    location = _shorten(_line(gig.location), 100)
    if location:
        rows.append((w["location"], location))
    platform = _shorten(_line(gig.platform_name), 60)
    if platform:
        rows.append((w["platform"], platform))
    title = _shorten(_line(gig.title), TITLE_MAX) or ("(無題)" if lang == "ja" else "(untitled)")
    return _Facts(title=title, url=_safe_url(gig.url), rows=rows)


def _reason_groups(alert: AlertMatched, lang: Lang) -> list[list[tuple[bool, str]]]:
    """The reasons of every matched subscription, in subscription order, as (ok, text)."""
    keys = [str(s) for s in alert.subscription_ids if str(s) in alert.reasons]
    keys += sorted(k for k in alert.reasons if k not in keys)
    groups: list[list[tuple[bool, str]]] = []
    for key in keys:
        reasons: Sequence[MatchReason] = alert.reasons[key]
        group = [
            (r.ok, _shorten(_line(r.text_ja if lang == "ja" else r.text_en), 200)) for r in reasons
        ]
        group = [(ok, t) for ok, t in group if t]
        if group:
            groups.append(group)
    return groups


def _flat_reasons(alert: AlertMatched, lang: Lang) -> list[tuple[bool, str]]:
    seen: set[str] = set()
    out: list[tuple[bool, str]] = []
    for group in _reason_groups(alert, lang):
        for ok, text in group:
            if text not in seen:
                seen.add(text)
                out.append((ok, text))
    return out


def _plain(reason: str) -> str:
    """A reason without its own trailing check mark (the list adds one)."""
    return reason.removesuffix(" ✓").removesuffix("✓")


def _mark(ok: bool) -> str:
    return "✓" if ok else "△"


def _join(lang: Lang, items: Iterable[str]) -> str:
    return ("、" if lang == "ja" else ", ").join(items)


# ------------------------------------------------------------------ subjects


def _alert_subject(alert: AlertMatched, lang: Lang) -> str:
    gig = alert.gig
    title = _shorten(_line(gig.title), SUBJECT_TITLE_MAX) or (
        "(無題)" if lang == "ja" else "(untitled)"
    )
    remote = _remote_word(gig, lang)
    rate = _rate_figure(gig, lang)
    if lang == "ja":
        s = f"【新着案件】{title}" + (f"（{remote}）" if remote else "")
    else:
        s = f"New gig: {title}" + (f" ({remote})" if remote else "")
    return s + (f" {rate}" if rate else "")


def _digest_subject(n: int, lang: Lang) -> str:
    if lang == "ja":
        return f"【gigalert】新着案件 {n}件のまとめ"
    return f"[gigalert] {n} new gig{'s' if n != 1 else ''}"


# ------------------------------------------------------------------ one alert


def _text_block(facts: _Facts, lang: Lang, *, indent: str = "") -> list[str]:
    lines = [f"{indent}{label}: {value}" for label, value in facts.rows]
    if facts.url:
        lines.append(f"{indent}{_WORDS[lang]['link']}: {facts.url}")
    return lines


def _text_reasons(alert: AlertMatched, lang: Lang) -> list[str]:
    w = _WORDS[lang]
    groups = _reason_groups(alert, lang)
    if not groups:
        return []
    lines = [f"{w['why']}:"]
    for i, group in enumerate(groups, start=1):
        if len(groups) > 1:
            lines.append(f"[{w['search']} {i}]")
        lines += [f"{_mark(ok)} {_plain(text)}" for ok, text in group]
    return lines


def _text_footer(unsubscribe_url: str | None, lang: Lang) -> list[str]:
    w = _WORDS[lang]
    lines = ["--", w["footer"]]
    url = _safe_url(unsubscribe_url)
    if url:
        lines.append(f"{w['unsubscribe']}: {url}")
    return lines


def _alert_text(alert: AlertMatched, facts: _Facts, lang: Lang, unsub: str | None) -> str:
    lines = [facts.title, ""]
    lines += _text_block(facts, lang)
    reasons = _text_reasons(alert, lang)
    if reasons:
        lines += ["", *reasons]
    lines += ["", *_text_footer(unsub, lang)]
    return "\n".join(lines)


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _html_doc(subject: str, lang: Lang, body: list[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{lang}">',
            '<head><meta charset="utf-8">',
            f"<title>{_e(subject)}</title></head>",
            '<body style="font-family:sans-serif;line-height:1.6;color:#222;">',
            *body,
            "</body>",
            "</html>",
        ]
    )


def _html_facts(facts: _Facts, lang: Lang) -> list[str]:
    rows = [f"<strong>{_e(label)}:</strong> {_e(value)}" for label, value in facts.rows]
    if facts.url:
        u = _e(facts.url)
        rows.append(f'<strong>{_e(_WORDS[lang]["link"])}:</strong> <a href="{u}">{u}</a>')
    return ["<p>" + "<br>".join(rows) + "</p>"]


def _html_title(facts: _Facts, tag: str) -> str:
    style = ' style="font-size:18px;margin:0 0 8px;"' if tag == "h1" else ""
    if facts.url:
        return f'<{tag}{style}><a href="{_e(facts.url)}">{_e(facts.title)}</a></{tag}>'
    return f"<{tag}{style}>{_e(facts.title)}</{tag}>"


def _html_reasons(alert: AlertMatched, lang: Lang) -> list[str]:
    w = _WORDS[lang]
    groups = _reason_groups(alert, lang)
    if not groups:
        return []
    out = [f'<h2 style="font-size:15px;margin:16px 0 4px;">{_e(w["why"])}</h2>']
    for i, group in enumerate(groups, start=1):
        if len(groups) > 1:
            out.append(f"<p><strong>{_e(w['search'])} {i}</strong></p>")
        out.append(
            "<ul>" + "".join(f"<li>{_mark(ok)} {_e(_plain(t))}</li>" for ok, t in group) + "</ul>"
        )
    return out


def _html_footer(unsubscribe_url: str | None, lang: Lang) -> list[str]:
    w = _WORDS[lang]
    inner = _e(w["footer"])
    url = _safe_url(unsubscribe_url)
    if url:
        u = _e(url)
        inner += f'<br>{_e(w["unsubscribe"])}: <a href="{u}">{u}</a>'
    return [
        '<hr style="border:none;border-top:1px solid #ddd;">',
        f'<p style="font-size:12px;color:#666;">{inner}</p>',
    ]


def _md_facts(facts: _Facts, *, indent: str = "") -> list[str]:
    return [f"{indent}• **{_md(label)}**: {_md(value)}" for label, value in facts.rows]


def _md_link(label: str, url: str) -> str:
    return f"[{_md(label)}](<{url}>)"


def _md_title(facts: _Facts) -> str:
    if facts.url:
        return f"**{_md_link(facts.title, facts.url)}**"
    return f"**{_md(facts.title)}**"


def _md_footer(unsubscribe_url: str | None, lang: Lang) -> list[str]:
    url = _safe_url(unsubscribe_url)
    if not url:
        return []
    return ["", _md_link(_WORDS[lang]["unsubscribe"], url)]


def _alert_markdown(alert: AlertMatched, facts: _Facts, lang: Lang, unsub: str | None) -> str:
    w = _WORDS[lang]
    lines = [_md_title(facts), *_md_facts(facts)]
    groups = _reason_groups(alert, lang)
    if groups:
        lines += ["", f"**{_md(w['why'])}**"]
        for i, group in enumerate(groups, start=1):
            if len(groups) > 1:
                lines.append(f"_{_md(w['search'])} {i}_")
            lines += [f"{_mark(ok)} {_md(_plain(text))}" for ok, text in group]
    lines += _md_footer(unsub, lang)
    return "\n".join(lines)


def render_alert(alert: AlertMatched, *, locale: str, unsubscribe_url: str | None) -> Rendered:
    """One alert in every format, in ``locale`` ("en…" → English, else Japanese)."""
    lang = _lang(locale)
    facts = _facts(alert.gig, lang)
    subject = _alert_subject(alert, lang)
    text = _alert_text(alert, facts, lang, unsubscribe_url)
    body = [_html_title(facts, "h1"), *_html_facts(facts, lang), *_html_reasons(alert, lang)]
    if facts.url:
        body.append(f'<p><a href="{_e(facts.url)}">{_e(_WORDS[lang]["open"])}</a></p>')
    body += _html_footer(unsubscribe_url, lang)
    return Rendered(
        subject=subject,
        text=text,
        html=_html_doc(subject, lang, body),
        markdown=_alert_markdown(alert, facts, lang, unsubscribe_url),
        line_text=_truncate_utf16(_LINE_PREFIX[lang] + text, LINE_MAX_CHARS),
    )


# ------------------------------------------------------------------ digests


_LINE_PREFIX: Final[dict[Lang, str]] = {"ja": "【新着案件】", "en": "New gig: "}


def _omitted(n: int, lang: Lang) -> str:
    return f"…ほか{n}件" if lang == "ja" else f"…and {n} more"


def _fit_line(head: str, blocks: list[str], foot: str, lang: Lang) -> str:
    """As many whole gig blocks as fit in LINE's limit, then how many were left out."""
    n = len(blocks)
    sep = "\n\n"
    fixed = _utf16_len(head) + _utf16_len(foot)
    sizes = [_utf16_len(sep) + _utf16_len(b) for b in blocks]
    used = fixed
    k = 0
    for i in range(n):
        rest = n - i - 1
        note = _utf16_len(sep + _omitted(rest, lang)) if rest else 0
        if used + sizes[i] + note > LINE_MAX_CHARS:
            break
        used += sizes[i]
        k = i + 1
    parts = [head, *blocks[:k]]
    if k < n:
        parts.append(_omitted(n - k, lang))
    text = sep.join(parts) + foot
    return _truncate_utf16(text, LINE_MAX_CHARS)


def render_digest(
    alerts: list[AlertMatched], *, locale: str, unsubscribe_url: str | None
) -> Rendered:
    """Several alerts as one message (in the order given)."""
    if not alerts:
        raise ValueError("a digest needs at least one alert")
    lang = _lang(locale)
    w = _WORDS[lang]
    subject = _digest_subject(len(alerts), lang)
    all_facts = [_facts(a.gig, lang) for a in alerts]

    text_blocks: list[str] = []
    md_blocks: list[str] = []
    html_items: list[str] = []
    for i, (alert, facts) in enumerate(zip(alerts, all_facts, strict=True), start=1):
        reasons = _flat_reasons(alert, lang)
        why = _join(lang, (t for _, t in reasons))
        lines = [f"{i}. {facts.title}", *_text_block(facts, lang, indent="   ")]
        if why:
            lines.append(f"   {w['why']}: {why}")
        text_blocks.append("\n".join(lines))

        md = [f"{i}. {_md_title(facts)}", *_md_facts(facts, indent="    ")]
        if why:
            md.append(f"    _{_md(w['why'])}_: {_md(why)}")
        md_blocks.append("\n".join(md))

        item = [f'<li style="margin-bottom:12px;">{_html_title(facts, "strong")}']
        item += _html_facts(facts, lang)
        if reasons:
            item.append(
                f"<p><strong>{_e(w['why'])}:</strong> "
                + _e(_join(lang, (f"{_mark(ok)} {_plain(t)}" for ok, t in reasons)))
                + "</p>"
            )
        item.append("</li>")
        html_items.append("\n".join(item))

    footer = "\n".join(_text_footer(unsubscribe_url, lang))
    text = "\n\n".join([subject, *text_blocks, footer])
    markdown = "\n\n".join([f"**{_md(subject)}**", *md_blocks])
    markdown += "\n".join(["", *_md_footer(unsubscribe_url, lang)])
    body = [
        f'<h1 style="font-size:18px;margin:0 0 8px;">{_e(subject)}</h1>',
        "<ol>",
        *html_items,
        "</ol>",
        *_html_footer(unsubscribe_url, lang),
    ]
    return Rendered(
        subject=subject,
        text=text,
        html=_html_doc(subject, lang, body),
        markdown=markdown,
        line_text=_fit_line(subject, text_blocks, "\n\n" + footer, lang),
    )
