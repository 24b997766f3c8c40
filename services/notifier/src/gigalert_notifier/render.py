"""Alert messages in Japanese (default) and English: subject, plain text, HTML, Slack
markdown and LINE text, each format from its own module. Pure functions, no I/O. Every field
that comes from a platform is treated as hostile (:mod:`gigalert_notifier.escaping`).

An email is multipart/alternative: ``html`` and :attr:`Rendered.text`, the same message as
plain text. ``line_text`` already starts with the subject line: send it without a title (LINE has
none, and Apprise would prepend one to the body).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

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


class Rendered:
    """One message in every format, each made the first time it is read: a mail needs
    the text and HTML, Slack the markdown, LINE its text (an alert's from the text, a
    digest's from its blocks)."""

    def __init__(
        self,
        subject: str,
        *,
        text: Callable[[], str],
        html: Callable[[], str],
        markdown: Callable[[], str],
        line_text: Callable[[str], str],
    ) -> None:
        for name, value in (
            ("_subject", subject),
            ("_text", text),
            ("_html", html),
            ("_markdown", markdown),
            ("_line_text", line_text),
        ):
            object.__setattr__(self, name, value)

    _subject: str
    _text: Callable[[], str]
    _html: Callable[[], str]
    _markdown: Callable[[], str]
    _line_text: Callable[[str], str]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a rendered message is read-only ({name})")

    @property
    def subject(self) -> str:
        return self._subject

    @cached_property
    def text(self) -> str:
        return self._text()

    @cached_property
    def html(self) -> str:
        return self._html()

    @cached_property
    def markdown(self) -> str:
        return self._markdown()

    @cached_property
    def line_text(self) -> str:
        return self._line_text(self.text)


def render_alert(alert: AlertMatched, *, locale: str, unsubscribe_url: str | None) -> Rendered:
    """One alert in every format, in ``locale`` ("en…" → English, else Japanese)."""
    lang_ = lang(locale)
    the_facts = facts(alert.gig, lang_)
    subject = alert_subject(alert, lang_)
    return Rendered(
        subject,
        text=lambda: alert_text(alert, the_facts, lang_, unsubscribe_url),
        html=lambda: alert_html(alert, the_facts, lang_, subject, unsubscribe_url),
        markdown=lambda: alert_markdown(alert, the_facts, lang_, unsubscribe_url),
        line_text=lambda text: alert_line(text, lang_),
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
        subject,
        text=lambda: "\n\n".join([subject, *text_blocks, footer]),
        html=lambda: digest_html(subject, html_items, lang_, unsubscribe_url),
        markdown=lambda: digest_markdown(subject, md_blocks, lang_, unsubscribe_url),
        line_text=lambda _: fit_line(subject, text_blocks, "\n\n" + footer, lang_),
    )
