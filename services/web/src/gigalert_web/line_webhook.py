"""The LINE official account's webhook. Every request is checked against X-Line-Signature
(HMAC-SHA256 of the raw body with the channel secret): without a valid one nothing is read.

The flow is "follow, then send the code": the page shows a one-time code; the user adds the
official account and sends the code; the message event carries their userId, which links
the pending channel. (LINE's account-link flow needs a link token fetched from LINE's API
per user and a login page on our side for LINE to redirect to; the code flow needs no
outbound call, works from the LINE app alone, and nobody ever sees a userId.)"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

import asyncpg

from gigalert_shared.channel_rules import check_line_id
from gigalert_shared.db import Db
from gigalert_shared.settings import WebSettings
from gigalert_web.repository import channels, rate_limits
from gigalert_web.tokens import code_digest, normalise_code

log = logging.getLogger(__name__)
MAX_BODY = 256_000


def _is_line_user(user_id: str) -> bool:
    """Only what the notifier can send to is ever stored as a channel's target."""
    try:
        check_line_id(user_id)
    except ValueError:
        return False
    return True


def signature_ok(body: bytes, signature: str | None, secret: str) -> bool:
    if not signature or not secret:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.encode("latin-1", "replace"))


@dataclass(frozen=True, slots=True)
class LineEvent:
    kind: str  # follow, unfollow, message
    user_id: str
    text: str | None


def parse_events(body: bytes) -> list[LineEvent]:
    """The events we act on; anything else (groups, stickers, unknown shapes) is skipped."""
    try:
        doc = json.loads(body)
    except ValueError:
        return []
    events: list[LineEvent] = []
    raw = doc.get("events") if isinstance(doc, dict) else None
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        source: Any = item.get("source")
        if not isinstance(source, dict) or source.get("type") != "user":
            continue
        user_id = source.get("userId")
        if not isinstance(user_id, str) or not _is_line_user(user_id):
            continue
        kind = item.get("type")
        message: Any = item.get("message")
        if kind == "message" and isinstance(message, dict) and message.get("type") == "text":
            words = message.get("text")
            events.append(LineEvent("message", user_id, words if isinstance(words, str) else ""))
        elif kind in ("follow", "unfollow"):
            events.append(LineEvent(str(kind), user_id, None))
    return events


async def handle(db: Db, web: WebSettings, key: str, event: LineEvent) -> str:
    """Act on one event; returns what happened (for logs and tests). A code is refused
    once its sender sent ``link_code_attempts_hour`` wrong ones in the hour: the bucket is
    counted once, and a wrong code recorded in it."""
    if event.kind == "unfollow":
        return f"disabled {await channels.line_unfollowed(db, user_id=event.user_id)}"
    if event.kind == "follow":
        return f"enabled {await channels.line_followed_again(db, user_id=event.user_id)}"
    code = normalise_code(event.text or "")
    if code is None:
        return "ignored"
    bucket = f"line-code:{event.user_id}"
    if await rate_limits.count(db, bucket, window_seconds=3600) >= web.link_code_attempts_hour:
        return "rate limited"
    try:
        linked = await channels.link_line_user(
            db, code_hash=code_digest(code, key), user_id=event.user_id
        )
    except asyncpg.UniqueViolationError:
        return "already linked elsewhere"
    if linked is None:
        await rate_limits.record(db, bucket)  # counted above: only wrong codes are recorded
        return "wrong code"
    log.info("LINE channel linked", extra={"channel_id": str(linked)})
    return "linked"
