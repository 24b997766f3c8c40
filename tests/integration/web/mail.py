"""Reading the local SMTP sink's Maildir: the mails one address received, and the links in
them."""

from __future__ import annotations

import asyncio
import mailbox
import re
import time
from email.header import decode_header, make_header
from pathlib import Path

_LINK = re.compile(r"https?://[^\s<>\"]+")


def _text(message: mailbox.MaildirMessage) -> str:
    out = []
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                out.append(raw.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(out)


def subject(message: mailbox.MaildirMessage) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


def mails_to(maildir: Path, address: str) -> list[mailbox.MaildirMessage]:
    box = mailbox.Maildir(maildir, create=False)
    found = [m for m in box if address.lower() in str(m.get("To", "")).lower()]
    return sorted(found, key=lambda m: m.get_date())


async def wait_for_mails(
    maildir: Path, address: str, count: int = 1, timeout: float = 20.0
) -> list[mailbox.MaildirMessage]:
    deadline = time.monotonic() + timeout
    while True:
        found = mails_to(maildir, address)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def latest_link(maildir: Path, address: str, path: str, count: int = 1) -> str:
    """The last link containing ``path`` in the ``count``-th mail to ``address``."""
    found = await wait_for_mails(maildir, address, count)
    assert len(found) >= count, f"no mail #{count} to {address}"
    links = [u for u in _LINK.findall(_text(found[count - 1])) if path in u]
    assert links, f"no {path} link in the mail to {address}"
    link: str = links[-1]
    return link


def body_of(message: mailbox.MaildirMessage) -> str:
    return _text(message)
