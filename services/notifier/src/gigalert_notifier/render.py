"""Alert messages in Japanese (default) and English: subject, plain text, HTML, Slack
markdown and LINE text, each format from its own module. Pure functions, no I/O. Every field
that comes from a platform is treated as hostile (:mod:`gigalert_notifier.escaping`).

An email is multipart/alternative: ``html`` and :attr:`Rendered.text`, the same message as
plain text. ``line_text`` already starts with the subject line: send it without a title (LINE has
none, and Apprise would prepend one to the body).
"""

from __future__ import annotations

from dataclasses import dataclass

from gigalert_notifier.email_format import (
    alert_html,
    alert_text,
    digest_html,
    digest_html_item,
    digest_text_block,
    text_footer,
)
from gigalert_notifier.gig_facts import alert_subject, facts, flat_reasons, join
from gigalert_notifier.line_format import LINE_MAX_CHARS, alert_line, fit_line
from gigalert_notifier.slack_format import alert_markdown, digest_markdown, digest_md_block
from gigalert_notifier.wording import digest_subject, lang
from gigalert_shared.events import AlertMatched

__all__ = ["LINE_MAX_CHARS", "Rendered", "render_alert", "render_digest"]


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    markdown: str
    line_text: str


def render_alert(alert: AlertMatched, *, locale: str, unsubscribe_url: str | None) -> Rendered:
    """One alert in every format, in ``locale`` ("en…" → English, else Japanese)."""
    lang_ = lang(locale)
    the_facts = facts(alert.gig, lang_)
    subject = alert_subject(alert, lang_)
    text = alert_text(alert, the_facts, lang_, unsubscribe_url)
    return Rendered(
        subject=subject,
        text=text,
        html=alert_html(alert, the_facts, lang_, subject, unsubscribe_url),
        markdown=alert_markdown(alert, the_facts, lang_, unsubscribe_url),
        line_text=alert_line(text, lang_),
    )


def render_digest(
    alerts: list[AlertMatched], *, locale: str, unsubscribe_url: str | None
) -> Rendered:
    """Several alerts as one message (in the order given)."""
    if not alerts:
        raise ValueError("a digest needs at least one alert")
    lang_ = lang(locale)
    subject = digest_subject(len(alerts), lang_)
    text_blocks: list[str] = []
    md_blocks: list[str] = []
    html_items: list[str] = []
    for i, alert in enumerate(alerts, start=1):
        the_facts = facts(alert.gig, lang_)
        reasons = flat_reasons(alert, lang_)
        why = join(lang_, (t for _, t in reasons))
        text_blocks.append(digest_text_block(i, the_facts, why, lang_))
        md_blocks.append(digest_md_block(i, the_facts, why, lang_))
        html_items.append(digest_html_item(the_facts, reasons, lang_))
    footer = "\n".join(text_footer(unsubscribe_url, lang_))
    return Rendered(
        subject=subject,
        text="\n\n".join([subject, *text_blocks, footer]),
        html=digest_html(subject, html_items, lang_, unsubscribe_url),
        markdown=digest_markdown(subject, md_blocks, lang_, unsubscribe_url),
        line_text=fit_line(subject, text_blocks, "\n\n" + footer, lang_),
    )
