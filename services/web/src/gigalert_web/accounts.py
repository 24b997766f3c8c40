"""Accounts: found or made by a used login link; the login address is a proven email channel
(the login proved it), with its consent record."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from gigalert_shared.db import Conn
from gigalert_web.i18n import Lang
from gigalert_web.repository import q


def name_from_email(email: str) -> str:
    return (email.split("@", 1)[0] or "freelancer")[:100]


async def find_or_create(conn: Conn, *, email: str, lang: Lang, ip: str) -> UUID:
    """The account of ``email``; a new one (with its address as a proven channel) when there
    is none. Concurrent first logins of one address make one account."""
    row = await conn.fetchrow(q("freelancer_by_email"), email)
    if row is not None:
        freelancer_id: UUID = row["id"]
        await _prove_login_address(conn, freelancer_id, email, ip)
        return freelancer_id
    try:
        async with conn.transaction():
            created = await conn.fetchrow(
                q("insert_freelancer"), name_from_email(email), lang, "Asia/Tokyo", email
            )
            assert created is not None
            freelancer_id = created["id"]
            await _prove_login_address(conn, freelancer_id, email, ip)
            return freelancer_id
    except asyncpg.UniqueViolationError:
        again = await conn.fetchrow(q("freelancer_by_email"), email)
        assert again is not None
        return UUID(str(again["id"]))


async def _prove_login_address(conn: Conn, freelancer_id: UUID, email: str, ip: str) -> None:
    found = await conn.fetchrow(q("find_email_channel"), freelancer_id, email)
    if found is None:
        await conn.execute(q("insert_proven_email"), freelancer_id, email, ip)
    elif found["verified_at"] is None:
        try:
            async with conn.transaction():
                await conn.execute(q("confirm_email_channel"), found["id"], freelancer_id, ip)
        except asyncpg.UniqueViolationError:
            pass  # proven by another account first: stays unproven here
