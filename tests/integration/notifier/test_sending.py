"""Sending through Apprise and classifying the outcome.

* Email for real: Apprise talks SMTP to the local sink (``deploy/local/smtp_sink.py``),
  which keeps every message in a Maildir; the test reads the message back from there. Refusals
  come from small aiosmtpd servers started by the test on free local ports.
* Slack and LINE at the HTTP boundary: Apprise's Slack plugin calls ``requests.request(...)``
  and its LINE plugin ``requests.post(...)``; ``sending`` hands them a stand-in for the
  ``requests`` module whose every call is one ``transport.exchange(method, url, **kwargs)``
  (put on the wire by aiohttp). The tests replace that one coroutine (:func:`on_the_wire`),
  answer with a real ``requests.Response`` of the chosen status, and assert the method,
  URL, headers and JSON body that would have gone out. Nothing reaches the internet. The
  exchange itself is tested against a local HTTP/1.1 server (``json://``), at the end.
"""

from __future__ import annotations

import asyncio
import json
import mailbox
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import escape
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import requests
from aiosmtpd.controller import Controller

from gigalert_notifier import sending
from gigalert_notifier.apprise_urls import email_url, line_url, slack_url
from gigalert_notifier.http_pool import transport
from gigalert_notifier.outcome import SendOutcome
from gigalert_notifier.render import render_alert, render_digest
from gigalert_notifier.sending import send
from gigalert_shared.events import (
    AlertMatched,
    GigSummary,
    MatchReason,
    RateSource,
    RateUnit,
    RemoteMode,
)
from gigalert_shared.settings import SmtpSettings
from tests.conftest import SMTP_PORT
from tests.support.http_stub import read_request
from tests.support.ports import free_port

WEBHOOK = "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abcdefghijklmnopqrstuvwx"
LINE_TOKEN = "AbC+dEf/GhI+jk/LmN0pQ=="
LINE_USER = "U" + "0123456789abcdef" * 2
UNSUB = "https://gigalert.example/v1/unsubscribe/tok.sig"


def make_alert(title: str, **gig: Any) -> AlertMatched:
    sid = uuid.uuid4()
    fields: dict[str, Any] = {
        "gig_id": uuid.uuid4(),
        "title": title,
        "url": "https://jobs.example.jp/gigs/42?ref=gigalert&x=1",
        "platform_name": "board",
        "remote_mode": RemoteMode.REMOTE,
        "location": "東京都",
        "rate_min_jpy_h": 5000,
        "rate_max_jpy_h": 5000,
        "rate_source": RateSource(
            amount_min=800_000, amount_max=800_000, unit=RateUnit.MONTH, hours_divisor=160
        ),
        "days_per_week_min": 2,
        "days_per_week_max": 3,
    }
    fields.update(gig)
    return AlertMatched(
        alert_id=uuid.uuid4(),
        freelancer_id=uuid.uuid4(),
        gig=GigSummary(**fields),
        subscription_ids=[sid],
        reasons={
            str(sid): [
                MatchReason(criterion="remote_mode", text_ja="フルリモート", text_en="Remote"),
                MatchReason(
                    criterion="rate", text_ja="時給4,500円以上（¥5,000/h）", text_en="¥4,500/h+"
                ),
            ]
        },
        created_at=datetime.now(UTC),
    )


def transient(outcome: SendOutcome) -> bool:
    return not outcome.ok and not outcome.permanent and not outcome.rate_limited


# ------------------------------------------------------------------ email, for real


def find_mail(maildir: Path, marker: str) -> list[EmailMessage]:
    box = mailbox.Maildir(maildir, create=False)
    parser = BytesParser(policy=policy.default)
    found = []
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        if marker.encode() not in raw and b"=?" not in raw:
            continue
        msg = parser.parsebytes(raw)
        assert isinstance(msg, EmailMessage)
        if marker in str(msg["Subject"]):
            found.append(msg)
    return found


