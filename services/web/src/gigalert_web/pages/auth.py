"""Sign up, log in and recover by email magic link; log out; log out everywhere; language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gigalert_shared.channel_rules import check_recipient_email
from gigalert_web import accounts, mail_links
from gigalert_web.deps import (
    CurrentViewer,
    MaybeViewer,
    PoolDep,
    SettingsDep,
    client_ip,
    lang_of,
    page,
)
from gigalert_web.i18n import LANGS
from gigalert_web.pages.forms import (
    invalid_link,
    link_button,
    mail_link,
    read_form,
    safe_next,
    see_other,
    signed_in_form,
)
from gigalert_web.repository import sessions
from gigalert_web.sessions import end_session_cookie, session_id_of, start_session

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def start(request: Request, viewer: MaybeViewer) -> Response:
    if viewer is not None:
        return see_other("/home")
    return page(request, "login.html", None, email="", error=None)


@router.post("/login", response_class=HTMLResponse)
async def ask_for_link(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    """The same answer for known and unknown addresses: a new address gets a sign-up link,
    a known one a login link, and the page says only "check your mail"."""
    form = await read_form(request)
    email = str(form.get("email", "")).strip()
    try:
        check_recipient_email(email)
    except ValueError as exc:
        return page(request, "login.html", None, email=email, error=str(exc), status_code=422)
    # A failed send answers the same, so the answer tells nothing about the address.
    refused = await mail_link(request, pool, settings, None, purpose="login", email=email)
    if refused is not None:
        return refused
    return page(request, "login_sent.html", None, email=email, minutes=settings.web.link_minutes)


@router.get("/auth/{token}", response_class=HTMLResponse)
async def login_link(request: Request, token: str, pool: PoolDep) -> Response:
    """A button, not a login: mail scanners open links, and must not spend this one."""
    return await link_button(request, pool, token, "login", "login_confirm.html")


@router.post("/auth/{token}")
async def log_in(request: Request, token: str, pool: PoolDep, settings: SettingsDep) -> Response:
    async with pool.acquire() as conn, conn.transaction():
        link = await mail_links.use(conn, token, "login")
        if link is None:
            return invalid_link(request)
        freelancer_id = await accounts.find_or_create(
            conn, email=link.email, lang=lang_of(request, None), ip=client_ip(request)
        )
        response = see_other("/home")
        await start_session(
            conn,
            response,
            settings.web,
            freelancer_id=freelancer_id,
            user_agent=request.headers.get("user-agent"),
            ip=client_ip(request),
            old_session_id=session_id_of(request, settings.web),
        )
    return response


@router.post("/logout")
@router.post("/logout/all")
async def log_out(
    request: Request, viewer: CurrentViewer, pool: PoolDep, settings: SettingsDep
) -> Response:
    """This session, or (``/logout/all``) every session of the account."""
    await signed_in_form(request, viewer)
    if request.url.path.endswith("/all"):
        await sessions.delete_all(pool, freelancer_id=viewer.id)
    else:
        await sessions.delete(pool, id_hash=viewer.session_hash)
    response = page(request, "message.html", None, key="logged_out")
    end_session_cookie(response, settings.web)
    return response


@router.get("/lang/{code}")
async def switch_language(code: str, next: str | None = None) -> RedirectResponse:
    response = see_other(safe_next(next))
    if code in LANGS:
        response.set_cookie("lang", code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
