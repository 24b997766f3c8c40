"""One-click unsubscribe. The link in each alert mail is signed over the alert's id; a POST
(RFC 8058, or the page's button) pauses the searches the alert matched, once: the link then
stops working, and the page offers an undo. A GET changes nothing (mail scanners prefetch
links): it shows the button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

import asyncpg

from gigalert_shared.crypto import Signer
from gigalert_shared.db import Conn
from gigalert_web.repository import unsubscribe as stored


class Outcome(StrEnum):
    ASK = "ask"
    PAUSED = "paused"
    USED = "used"
    UNDONE = "undone"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    names: list[str]


INVALID = Result(Outcome.INVALID, [])


def alert_of(signer: Signer, token: str) -> UUID | None:
    value = signer.verify(token) if len(token) < 200 else None
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


async def look(pool: asyncpg.Pool, signer: Signer, token: str) -> Result:
    alert_id = alert_of(signer, token)
    alert = await stored.alert(pool, alert_id=alert_id) if alert_id else None
    if alert_id is None or alert is None:
        return INVALID
    if await stored.used(pool, alert_id=alert_id):
        return Result(Outcome.USED, [])
    names = await stored.search_names(pool, subscription_ids=alert.subscription_ids)
    return Result(Outcome.ASK, names)


async def _in_transaction(
    pool: asyncpg.Pool, signer: Signer, token: str, step: Callable[[Conn, UUID], Awaitable[Result]]
) -> Result:
    alert_id = alert_of(signer, token)
    if alert_id is None:
        return INVALID
    async with pool.acquire() as conn, conn.transaction():
        return await step(conn, alert_id)


async def _pause(conn: Conn, alert_id: UUID) -> Result:
    alert = await stored.alert(conn, alert_id=alert_id)
    if alert is None:
        return INVALID
    paused = await stored.pause(conn, alert_id=alert_id, of=alert)
    return Result(Outcome.USED, []) if paused is None else Result(Outcome.PAUSED, paused)


async def _undo(conn: Conn, alert_id: UUID) -> Result:
    resumed = await stored.undo(conn, alert_id=alert_id)
    return INVALID if resumed is None else Result(Outcome.UNDONE, resumed)


async def pause(pool: asyncpg.Pool, signer: Signer, token: str) -> Result:
    return await _in_transaction(pool, signer, token, _pause)


async def undo(pool: asyncpg.Pool, signer: Signer, token: str) -> Result:
    return await _in_transaction(pool, signer, token, _undo)