@pytest.mark.smtp
async def test_email_reaches_the_local_smtp_server(maildir: Path) -> None:
    marker = uuid.uuid4().hex
    alert = make_alert(f"PMO支援 {marker} <b>&")
    rendered = render_alert(alert, locale="ja", unsubscribe_url=UNSUB)
    smtp = SmtpSettings(host="127.0.0.1", port=SMTP_PORT, sender_name="gigalert 通知")
    delivery_id = str(uuid.uuid4())
    url = email_url("taro+gigs@example.jp", smtp, delivery_id=delivery_id, unsubscribe_url=UNSUB)

    outcome = await send(
        url,
        title=rendered.subject,
        body=rendered.html,
        body_format="html",
        timeout=10,
        text=rendered.text,
    )

    assert outcome == SendOutcome(True, False, False, None, None, None)
    [msg] = find_mail(maildir, marker)
    assert str(msg["Subject"]) == f"【新着案件】PMO支援 {marker} <b>&（フルリモート） ¥5,000/h"
    assert "=?utf-8?" in msg.as_string(policy=policy.compat32).split("Subject:", 1)[1][:40]
    assert str(msg["To"]) == "taro+gigs@example.jp"
    assert msg["From"].addresses[0].display_name == "gigalert 通知"
    assert msg["From"].addresses[0].addr_spec == "alerts@gigalert.local"
    assert msg["X-Gigalert-Delivery-Id"] == delivery_id
    assert msg["List-Unsubscribe"] == f"<{UNSUB}>"
    assert msg["X-Gigalert-Envelope-To"] == "taro+gigs@example.jp"
    assert msg.get_content_type() == "multipart/alternative"

    plain = msg.get_body(preferencelist=("plain",))
    rich = msg.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None
    assert plain.get_content_charset() == rich.get_content_charset() == "utf-8"
    text, markup = plain.get_content(), rich.get_content()
    assert isinstance(text, str) and isinstance(markup, str)
    assert markup.replace("\r\n", "\n") == rendered.html  # CRLF on the wire
    assert escape(f"PMO支援 {marker} <b>&") in markup and f"{marker} <b>" not in markup
    assert text == rendered.text  # the renderer's own text part, as the worker sends it
    for expected in [
        f"PMO支援 {marker} <b>&",
        "時給: ¥5,000/h（月額80万円 ÷ 160h）",
        "リモート: フルリモート",
        "稼働: 週2〜3日",
        "詳細: https://jobs.example.jp/gigs/42?ref=gigalert&x=1",
        "✓ 時給4,500円以上（¥5,000/h）",
        f"この条件の通知を停止: {UNSUB}",
    ]:
        assert expected in text, expected


@pytest.mark.smtp
async def test_a_digest_email_in_english(maildir: Path) -> None:
    marker = uuid.uuid4().hex
    alerts = [make_alert(f"Gig {i} {marker}") for i in range(3)]
    rendered = render_digest(alerts, locale="en", unsubscribe_url=UNSUB)
    url = email_url(
        "hanako@example.jp",
        SmtpSettings(host="127.0.0.1", port=SMTP_PORT),
        delivery_id="a,b,c",
        unsubscribe_url=UNSUB,
    )
    outcome = await send(
        url,
        title=f"{rendered.subject} {marker}",
        body=rendered.html,
        body_format="html",
        timeout=10,
    )
    assert outcome.ok
    [msg] = find_mail(maildir, marker)
    assert str(msg["Subject"]) == f"[gigalert] 3 new gigs {marker}"
    assert msg["X-Gigalert-Delivery-Id"] == "a,b,c"
    plain = msg.get_body(preferencelist=("plain",))
    assert plain is not None
    text = plain.get_content()  # without a text part given, Apprise converts the HTML
    assert all(f"Gig {i} {marker}" in text for i in range(3))


# ------------------------------------------------------------------ email refusals

ADDRESS = "taro@example.jp"


class Refusing:
    """An SMTP server that answers ``reply`` at one stage (MAIL, RCPT or DATA)."""

    def __init__(self, stage: str, reply: str) -> None:
        self.stage, self.reply = stage, reply

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.stage == "mail":
            return self.reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.stage == "rcpt":
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.reply if self.stage == "data" else "250 OK"


