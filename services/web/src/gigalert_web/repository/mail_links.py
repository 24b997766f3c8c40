"""One-time mailed links, stored hashed: made, peeked at, used once, counted per address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from gigalert_shared.db import Db
from gigalert_web.repository.base import q, row_as

Purpose = Literal["login", "confirm_email", "delete_account"]


@dataclass(frozen=True, slots=True)
class LinkUse:
    purpose: Purpose
    email: str
    freelancer_id: UUID | None
    channel_id: UUID | None


async def recent_count(db: Db, *, email: str, seconds: float) -> int:
    """Mails sent to ``email`` (any purpose) in the last ``seconds``."""
    found: int = await db.fetchval(q("count_login_mails"), email, seconds)
    return found


async def insert(
    db: Db,
    *,
    token_hash: bytes,
    purpose: Purpose,
    email: str,
    freelancer_id: UUID | None,
    channel_id: UUID | None,
    ip: str,
    seconds: float,
) -> None:
    await db.execute(
        q("insert_mail_link"), token_hash, purpose, email, freelancer_id, channel_id, ip, seconds
    )


async def peek(db: Db, *, token_hash: bytes) -> LinkUse | None:
    row = await db.fetchrow(q("peek_mail_link"), token_hash)
    return None if row is None else row_as(LinkUse, row)


async def use(db: Db, *, token_hash: bytes, purpose: Purpose) -> LinkUse | None:
    """The link, marked used; None when unknown, expired or used already."""
    row = await db.fetchrow(q("use_mail_link"), token_hash, purpose)
    return None if row is None else row_as(LinkUse, row)
