"""An alert, or a digest, as an email: plain text and HTML (every field escaped)."""

from __future__ import annotations

from gigalert_notifier.escaping import e, safe_url
from gigalert_notifier.gig_facts import Facts, join, mark, plain, reason_groups
from gigalert_notifier.wording import WORDS, Lang
from gigalert_shared.events import AlertMatched


def text_block(facts: Facts, lang: Lang, *, indent: str = "") -> list[str]:
    lines = [f"{indent}{label}: {value}" for label, value in facts.rows]
    if facts.url:
        lines.append(f"{indent}{WORDS[lang]['link']}: {facts.url}")
    return lines


def text_reasons(alert: AlertMatched, lang: Lang) -> list[str]:
    w = WORDS[lang]
    groups = reason_groups(alert, lang)
    if not groups:
        return []
    lines = [f"{w['why']}:"]
    for i, group in enumerate(groups, start=1):
        if len(groups) > 1:
            lines.append(f"[{w['search']} {i}]")
        lines += [f"{mark(ok)} {plain(text)}" for ok, text in group]
    return lines


def text_footer(unsubscribe_url: str | None, lang: Lang) -> list[str]:
    w = WORDS[lang]
    lines = ["--", w["footer"]]
    url = safe_url(unsubscribe_url)
    if url:
        lines.append(f"{w['unsubscribe']}: {url}")
    return lines


def alert_text(alert: AlertMatched, facts: Facts, lang: Lang, unsub: str | None) -> str:
    lines = [facts.title, ""]
    lines += text_block(facts, lang)
    reasons = text_reasons(alert, lang)
    if reasons:
        lines += ["", *reasons]
    lines += ["", *text_footer(unsub, lang)]
    return "\n".join(lines)


def html_doc(subject: str, lang: Lang, body: list[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{lang}">',
            '<head><meta charset="utf-8">',
            f"<title>{e(subject)}</title></head>",
            '<body style="font-family:sans-serif;line-height:1.6;color:#222;">',
            *body,
            "</body>",
            "</html>",
        ]
    )


def html_facts(facts: Facts, lang: Lang) -> list[str]:
    rows = [f"<strong>{e(label)}:</strong> {e(value)}" for label, value in facts.rows]
    if facts.url:
        u = e(facts.url)
        rows.append(f'<strong>{e(WORDS[lang]["link"])}:</strong> <a href="{u}">{u}</a>')
    return ["<p>" + "<br>".join(rows) + "</p>"]


def html_title(facts: Facts, tag: str) -> str:
    style = ' style="font-size:18px;margin:0 0 8px;"' if tag == "h1" else ""
    if facts.url:
        return f'<{tag}{style}><a href="{e(facts.url)}">{e(facts.title)}</a></{tag}>'
    return f"<{tag}{style}>{e(facts.title)}</{tag}>"


def html_reasons(alert: AlertMatched, lang: Lang) -> list[str]:
    w = WORDS[lang]
    groups = reason_groups(alert, lang)
    if not groups:
        return []
    out = [f'<h2 style="font-size:15px;margin:16px 0 4px;">{e(w["why"])}</h2>']
    for i, group in enumerate(groups, start=1):
        if len(groups) > 1:
            out.append(f"<p><strong>{e(w['search'])} {i}</strong></p>")
        out.append(
            "<ul>" + "".join(f"<li>{mark(ok)} {e(plain(t))}</li>" for ok, t in group) + "</ul>"
        )
    return out


def html_footer(unsubscribe_url: str | None, lang: Lang) -> list[str]:
    w = WORDS[lang]
    inner = e(w["footer"])
    url = safe_url(unsubscribe_url)
    if url:
        u = e(url)
        inner += f'<br>{e(w["unsubscribe"])}: <a href="{u}">{u}</a>'
    return [
        '<hr style="border:none;border-top:1px solid #ddd;">',
        f'<p style="font-size:12px;color:#666;">{inner}</p>',
    ]


def alert_html(
    alert: AlertMatched, facts: Facts, lang: Lang, subject: str, unsub: str | None
) -> str:
    body = [html_title(facts, "h1"), *html_facts(facts, lang), *html_reasons(alert, lang)]
    if facts.url:
        body.append(f'<p><a href="{e(facts.url)}">{e(WORDS[lang]["open"])}</a></p>')
    body += html_footer(unsub, lang)
    return html_doc(subject, lang, body)


def digest_text_block(i: int, facts: Facts, why: str, lang: Lang) -> str:
    lines = [f"{i}. {facts.title}", *text_block(facts, lang, indent="   ")]
    if why:
        lines.append(f"   {WORDS[lang]['why']}: {why}")
    return "\n".join(lines)


def digest_html_item(facts: Facts, reasons: list[tuple[bool, str]], lang: Lang) -> str:
    item = [f'<li style="margin-bottom:12px;">{html_title(facts, "strong")}']
    item += html_facts(facts, lang)
    if reasons:
        item.append(
            f"<p><strong>{e(WORDS[lang]['why'])}:</strong> "
            + e(join(lang, (f"{mark(ok)} {plain(t)}" for ok, t in reasons)))
            + "</p>"
        )
    item.append("</li>")
    return "\n".join(item)


def digest_html(subject: str, items: list[str], lang: Lang, unsub: str | None) -> str:
    body = [
        f'<h1 style="font-size:18px;margin:0 0 8px;">{e(subject)}</h1>',
        "<ol>",
        *items,
        "</ol>",
        *html_footer(unsub, lang),
    ]
    return html_doc(subject, lang, body)
