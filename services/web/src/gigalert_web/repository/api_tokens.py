"""API tokens: stored hashed, listed by their prefix, revoked, looked up by hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from gigalert_shared.db import Db
from gigalert_web.repository.accounts import Account
from gigalert_web.repository.base import q, row_as
from gigalert_web.tokens import API_TOKEN_PREFIX


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: UUID
    label: str
    token_prefix: str
    created_at: datetime
    last_used_at: datetime | None


async def insert(db: Db, *, freelancer_id: UUID, label: str, token_hash: bytes) -> ApiToken:
    row = await db.fetchrow(
        q("insert_api_token"), freelancer_id, label, token_hash, API_TOKEN_PREFIX
    )
    assert row is not None
    return row_as(ApiToken, row)


async def list_for(db: Db, *, freelancer_id: UUID) -> list[ApiToken]:
    return [row_as(ApiToken, r) for r in await db.fetch(q("list_api_tokens"), freelancer_id)]


async def revoke(db: Db, *, token_id: UUID, freelancer_id: UUID) -> bool:
    return await db.fetchval(q("revoke_api_token"), token_id, freelancer_id) is not None


async def owner(db: Db, *, token_hash: bytes) -> Account | None:
    """The account of an unrevoked token (its last use noted, at most once a minute)."""
    row = await db.fetchrow(q("freelancer_by_api_token"), token_hash)
    return None if row is None else row_as(Account, row)
