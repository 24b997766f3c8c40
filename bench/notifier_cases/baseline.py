"""A baseline row, and the message the bare clients send."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

from bench.notifier_cases.context import make_alert
from tests.support.smtp_sink import Received


@dataclass
class Baseline:
    label: str
    n: int
    seconds: float
    received: int
    cpu_s: float = math.nan
    p50: float = math.nan
    p99: float = math.nan

    @property
    def rate(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else math.nan

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / self.n


def count_tag(log: Received, tag: str, since: int) -> int:
    return len({i for _, i in log.lines()[since:] if i.rsplit("/", 1)[-1].startswith(tag + "-")})


def sample_rendered() -> tuple[str, str, str, str]:
    """(subject, html, markdown, unsubscribe url) of one realistic alert."""
    from gigalert_notifier.render import render_alert

    alert = make_alert(uuid.uuid4(), uuid.uuid4(), 0)
    unsub = f"http://127.0.0.1:8000/v1/unsubscribe/{alert.alert_id}.abcdefghijklmnop"
    rendered = render_alert(alert, locale="ja", unsubscribe_url=unsub)
    return rendered.subject, rendered.html, rendered.markdown, unsub


def mail_template() -> bytes:
    """The bare clients' message: multipart text + HTML, built once (``@@ID@@`` is each
    mail's delivery-id header)."""
    subject, html_body, _, unsub = sample_rendered()
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = "gigalert <alerts@gigalert.local>"
    msg["To"] = "bench@example.jp"
    msg["List-Unsubscribe"] = f"<{unsub}>"
    msg["X-Gigalert-Delivery-Id"] = "@@ID@@"
    msg.set_content(re.sub(r"<[^>]+>", "", html_body), cte="base64")
    msg.add_alternative(html_body, subtype="html", cte="base64")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))  # sent as is


def built_mail(subject: str, html_body: str, text: str, unsub: str, ident: str) -> bytes:
    """One mail built with the stdlib's ``email`` package, as a client that makes each
    recipient's message would (multipart text + HTML, encoded Japanese subject)."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = "gigalert <alerts@gigalert.local>"
    msg["To"] = "bench@example.jp"
    msg["List-Unsubscribe"] = f"<{unsub}>"
    msg["X-Gigalert-Delivery-Id"] = ident
    msg.set_content(text, cte="base64")
    msg.add_alternative(html_body, subtype="html", cte="base64")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
