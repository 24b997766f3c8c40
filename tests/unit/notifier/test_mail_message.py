"""The alert mail assembled from strings reads back, through the stdlib's strict parser, as
exactly the parts it was given: headers, subject, both bodies."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigalert_notifier.mail_message import (
    HeaderInjection,
    MailParts,
    build_message,
    encode_header_value,
)

UNSUBSCRIBE = "https://gigalert.example/v1/unsubscribe/" + "a" * 120


def parts(**changes: object) -> MailParts:
    base: dict[str, object] = {
        "sender": "alerts@gigalert.example",
        "sender_name": "gigalert 案件通知",
        "recipient": "taro@example.jp",
        "subject": "【時給5,000円】PMO支援（週2日・フルリモート）: 要件定義から運用まで",
        "text": "PMO支援\n時給 5,000円\n\n配信停止: " + UNSUBSCRIBE + "\n",
        "html": "<p>PMO支援 &amp; 広報</p><p><a href='" + UNSUBSCRIBE + "'>配信停止</a></p>",
        "headers": {
            "X-Application": "gigalert",
            "X-Gigalert-Delivery-Id": "0b7c6f2e-4a59-4d39-9d55-3f1b2f0f7d11",
            "List-Unsubscribe": f"<{UNSUBSCRIBE}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        "message_id": "<5b0f3c1e9a6d4f7e8c2b1a0d9e8f7a6b@gigalert.example>",
        "date": "Wed, 02 Dec 2026 20:00:00 +0900",
        "boundary": "=_5b0f3c1e9a6d4f7e8c2b1a0d9e8f7a6b",
    }
    base.update(changes)
    return MailParts(**base)  # type: ignore[arg-type]


def read(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.strict)
    assert isinstance(message, EmailMessage)
    return message


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def test_reads_back_as_given() -> None:
    p = parts()
    raw = build_message(p)
    message = read(raw)
    assert message["Subject"] == p.subject
    assert message["From"].addresses[0].display_name == "gigalert 案件通知"
    assert message["From"].addresses[0].addr_spec == "alerts@gigalert.example"
    assert message["To"] == "taro@example.jp"
    assert message["Message-ID"] == p.message_id
    assert message["Date"].datetime.isoformat() == "2026-12-02T20:00:00+09:00"
    for name, value in p.headers.items():
        assert message[name] == value
    assert message.get_content_type() == "multipart/alternative"
    assert bodies(message) == (p.text, p.html)


def test_wire_form_is_ascii_with_short_crlf_lines() -> None:
    raw = build_message(parts())
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    head = raw.split(b"\r\n\r\n", 1)[0]
    # the long unsubscribe URL is one plain line, never an encoded word
    assert f"List-Unsubscribe: <{UNSUBSCRIBE}>".encode() in head.split(b"\r\n")


def test_subject_whitespace_collapses_to_one_line() -> None:
    message = read(build_message(parts(subject="  PMO\n支援\t 週2日  ")))
    assert message["Subject"] == "PMO 支援 週2日"


def test_encoded_words_never_split_a_character() -> None:
    subject = "🙂あ" * 40  # 4- and 3-byte characters across every word boundary
    value = encode_header_value(subject)
    for word in value.split("\r\n "):
        assert word.startswith("=?utf-8?b?") and word.endswith("?=")
        assert len(word) <= 75
    assert read(build_message(parts(subject=subject)))["Subject"] == subject


def test_ascii_that_looks_encoded_is_encoded() -> None:
    tricky = "=?utf-8?b?SGVsbG8=?= not a word"
    assert encode_header_value(tricky) != tricky
    assert read(build_message(parts(subject=tricky)))["Subject"] == tricky


@pytest.mark.parametrize(
    "change",
    [
        {"headers": {"X-Evil": "a\r\nBcc: victim@example.com"}},
        {"headers": {"X-Evil\r\nBcc": "x"}},
        {"headers": {"X Evil": "x"}},
        {"recipient": "taro@example.jp\r\nBcc: victim@example.com"},
        {"sender_name": "gigalert\nBcc: victim@example.com"},
    ],
)
def test_header_injection_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(HeaderInjection):
        build_message(parts(**change))


def test_boundary_must_not_be_able_to_occur_in_base64() -> None:
    with pytest.raises(ValueError, match="boundary"):
        build_message(parts(boundary="abc"))


@given(
    subject=st.text(min_size=1, max_size=300).filter(lambda s: " ".join(s.split()) != ""),
    text=st.text(max_size=2000),
    html=st.text(max_size=2000),
)
def test_any_unicode_reads_back(subject: str, text: str, html: str) -> None:
    clean = "".join(c for c in subject if c not in "\r\n\0")
    if not " ".join(clean.split()):
        return
    message = read(build_message(parts(subject=clean, text=text, html=html)))
    assert message["Subject"] == " ".join(clean.split())
    assert bodies(message) == (text, html)
