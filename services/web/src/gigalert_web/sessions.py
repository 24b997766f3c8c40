"""Server-side sessions in Postgres: the cookie holds a random id, the table its hash. A
new id at every login (no fixation); logging out deletes the row; "everywhere" deletes all."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final
from uuid import UUID

from fastapi import Request, Response

from gigalert_shared.db import Db
from gigalert_shared.settings import WebSettings
from gigalert_web.repository import sessions
from gigalert_web.repository.accounts import Account
from gigalert_web.tokens import digest, new_secret

COOKIE: Final = "gigalert_session"
SECURE_COOKIE: Final = "__Host-gigalert_session"


@dataclass(frozen=True, slots=True)
class Viewer(Account):
    """The signed-in freelancer behind this request (an API token's has no CSRF token and
    no session)."""

    csrf_token: str = ""
    session_hash: bytes = b""

    @classmethod
    def of(cls, account: Account, *, csrf_token: str = "", session_hash: bytes = b"") -> Viewer:
        values = {f.name: getattr(account, f.name) for f in fields(Account)}
        return cls(**values, csrf_token=csrf_token, session_hash=session_hash)


def is_https(web: WebSettings) -> bool:
    return web.public_base_url.startswith("https://")


def cookie_name(web: WebSettings) -> str:
    return SECURE_COOKIE if is_https(web) else COOKIE


def session_id_of(request: Request, web: WebSettings) -> str | None:
    value = request.cookies.get(cookie_name(web))
    return value if value and len(value) <= 100 else None


async def load_viewer(db: Db, session_id: str) -> Viewer | None:
    hashed = digest(session_id)
    found = await sessions.by_hash(db, id_hash=hashed)
    if found is None:
        return None
    return Viewer.of(found.account, csrf_token=found.csrf_token, session_hash=hashed)


async def start_session(
    db: Db,
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
        await sessions.delete(db, id_hash=digest(old_session_id))
    session_id = new_secret()
    await sessions.insert(
        db,
        id_hash=digest(session_id),
        freelancer_id=freelancer_id,
        csrf_token=new_secret(),
        days=web.session_days,
        user_agent=(user_agent or "")[:300],
        ip=ip,
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
