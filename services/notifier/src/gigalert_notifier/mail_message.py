"""One alert mail as RFC 5322 bytes: multipart/alternative, our own text and HTML parts.

Apprise's builder (``NotifyEmail.prepare_emails``) goes through the ``email`` package and
converts the HTML into the text part; that was two thirds of a mail's CPU. The renderer
already writes both forms, so the message is assembled here from strings: headers that are
not plain ASCII become RFC 2047 encoded words, each body is UTF-8 in base64 (all C code).
Pure: no clock, no randomness, no I/O (the caller passes the date and the unique parts).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["HeaderInjection", "MailParts", "build_message", "encode_header_value"]

_WORD_BYTES = 45  # UTF-8 bytes per encoded word: base64 of 45 bytes is 60 characters,
# and "=?utf-8?b?" + 60 + "?=" is 72, within RFC 2047's 75
_PLAIN_MAX = 900  # a header line may hold 998 characters (RFC 5322 2.1.1)


class HeaderInjection(ValueError):
    """A header name or value that would end the header (CR, LF or NUL)."""


@dataclass(frozen=True, slots=True)
class MailParts:
    sender: str  # a plain address
    sender_name: str
    recipient: str  # a plain address
    subject: str
    text: str
    html: str
    headers: Mapping[str, str]  # extra headers, e.g. List-Unsubscribe
    message_id: str  # "<unique@host>"
    date: str  # RFC 5322 date, e.g. email.utils.format_datetime(now)
    boundary: str  # unique, not found in either body's base64 (it cannot be: see below)


def _check(value: str) -> None:
    if "\r" in value or "\n" in value or "\0" in value:
        raise HeaderInjection(f"line break in a header: {value[:40]!r}")


def _encoded_words(value: str) -> list[str]:
    """``value`` as B-encoded words, split between characters, never inside one."""
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for char in value:
        n = len(char.encode("utf-8"))
        if size + n > _WORD_BYTES:
            words.append(_word("".join(chunk)))
            chunk, size = [], 0
        chunk.append(char)
        size += n
    if chunk:
        words.append(_word("".join(chunk)))
    return words


def _word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def encode_header_value(value: str) -> str:
    """A header value as it goes on the wire: as is when it is printable ASCII without ``=?``
    (which a reader would try to decode), else encoded words folded one per line."""
    _check(value)
    if value.isascii() and value.isprintable() and len(value) <= _PLAIN_MAX and "=?" not in value:
        return value
    return "\r\n ".join(_encoded_words(value))


@lru_cache(maxsize=64)
def _mailbox(name: str, address: str) -> str:
    _check(name)
    _check(address)
    if not name:
        return address
    if name.isascii() and name.isprintable() and not any(c in name for c in '"\\()<>@,;:.[]'):
        return f"{name} <{address}>"
    return f"{encode_header_value(name)} <{address}>"


def _body(text: str) -> str:
    # encodebytes wraps at 76 characters with "\n"; SMTP wants CRLF.
    return base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def build_message(parts: MailParts) -> bytes:
    """The whole message, CRLF line ends, ASCII only (7bit-safe for any SMTP server).

    The boundary cannot occur in a base64 body: base64 has no ``=`` except as padding at the
    end, and the boundary starts with ``=_``."""
    if not parts.boundary.startswith("=_"):
        raise ValueError("the boundary must start with '=_'")
    subject = " ".join(parts.subject.split())  # one header line (RFC 5322 2.2.3)
    lines = [
        f"From: {_mailbox(parts.sender_name, parts.sender)}",
        f"To: {_mailbox('', parts.recipient)}",
        f"Subject: {encode_header_value(subject)}",
        f"Date: {parts.date}",
        f"Message-ID: {parts.message_id}",
        "MIME-Version: 1.0",
    ]
    for name, value in parts.headers.items():
        if not name.isascii() or not name.replace("-", "").isalnum():
            raise HeaderInjection(f"not a header name: {name[:40]!r}")
        lines.append(f"{name}: {encode_header_value(value)}")
    boundary = parts.boundary
    lines += [
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        _body(parts.text),
        f"--{boundary}",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        _body(parts.html),
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")
