"""Accounts: found or made by a used login link; the login address is a proven email channel
(the login proved it), with its consent record."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from gigalert_shared.db import Conn
from gigalert_web.i18n import Lang
from gigalert_web.repository import accounts, channels


def name_from_email(email: str) -> str:
    return (email.split("@", 1)[0] or "freelancer")[:100]


async def find_or_create(conn: Conn, *, email: str, lang: Lang, ip: str) -> UUID:
    """The account of ``email``; a new one (with its address as a proven channel) when there
    is none. Concurrent first logins of one address make one account."""
    found = await accounts.by_email(conn, email=email)
    if found is not None:
        await _prove_login_address(conn, found.id, email, ip)
        return found.id
    try:
        async with conn.transaction():
            created = await accounts.insert(
                conn,
                display_name=name_from_email(email),
                locale=lang,
                timezone="Asia/Tokyo",
                email=email,
            )
            await _prove_login_address(conn, created.id, email, ip)
            return created.id
    except asyncpg.UniqueViolationError:
        again = await accounts.by_email(conn, email=email)
        assert again is not None
        return again.id


async def _prove_login_address(conn: Conn, freelancer_id: UUID, email: str, ip: str) -> None:
    found = await channels.find_email(conn, freelancer_id=freelancer_id, address=email)
    if found is None:
        await channels.insert_proven_email(conn, freelancer_id=freelancer_id, address=email, ip=ip)
    elif found.verified_at is None:
        try:
            async with conn.transaction():
                await channels.confirm_email(
                    conn, channel_id=found.id, freelancer_id=freelancer_id, ip=ip
                )
        except asyncpg.UniqueViolationError:
            pass  # proven by another account first: stays unproven here
