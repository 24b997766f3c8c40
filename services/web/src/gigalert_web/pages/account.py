"""Account: profile, API tokens, export, sessions, deletion confirmed by a magic link."""

from __future__ import annotations

import contextlib
import json
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gigalert_web import mail_links
from gigalert_web.deps import CurrentViewer, PoolDep, SettingsDep, client_ip, lang_of, page
from gigalert_web.i18n import text
from gigalert_web.mailer import MailError
from gigalert_web.pages.forms import read_form, see_other, signed_in_form
from gigalert_web.repository import q
from gigalert_web.schemas import FreelancerIn, TokenIn
from gigalert_web.sessions import Viewer, end_session_cookie
from gigalert_web.tokens import API_TOKEN_PREFIX, digest, new_api_token

router = APIRouter(include_in_schema=False)


async def _account_page(
    request: Request,
    viewer: Viewer,
    pool: PoolDep,
    *,
    notice: str | None = None,
    new_token: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    me = await pool.fetchrow(q("freelancer_by_id"), viewer.id)
    tokens = await pool.fetch(q("list_api_tokens"), viewer.id)
    return page(
        request,
        "account.html",
        viewer,
        me=me,
        tokens=tokens,
        csrf=viewer.csrf_token,
        notice=notice,
        new_token=new_token,
        error=error,
        status_code=status_code,
    )


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request, viewer: CurrentViewer, pool: PoolDep) -> HTMLResponse:
    return await _account_page(request, viewer, pool)


@router.post("/account", response_class=HTMLResponse)
async def save_profile(request: Request, viewer: CurrentViewer, pool: PoolDep) -> Response:
    form = await signed_in_form(request, viewer)
    try:
        body = FreelancerIn.model_validate(
            {
                "display_name": form.get("display_name", ""),
                "locale": form.get("locale", "ja"),
                "timezone": form.get("timezone", "Asia/Tokyo"),
            }
        )
    except ValueError as exc:
        return await _account_page(request, viewer, pool, error=str(exc), status_code=422)
    await pool.execute(
        q("update_freelancer"), viewer.id, body.display_name, body.locale, body.timezone
    )
    response = see_other("/account")
    response.set_cookie("lang", body.locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.post("/account/tokens", response_class=HTMLResponse)
async def create_token(request: Request, viewer: CurrentViewer, pool: PoolDep) -> Response:
    form = await signed_in_form(request, viewer)
    try:
        body = TokenIn.model_validate({"label": form.get("label") or "API"})
    except ValueError as exc:
        return await _account_page(request, viewer, pool, error=str(exc), status_code=422)
    token = new_api_token()
    await pool.execute(
        q("insert_api_token"), viewer.id, body.label, digest(token), API_TOKEN_PREFIX
    )
    return await _account_page(request, viewer, pool, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(
    request: Request, token_id: str, viewer: CurrentViewer, pool: PoolDep
) -> Response:
    await signed_in_form(request, viewer)
    with contextlib.suppress(ValueError):
        await pool.execute(q("revoke_api_token"), UUID(token_id), viewer.id)
    return see_other("/account")


@router.get("/account/export")
async def export(viewer: CurrentViewer, pool: PoolDep) -> Response:
    data = await pool.fetchval(q("export_account"), viewer.id)
    body = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="gigalert-export.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/account/delete", response_class=HTMLResponse)
async def ask_delete(
    request: Request, viewer: CurrentViewer, pool: PoolDep, settings: SettingsDep
) -> Response:
    await signed_in_form(request, viewer)
    if not viewer.email:
        return await _account_page(request, viewer, pool, error="no login address")
    try:
        await mail_links.send_link(
            pool,
            request.app.state.mailer,
            settings.web,
            purpose="delete_account",
            email=viewer.email,
            lang=lang_of(request, viewer),
            ip=client_ip(request),
            freelancer_id=viewer.id,
        )
    except mail_links.TooManyMails:
        return page(request, "message.html", viewer, key="too_many", status_code=429)
    except MailError:
        pass
    notice = text(lang_of(request, viewer), "account.delete.sent", email=viewer.email)
    return await _account_page(request, viewer, pool, notice=notice)


@router.get("/account/delete/{token}", response_class=HTMLResponse)
async def delete_link(request: Request, token: str, pool: PoolDep) -> HTMLResponse:
    link = await mail_links.peek(pool, token)
    if link is None or link.purpose != "delete_account":
        return page(request, "message.html", None, key="link.invalid", status_code=404)
    return page(request, "delete_confirm.html", None, token=token)


@router.post("/account/delete/{token}", response_class=HTMLResponse)
async def delete_account(
    request: Request, token: str, pool: PoolDep, settings: SettingsDep
) -> HTMLResponse:
    """Removes the account and its personal data (addresses, LINE ids, webhooks, names,
    sessions, tokens, searches, history); pending deliveries are cancelled with it."""
    await read_form(request)
    async with pool.acquire() as conn, conn.transaction():
        link = await mail_links.use(conn, token, "delete_account")
        if link is None or link.freelancer_id is None:
            return page(request, "message.html", None, key="link.invalid", status_code=404)
        await conn.execute(q("cancel_pending_deliveries"), link.freelancer_id)
        await conn.execute(q("delete_freelancer"), link.freelancer_id)
        await conn.execute(q("forget_mail_links"), link.freelancer_id, link.email)
    response = page(request, "message.html", None, key="delete.done")
    end_session_cookie(response, settings.web)
    return response