@contextmanager
def refusing_server(stage: str, reply: str) -> Iterator[int]:
    port = free_port()
    controller = Controller(Refusing(stage, reply), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def local_email(port: int) -> str:
    smtp = SmtpSettings(host="127.0.0.1", port=port)
    return email_url(ADDRESS, smtp, delivery_id="d", unsubscribe_url=None)


async def test_recipient_refused_with_5xx_is_permanent() -> None:
    with refusing_server("rcpt", "550 5.1.1 User unknown") as port:
        outcome = await send(
            local_email(port), title="t", body="<p>b</p>", body_format="html", timeout=10
        )
    assert outcome.permanent and not outcome.ok and not outcome.rate_limited
    assert outcome.error == f"SMTP recipient refused: {ADDRESS} 550 5.1.1 User unknown"


@pytest.mark.parametrize(
    ("stage", "reply", "error"),
    [
        ("rcpt", "450 4.2.1 Mailbox busy", f"SMTP recipient deferred: {ADDRESS} 450"),
        ("rcpt", "421 4.3.2 Closing", "SMTP failed: server answered: 421"),  # not the address
        ("data", "451 4.3.0 Try again later", "SMTP failed: server answered: 451"),
        ("data", "554 5.7.1 Message rejected", "SMTP failed: server answered: 554"),
        ("mail", "550 5.7.1 Sender denied", "SMTP failed: sender alerts@gigalert.local refused"),
    ],
)
async def test_other_smtp_refusals_are_transient(stage: str, reply: str, error: str) -> None:
    with refusing_server(stage, reply) as port:
        outcome = await send(
            local_email(port), title="t", body="<p>b</p>", body_format="html", timeout=10
        )
    assert transient(outcome), outcome
    assert outcome.error is not None and outcome.error.startswith(error)


async def test_a_refused_connection_is_transient() -> None:
    outcome = await send(
        local_email(free_port()), title="t", body="<p>b</p>", body_format="html", timeout=10
    )
    assert transient(outcome), outcome
    assert outcome.error is not None
    assert outcome.error.startswith("SMTP connection failed")
    assert "Connection refused" in outcome.error


async def test_a_server_that_never_answers_times_out_as_transient() -> None:
    with socket.socket() as listener:  # accepts the TCP connection, never says hello
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        start = time.monotonic()
        outcome = await send(
            local_email(port), title="t", body="<p>b</p>", body_format="html", timeout=1.0
        )
        elapsed = time.monotonic() - start
    assert transient(outcome), outcome
    assert elapsed < 3.0


# ------------------------------------------------------------------ no usable URL


@pytest.mark.parametrize(
    "url",
    [
        "garbage",
        "garbage://nothing",
        "notaservice://user@host",
        "mailto://",
        "line://",
        "https://hooks.slack.com/services/",
        "",
    ],
)
async def test_an_unusable_url_is_permanent(url: str) -> None:
    outcome = await send(url, title="t", body="b", body_format="text", timeout=5)
    assert outcome.permanent and not outcome.ok, outcome
    assert outcome.error is not None and outcome.error.startswith("no usable URL")


async def test_bad_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="body_format"):
        await send(WEBHOOK, title="t", body="b", body_format="rtf", timeout=5)
    with pytest.raises(ValueError, match="timeout"):
        await send(WEBHOOK, title="t", body="b", body_format="text", timeout=0)


# ------------------------------------------------------------------ HTTP boundary


def on_the_wire(**answer: Any) -> Any:
    """What goes on the wire: the transport's one exchange, as ``requests`` arguments."""
    return mock.patch.object(transport, "exchange", new_callable=mock.AsyncMock, **answer)


def response(status: int, content: bytes, headers: dict[str, str] | None = None) -> Any:
    r = requests.Response()
    r.status_code = status
    r._content = content
    r.headers.update(headers or {})
    r.url = "https://example.invalid/"
    return r


HOSTILE = "PMO支援 <!channel> [win](https://evil.example) & <@U999>"


