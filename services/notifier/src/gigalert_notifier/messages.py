"""A claimed delivery's message: rendered once per alert (or digest) and locale, whichever
channels it goes to (the last few thousand are kept), and the Apprise URL of its channel
(for email: the SMTP server's, made once, and the mail's own recipient and headers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

from gigalert_notifier.apprise_urls import MailTo, line_url, mail_to, slack_url, smtp_url
from gigalert_notifier.claims import Claimed, delivery_header
from gigalert_notifier.render import Rendered, render_alert, render_digest
from gigalert_shared.crypto import SecretBox, Signer
from gigalert_shared.events import AlertMatched
from gigalert_shared.settings import Settings

_KEPT: Final = 4096  # rendered messages kept (an alert's channels are claimed together)


@dataclass(frozen=True, slots=True)
class Message:
    url: str
    title: str
    body: str
    body_format: str
    text: str | None = None  # email: the text/plain alternative to the HTML body
    mail: MailTo | None = None  # email: the recipient and headers (``url`` is the server)


class Messages:
    def __init__(self, settings: Settings) -> None:
        self._s = settings.notifier
        self._public_base_url = settings.web.public_base_url
        self._smtp = settings.smtp
        self._box = SecretBox.from_settings(settings)
        self._signer = Signer.from_settings(settings, "unsubscribe")
        self._rendered: dict[tuple[tuple[UUID, ...], str], tuple[Rendered, str]] = {}
        self._smtp_url: str | None = None

    def message(self, c: Claimed) -> Message:
        """Raises ValueError when the channel's settings cannot be used."""
        rendered, unsubscribe = self._render(c)
        if c.kind == "email":
            mail = mail_to(
                c.target, delivery_id=delivery_header(c.ids), unsubscribe_url=unsubscribe
            )
            return Message(
                self._server(), rendered.subject, rendered.html, "html", rendered.text, mail
            )
        url, body, body_format = self._url_and_body(c, rendered)
        return Message(url, rendered.subject, body, body_format)

    def _server(self) -> str:
        if self._smtp_url is None:
            self._smtp_url = smtp_url(self._smtp)
        return self._smtp_url

    def unsubscribe_url(self, alert: AlertMatched) -> str:
        # Signed over the alert alone: one short id, however many searches matched.
        token = self._signer.sign(str(alert.alert_id))
        return f"{self._public_base_url.rstrip('/')}/v1/unsubscribe/{token}"

    def _render(self, c: Claimed) -> tuple[Rendered, str]:
        """The messages (every channel's form) and the unsubscribe link, made once per
        alert (or digest) and locale, whichever channels it goes to."""
        key = (tuple(a.alert_id for a in c.alerts), c.locale)
        done = self._rendered.get(key)
        if done is not None:
            return done
        if len(self._rendered) >= _KEPT:  # rounds overlap: forget by size, not by round
            self._rendered = {}
        unsubscribe = self.unsubscribe_url(c.alerts[0])
        if len(c.alerts) == 1:
            rendered = render_alert(c.alerts[0], locale=c.locale, unsubscribe_url=unsubscribe)
        else:
            rendered = render_digest(c.alerts, locale=c.locale, unsubscribe_url=unsubscribe)
        done = self._rendered[key] = (rendered, unsubscribe)
        return done

    def _url_and_body(self, c: Claimed, rendered: Rendered) -> tuple[str, str, str]:
        if c.kind == "slack":
            if c.secret is None:
                raise ValueError("slack channel has no webhook")
            return slack_url(self._box.open(c.secret)), rendered.markdown, "markdown"
        token = self._s.line_channel_token
        if token is None:
            raise ValueError("GIGALERT_NOTIFIER_LINE_CHANNEL_TOKEN is not configured")
        return line_url(token.get_secret_value(), c.target), rendered.line_text, "text"
