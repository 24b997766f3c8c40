"""A mail sent to the local SMTP server is kept where a person can read it."""

from __future__ import annotations

import mailbox
import smtplib
import uuid
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from tests.conftest import SMTP_PORT


def test_mail_is_kept_in_the_maildir(maildir: Path) -> None:
    marker = uuid.uuid4().hex
    msg = EmailMessage(policy=SMTP)
    msg["From"] = "alerts@gigalert.local"
    msg["To"] = "taro@example.jp"
    msg["Subject"] = f"新着案件 {marker}"
    msg.set_content("PMO支援 時給5,000円")
    with smtplib.SMTP("127.0.0.1", SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(msg)

    box = mailbox.Maildir(maildir, create=False)
    found = [m for m in box if marker in str(m["Subject"])]
    assert len(found) == 1
    kept = found[0]
    assert kept["X-Gigalert-Envelope-To"] == "taro@example.jp"
    body = kept.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "時給5,000円" in body.decode("utf-8")
