"""Freelancer accounts: found by address or id, made, changed, exported, deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from gigalert_shared.db import Conn, Db
from gigalert_web.repository.base import q, row_as


@dataclass(frozen=True, slots=True)
class Account:
    """Who is asking: a session's or an API token's freelancer."""

    id: UUID
    display_name: str
    locale: str
    timezone: str
    email: str | None


@dataclass(frozen=True, slots=True)
class Profile(Account):
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SetupProgress:
    """How far an account is set up: a proven channel, a saved search."""

    has_channel: bool
    has_search: bool


async def by_email(db: Db, *, email: str) -> Account | None:
    row = await db.fetchrow(q("freelancer_by_email"), email)
    return None if row is None else row_as(Account, row)


async def by_id(db: Db, *, freelancer_id: UUID) -> Profile | None:
    row = await db.fetchrow(q("freelancer_by_id"), freelancer_id)
    return None if row is None else row_as(Profile, row)


async def setup_progress(db: Db, *, freelancer_id: UUID) -> SetupProgress:
    row = await db.fetchrow(q("setup_progress"), freelancer_id)
    assert row is not None
    return row_as(SetupProgress, row)


async def insert(
    db: Db, *, display_name: str, locale: str, timezone: str, email: str | None
) -> Profile:
    row = await db.fetchrow(q("insert_freelancer"), display_name, locale, timezone, email)
    assert row is not None
    return row_as(Profile, row)


async def update(
    db: Db, *, freelancer_id: UUID, display_name: str, locale: str, timezone: str
) -> None:
    await db.execute(q("update_freelancer"), freelancer_id, display_name, locale, timezone)


async def export(db: Db, *, freelancer_id: UUID) -> dict[str, object]:
    """Everything stored about the account, secrets left out (one JSON document)."""
    data: dict[str, object] = await db.fetchval(q("export_account"), freelancer_id)
    return data


async def delete(conn: Conn, *, freelancer_id: UUID, email: str) -> None:
    """The account and its personal data; its pending deliveries are cancelled first (run
    in the caller's transaction)."""
    await conn.execute(q("cancel_pending_deliveries"), freelancer_id)
    await conn.execute(q("delete_freelancer"), freelancer_id)
    await conn.execute(q("forget_mail_links"), freelancer_id, email)
