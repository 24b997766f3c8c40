"""Server-side sessions in Postgres: the cookie holds a random id, the table its hash. A
new id at every login (no fixation); logging out deletes the row; "everywhere" deletes all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

import asyncpg
from fastapi import Request, Response

from gigalert_shared.db import Conn
from gigalert_shared.settings import WebSettings
from gigalert_web.repository import q
from gigalert_web.tokens import digest, new_secret

COOKIE: Final = "gigalert_session"
SECURE_COOKIE: Final = "__Host-gigalert_session"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in freelancer behind this request."""

    id: UUID
    display_name: str
    locale: str
    timezone: str
    email: str | None
    csrf_token: str
    session_hash: bytes


def is_https(web: WebSettings) -> bool:
    return web.public_base_url.startswith("https://")


def cookie_name(web: WebSettings) -> str:
    return SECURE_COOKIE if is_https(web) else COOKIE


def session_id_of(request: Request, web: WebSettings) -> str | None:
    value = request.cookies.get(cookie_name(web))
    return value if value and len(value) <= 100 else None


async def load_viewer(pool: asyncpg.Pool, session_id: str) -> Viewer | None:
    hashed = digest(session_id)
    row = await pool.fetchrow(q("session_by_hash"), hashed)
    if row is None:
        return None
    return Viewer(
        id=row["freelancer_id"],
        display_name=row["display_name"],
        locale=row["locale"],
        timezone=row["timezone"],
        email=row["email"],
        csrf_token=row["csrf_token"],
        session_hash=hashed,
    )


async def start_session(
    conn: asyncpg.Pool | Conn,
    response: Response,
    web: WebSettings,
    *,
    freelancer_id: UUID,
    user_agent: str | None,
    ip: str | None,
    old_session_id: str | None,
) -> None:
    """A fresh session id (any session the browser had is ended first)."""
    if old_session_id:
        await conn.execute(q("delete_session"), digest(old_session_id))
    session_id = new_secret()
    await conn.execute(
        q("insert_session"),
        digest(session_id),
        freelancer_id,
        new_secret(),
        web.session_days,
        (user_agent or "")[:300],
        ip,
    )
    response.set_cookie(
        cookie_name(web),
        session_id,
        max_age=web.session_days * 86400,
        path="/",
        secure=is_https(web),
        httponly=True,
        samesite="lax",
    )
    response.headers["Cache-Control"] = "no-store"


def end_session_cookie(response: Response, web: WebSettings) -> None:
    response.delete_cookie(
        cookie_name(web), path="/", secure=is_https(web), httponly=True, samesite="lax"
    )
