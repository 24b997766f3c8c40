"""Channels: listed with the searches that use each (or only their ids, or as a search
form's choices), added, proven, paused, removed; LINE channels linked by code and followed
by their users' follow and unfollow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from gigalert_shared.db import Db
from gigalert_web.repository.base import q, row_as

Status = Literal["pending", "active", "paused", "disabled"]


@dataclass(frozen=True, slots=True)
class Channel:
    id: UUID
    kind: str
    target: str | None
    active: bool
    paused: bool
    verified_at: datetime | None
    consecutive_failures: int
    disabled_reason: str | None
    last_error: str | None
    last_error_at: datetime | None
    created_at: datetime
    link_code_expires_at: datetime | None
    used_by: list[str]

    @property
    def status(self) -> Status:
        if self.verified_at is None:
            return "pending"
        if not self.active:
            return "disabled"
        return "paused" if self.paused else "active"


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    """A channel as a search form offers it."""

    id: UUID
    kind: str
    target: str | None


@dataclass(frozen=True, slots=True)
class EmailChannel:
    id: UUID
    verified_at: datetime | None


async def list_for(db: Db, *, freelancer_id: UUID) -> list[Channel]:
    return [row_as(Channel, r) for r in await db.fetch(q("channels"), freelancer_id, None)]


async def ids_of(db: Db, *, freelancer_id: UUID) -> set[UUID]:
    return {r["id"] for r in await db.fetch(q("channel_ids"), freelancer_id)}


async def choices_for(db: Db, *, freelancer_id: UUID) -> list[ChannelChoice]:
    return [row_as(ChannelChoice, r) for r in await db.fetch(q("channel_choices"), freelancer_id)]


async def get(db: Db, *, channel_id: UUID, freelancer_id: UUID) -> Channel | None:
    row = await db.fetchrow(q("channels"), freelancer_id, channel_id)
    return None if row is None else row_as(Channel, row)


async def count(db: Db, *, freelancer_id: UUID) -> int:
    found: int = await db.fetchval(q("count_channels"), freelancer_id)
    return found


async def insert(
    db: Db,
    *,
    freelancer_id: UUID,
    kind: str,
    target: str | None = None,
    secret: bytes | None = None,
    verified_at: datetime | None = None,
    link_code_hash: bytes | None = None,
    link_code_expires_at: datetime | None = None,
) -> UUID:
    channel_id: UUID = await db.fetchval(
        q("insert_channel"),
        freelancer_id,
        kind,
        target,
        secret,
        verified_at,
        None,  # verified_ip: only a confirmation link records one
        link_code_hash,
        link_code_expires_at,
    )
    return channel_id


async def find_email(db: Db, *, freelancer_id: UUID, address: str) -> EmailChannel | None:
    row = await db.fetchrow(q("find_email_channel"), freelancer_id, address)
    return None if row is None else row_as(EmailChannel, row)


async def confirm_email(db: Db, *, channel_id: UUID, freelancer_id: UUID, ip: str) -> bool:
    """Prove a pending address; raises UniqueViolationError when another account proved it
    first."""
    done = await db.fetchval(q("confirm_email_channel"), channel_id, freelancer_id, ip)
    return done is not None


async def insert_proven_email(db: Db, *, freelancer_id: UUID, address: str, ip: str) -> None:
    """The login address, proven by the login (nothing when another account proved it)."""
    await db.execute(q("insert_proven_email"), freelancer_id, address, ip)


async def set_paused(db: Db, *, channel_id: UUID, freelancer_id: UUID, paused: bool) -> bool:
    found = await db.fetchval(q("set_channel_paused"), channel_id, freelancer_id, paused)
    return found is not None


async def enable(db: Db, *, channel_id: UUID, freelancer_id: UUID) -> bool:
    return await db.fetchval(q("enable_channel"), channel_id, freelancer_id) is not None


async def delete(db: Db, *, channel_id: UUID, freelancer_id: UUID) -> bool:
    return await db.fetchval(q("delete_channel"), channel_id, freelancer_id) is not None


async def pending_line(db: Db, *, freelancer_id: UUID) -> UUID | None:
    found: UUID | None = await db.fetchval(q("pending_line_channel"), freelancer_id)
    return found


async def renew_link_code(
    db: Db, *, channel_id: UUID, freelancer_id: UUID, code_hash: bytes, seconds: float
) -> bool:
    done = await db.fetchval(q("renew_link_code"), channel_id, freelancer_id, code_hash, seconds)
    return done is not None


async def link_line_user(db: Db, *, code_hash: bytes, user_id: str) -> UUID | None:
    """The pending LINE channel the code names, now linked to ``user_id``; raises
    UniqueViolationError when that user is linked elsewhere."""
    row = await db.fetchrow(q("link_line_user"), code_hash, user_id)
    channel_id: UUID | None = None if row is None else row["id"]
    return channel_id


async def line_unfollowed(db: Db, *, user_id: str) -> int:
    return len(await db.fetch(q("line_unfollowed"), user_id))


async def line_followed_again(db: Db, *, user_id: str) -> int:
    return len(await db.fetch(q("line_followed_again"), user_id))
