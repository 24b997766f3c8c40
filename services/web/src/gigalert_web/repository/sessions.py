"""Server-side sessions: stored by the hash of their id."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from gigalert_shared.db import Db
from gigalert_web.repository.accounts import Account
from gigalert_web.repository.base import q, row_as


@dataclass(frozen=True, slots=True)
class Session:
    account: Account
    csrf_token: str


async def by_hash(db: Db, *, id_hash: bytes) -> Session | None:
    """The unexpired session and its account (one query)."""
    row = await db.fetchrow(q("session_by_hash"), id_hash)
    return None if row is None else Session(row_as(Account, row), row["csrf_token"])


async def insert(
    db: Db,
    *,
    id_hash: bytes,
    freelancer_id: UUID,
    csrf_token: str,
    days: int,
    user_agent: str,
    ip: str | None,
) -> None:
    await db.execute(q("insert_session"), id_hash, freelancer_id, csrf_token, days, user_agent, ip)


async def delete(db: Db, *, id_hash: bytes) -> None:
    await db.execute(q("delete_session"), id_hash)


async def delete_all(db: Db, *, freelancer_id: UUID) -> None:
    await db.execute(q("delete_all_sessions"), freelancer_id)