async def test_slack_request_as_apprise_would_send_it() -> None:
    rendered = render_alert(make_alert(HOSTILE), locale="ja", unsubscribe_url=UNSUB)
    with on_the_wire(return_value=response(200, b"ok")) as request:
        outcome = await send(
            slack_url(WEBHOOK),
            title=rendered.subject,
            body=rendered.markdown,
            body_format="markdown",
            timeout=5,
        )
    assert outcome == SendOutcome(True, False, False, None, None, None)
    request.assert_called_once()
    (method, url), kwargs = request.call_args
    assert (method, url) == ("post", WEBHOOK)
    assert kwargs["headers"] == {
        "User-Agent": "gigalert",
        "Accept": "application/json",
        "Content-Type": "application/json; charset=utf-8",
    }
    assert kwargs["timeout"] == (4.0, 4.0)
    payload = json.loads(kwargs["data"])
    assert set(payload) == {"mrkdwn", "attachments"}  # no Apprise icon_url
    assert payload["mrkdwn"] is True
    [attachment] = payload["attachments"]
    assert attachment["title"] == escape(rendered.subject, quote=False)
    assert attachment["footer"] == "gigalert"
    assert "footer_icon" not in attachment
    text = attachment["text"]
    assert text.splitlines()[:3] == [
        "*<https://jobs.example.jp/gigs/42?ref=gigalert&amp;x=1|PMO支援 &lt;!channel&gt; "
        "[win](https://evil.example) &amp; &lt;@U999&gt;>*",
        "• *時給*: ¥5,000/h（月額80万円 ÷ 160h）",
        "• *リモート*: フルリモート",
    ]
    assert "✓ 時給4,500円以上（¥5,000/h）" in text
    assert text.endswith(f"<{UNSUB}|この条件の通知を停止>")
    # platform text can neither ping the channel or a user nor smuggle a link
    assert "<!channel>" not in text and "<@U999>" not in text
    assert "<https://evil.example" not in text


async def test_line_request_as_apprise_would_send_it() -> None:
    rendered = render_alert(make_alert("PMO支援"), locale="ja", unsubscribe_url=UNSUB)
    with on_the_wire(return_value=response(200, b"{}")) as post:
        outcome = await send(
            line_url(LINE_TOKEN, LINE_USER),
            title=rendered.subject,  # LINE has no title: send() leaves it out
            body=rendered.line_text,
            body_format="text",
            timeout=5,
        )
    assert outcome.ok
    post.assert_called_once()
    (method, url), kwargs = post.call_args
    assert (method, url) == ("post", "https://api.line.me/v2/bot/message/push")
    assert kwargs["headers"] == {
        "User-Agent": "gigalert",
        "Content-Type": "application/json",
        "Authorization": f"Bearer {LINE_TOKEN}",
    }
    assert json.loads(kwargs["data"]) == {
        "to": LINE_USER,
        "messages": [{"type": "text", "text": rendered.line_text, "sender": {"name": "gigalert"}}],
    }


async def test_a_long_line_digest_goes_out_whole_within_the_limit() -> None:
    alerts = [make_alert(f"案件{i} " + "説明" * 60) for i in range(80)]
    rendered = render_digest(alerts, locale="ja", unsubscribe_url=UNSUB)
    with on_the_wire(return_value=response(200, b"{}")) as post:
        outcome = await send(
            line_url(LINE_TOKEN, LINE_USER),
            title=rendered.subject,
            body=rendered.line_text,
            body_format="text",
            timeout=5,
        )
    assert outcome.ok
    sent = json.loads(post.call_args.kwargs["data"])["messages"][0]["text"]
    assert sent == rendered.line_text
    assert len(sent.encode("utf-16-le")) // 2 <= 5000 and "…ほか" in sent


CASES = [
    # status, body, ok, permanent, rate_limited
    (200, b"ok", True, False, False),
    (400, b"invalid_payload", False, True, False),
    (403, b"invalid_token", False, True, False),
    (404, b"no_service", False, True, False),
    (410, b"channel_is_archived", False, True, False),
    (429, b"rate_limited", False, False, True),
    (500, b"oops", False, False, False),
    (502, b"bad gateway", False, False, False),
]


@pytest.mark.parametrize(("status", "body", "ok", "permanent", "rate_limited"), CASES)
async def test_slack_answers(
    status: int, body: bytes, ok: bool, permanent: bool, rate_limited: bool
) -> None:
    answer = response(status, body, {"Retry-After": "30"} if status == 429 else None)
    with on_the_wire(return_value=answer):
        outcome = await send(WEBHOOK, title="t", body="b", body_format="markdown", timeout=5)
    assert (outcome.ok, outcome.permanent, outcome.rate_limited) == (ok, permanent, rate_limited)
    assert outcome.http_status == (None if ok else status)
    assert outcome.retry_after == (30.0 if status == 429 else None)  # read from the answer
    if not ok:
        assert outcome.error is not None and outcome.error.startswith(f"HTTP {status}")
        assert "abcdefghijklmnop" not in outcome.error  # the webhook secret stays out


