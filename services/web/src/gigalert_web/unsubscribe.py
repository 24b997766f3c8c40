"""One-click unsubscribe. The link in each alert mail is signed over the alert's id; a POST
(RFC 8058, or the page's button) pauses the searches the alert matched, once: the link then
stops working, and the page offers an undo. A GET changes nothing (mail scanners prefetch
links): it shows the button."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

import asyncpg

from gigalert_shared.crypto import Signer
from gigalert_web.repository import q


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


def alert_of(signer: Signer, token: str) -> UUID | None:
    value = signer.verify(token) if len(token) < 200 else None
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


async def look(pool: asyncpg.Pool, signer: Signer, token: str) -> Result:
    alert_id = alert_of(signer, token)
    alert = await pool.fetchrow(q("alert_for_unsubscribe"), alert_id) if alert_id else None
    if alert is None:
        return Result(Outcome.INVALID, [])
    if await pool.fetchrow(q("unsubscribe_use"), alert_id) is not None:
        return Result(Outcome.USED, [])
    names = await pool.fetch(q("subscription_names"), alert["subscription_ids"])
    return Result(Outcome.ASK, [r["name"] for r in names])


async def pause(pool: asyncpg.Pool, signer: Signer, token: str) -> Result:
    alert_id = alert_of(signer, token)
    if alert_id is None:
        return Result(Outcome.INVALID, [])
    async with pool.acquire() as conn, conn.transaction():
        alert = await conn.fetchrow(q("alert_for_unsubscribe"), alert_id)
        if alert is None:
            return Result(Outcome.INVALID, [])
        if await conn.fetchval(q("use_unsubscribe"), alert_id, alert["freelancer_id"]) is None:
            return Result(Outcome.USED, [])
        paused = await conn.fetch(
            q("pause_for_unsubscribe"), alert["subscription_ids"], alert["freelancer_id"]
        )
        await conn.execute(q("record_unsubscribe"), alert_id, [r["id"] for r in paused])
        return Result(Outcome.PAUSED, [r["name"] for r in paused])


async def undo(pool: asyncpg.Pool, signer: Signer, token: str) -> Result:
    alert_id = alert_of(signer, token)
    if alert_id is None:
        return Result(Outcome.INVALID, [])
    async with pool.acquire() as conn, conn.transaction():
        use = await conn.fetchrow(q("undo_unsubscribe"), alert_id)
        if use is None:
            return Result(Outcome.INVALID, [])
        resumed = await conn.fetch(
            q("resume_subscriptions"), use["subscription_ids"], use["freelancer_id"]
        )
        return Result(Outcome.UNDONE, [r["name"] for r in resumed])
