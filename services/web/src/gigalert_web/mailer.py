"""Account mail (login links, address confirmations, deletion links), sent straight to the
SMTP server: these are transactional and must not wait behind alerts in the notifier."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from gigalert_shared.settings import SmtpSettings

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    pass


class Mailer:
    def __init__(self, smtp: SmtpSettings) -> None:
        self._smtp = smtp

    def message(self, *, to: str, subject: str, text: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = formataddr((self._smtp.sender_name, self._smtp.sender))
        msg["To"] = to
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain=self._smtp.sender.rpartition("@")[2] or None)
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(text)
        return msg

    async def send(self, *, to: str, subject: str, text: str) -> None:
        s = self._smtp
        try:
            await aiosmtplib.send(
                self.message(to=to, subject=subject, text=text),
                hostname=s.host,
                port=s.port,
                use_tls=s.security == "tls",
                start_tls=s.security == "starttls",
                username=s.username,
                password=s.password.get_secret_value() if s.password else None,
                timeout=15,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            # The address is not logged: it is personal data, and the reason is enough.
            log.warning("account mail not sent", extra={"error": type(exc).__name__})
            raise MailError(str(exc)) from exc