@pytest.mark.parametrize(
    ("status", "body", "ok", "permanent", "rate_limited"),
    [(200, b"{}", True, False, False), (401, b"{}", False, True, False), *CASES[2:]],
)
async def test_line_answers(
    status: int, body: bytes, ok: bool, permanent: bool, rate_limited: bool
) -> None:
    with on_the_wire(return_value=response(status, body)):
        outcome = await send(
            line_url(LINE_TOKEN, LINE_USER), title="", body="b", body_format="text", timeout=5
        )
    assert (outcome.ok, outcome.permanent, outcome.rate_limited) == (ok, permanent, rate_limited)
    assert outcome.http_status == (None if ok else status)
    if not ok:
        assert outcome.error is not None and LINE_TOKEN not in outcome.error


async def test_an_http_connection_error_is_transient() -> None:
    with on_the_wire(side_effect=requests.ConnectionError("refused")):
        outcome = await send(WEBHOOK, title="t", body="b", body_format="markdown", timeout=5)
    assert transient(outcome), outcome
    assert outcome.http_status is None
    assert outcome.error is not None and "refused" in outcome.error


async def test_each_send_is_unthrottled() -> None:
    """Apprise's per-instance pacing (1.2 s for Slack) must not slow a burst down."""
    with on_the_wire(return_value=response(200, b"ok")) as request:
        await send(WEBHOOK, title="warm-up", body="b", body_format="markdown", timeout=5)
        start = time.monotonic()
        outcomes = await asyncio.gather(
            *(
                send(WEBHOOK, title="t", body="b", body_format="markdown", timeout=5)
                for _ in range(5)
            )
        )
        elapsed = time.monotonic() - start
    assert all(o.ok for o in outcomes) and request.call_count == 6
    assert elapsed < 1.0  # one shared Apprise instance would pace them 1.2 s apart


async def test_a_webhook_plugin_is_loaded_once_and_lent_to_one_send_at_a_time() -> None:
    """The Slack plugin for a webhook is kept between sends (Apprise parses the URL once),
    but two sends in flight at once never share an instance, and every send still posts
    its own message."""
    import apprise
    from apprise.plugins.slack import NotifySlack

    in_use: set[int] = set()
    shared: list[int] = []

    async def answer(method: str, url: str, **kwargs: Any) -> Any:
        await asyncio.sleep(0.05)
        return response(200, b"ok")

    real_send = NotifySlack.send

    def tracked(self: Any, *args: Any, **kwargs: Any) -> Any:
        if id(self) in in_use:
            shared.append(id(self))
        in_use.add(id(self))
        try:
            return real_send(self, *args, **kwargs)  # type: ignore[no-untyped-call]
        finally:
            in_use.discard(id(self))

    webhook = WEBHOOK.replace("abcdefghijklmnop", uuid.uuid4().hex[:16])  # not kept yet
    with (
        on_the_wire(side_effect=answer) as request,
        mock.patch.object(NotifySlack, "send", tracked),
        mock.patch.object(
            apprise.Apprise, "instantiate", wraps=apprise.Apprise.instantiate
        ) as instantiate,
    ):
        first = await send(webhook, title="t0", body="b0", body_format="markdown", timeout=5)
        again = await send(webhook, title="t1", body="b1", body_format="markdown", timeout=5)
        assert instantiate.call_count == 1  # the second send reused the first one's plugin
        together = await asyncio.gather(
            *(
                send(webhook, title=f"t{i}", body=f"b{i}", body_format="markdown", timeout=5)
                for i in range(2, 5)
            )
        )
    assert first.ok and again.ok and all(o.ok for o in together)
    assert shared == []
    assert instantiate.call_count == 3  # one kept + two more for the sends that overlapped
    titles = sorted(
        json.loads(c.kwargs["data"])["attachments"][0]["title"] for c in request.call_args_list
    )
    assert titles == [f"t{i}" for i in range(5)]


async def test_a_plugin_whose_send_timed_out_is_not_reused() -> None:
    """A send cut off by the timeout is cancelled where it waits: its plugin is dropped,
    and the next send to the URL loads a fresh one."""
    import apprise

    release = asyncio.Event()

    async def stuck(method: str, url: str, **kwargs: Any) -> Any:
        await release.wait()
        return response(200, b"ok")

    webhook = WEBHOOK.replace("abcdefghijklmnop", uuid.uuid4().hex[:16])
    with mock.patch.object(
        apprise.Apprise, "instantiate", wraps=apprise.Apprise.instantiate
    ) as instantiate:
        with on_the_wire(side_effect=stuck):
            outcome = await send(webhook, title="t", body="b", body_format="markdown", timeout=0.3)
        assert transient(outcome) and "timed out" in (outcome.error or "")
        release.set()
        with on_the_wire(return_value=response(200, b"ok")):
            assert (await send(webhook, title="t", body="b", body_format="markdown", timeout=5)).ok
    assert instantiate.call_count == 2


# ------------------------------------------------------------------ kept SMTP sessions


class Counting:
    """Accepts every mail; counts connections and mails. ``closing_mails`` MAIL commands
    are answered 421 (the server is closing the session)."""

    def __init__(self) -> None:
        self.connections = 0
        self.mails: list[str] = []
        self.closing_mails = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        if getattr(session, "_counted", False) is False:
            session._counted = True
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.closing_mails:
            self.closing_mails -= 1
            return "421 4.3.2 Service shutting down"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.rcpt_tos[0])
        return "250 OK"


async def test_smtp_sessions_are_kept_renewed_and_replaced_when_dropped() -> None:
    """One SMTP session carries many mails; it is renewed after the per-connection limit;
    a kept session the server dropped (a restart) or is closing (421 to MAIL) is replaced and
    the mail still goes out, once."""
    sending.configure(smtp_sessions=1, smtp_max_messages=3)
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=port)

        async def mail(i: int) -> SendOutcome:
            url = email_url(f"u{i}@example.jp", smtp, delivery_id=f"d{i}", unsubscribe_url=None)
            return await send(url, title="t", body="<p>b</p>", body_format="html", timeout=10)

        assert all([(await mail(i)).ok for i in range(5)])
        assert handler.connections == 2  # 3 mails on the first session, then a new one
        # The server restarts: the kept session is gone.
        controller.stop()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        assert (await mail(5)).ok
        assert handler.connections == 3
        # The server answers MAIL on the kept session with 421: a fresh session sends it.
        handler.closing_mails = 1
        assert (await mail(6)).ok
        assert handler.connections == 4
        assert handler.mails == [f"u{i}@example.jp" for i in range(7)]
    finally:
        controller.stop()
        sending.configure()


# ------------------------------------------------------------------ the exchange, on a real wire


class KeptAliveServer:
    """HTTP/1.1 with keep-alive on a free local port: answers each request with the first of
    ``answers`` (status, body, headers), taken off while more follow; counts connections and
    requests."""

    def __init__(self, answers: list[tuple[int, bytes, dict[str, str]]]) -> None:
        self.answers = answers
        self.connections = 0
        self.bodies: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                request = await read_request(reader)
                self.bodies.append(request.body)
                status, body, headers = (
                    self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
                )
                extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                writer.write(
                    f"HTTP/1.1 {status} X\r\ncontent-length: {len(body)}\r\n{extra}\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_webhook_posts_share_one_kept_connection_and_answers_are_read() -> None:
    server = KeptAliveServer([(200, b"ok", {})])
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        url = f"json://127.0.0.1:{port}/hook"
        outcomes = [
            await send(url, title=f"t{i}", body=f"b{i}", body_format="text", timeout=5)
            for i in range(3)
        ]
        assert all(o.ok for o in outcomes), outcomes
        assert (server.connections, len(server.bodies)) == (1, 3)
        assert [json.loads(b)["title"] for b in server.bodies] == ["t0", "t1", "t2"]

        server.answers = [(429, b"slow down", {"Retry-After": "7"}), (503, b"busy", {})]
        limited = await send(url, title="t", body="b", body_format="text", timeout=5)
        down = await send(url, title="t", body="b", body_format="text", timeout=5)
        assert limited.rate_limited and limited.retry_after == 7.0, limited
        assert limited.http_status == 429 and "slow down" in (limited.error or "")
        assert transient(down) and down.http_status == 503 and "busy" in (down.error or "")
    finally:
        listener.close()
        await listener.wait_closed()


async def test_a_webhook_host_that_refuses_is_a_transient_connection_error() -> None:
    url = f"json://127.0.0.1:{free_port()}/hook"
    outcome = await send(url, title="t", body="b", body_format="text", timeout=5)
    assert transient(outcome) and outcome.http_status is None, outcome
    assert (outcome.error or "").startswith("connection error: ConnectionError"), outcome
