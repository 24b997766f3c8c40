"""Account: profile, API tokens, export, sessions, deletion confirmed by a magic link."""

from __future__ import annotations

import contextlib
import json
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gigalert_web import mail_links
from gigalert_web.deps import CurrentViewer, PoolDep, SettingsDep, lang_of, page
from gigalert_web.i18n import text
from gigalert_web.pages.forms import (
    invalid_link,
    link_button,
    mail_link,
    read_form,
    see_other,
    signed_in_form,
)
from gigalert_web.repository import accounts, api_tokens
from gigalert_web.schemas import FreelancerIn, TokenIn
from gigalert_web.sessions import Viewer, end_session_cookie
from gigalert_web.tokens import digest, new_api_token

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
    me = await accounts.by_id(pool, freelancer_id=viewer.id)
    tokens = await api_tokens.list_for(pool, freelancer_id=viewer.id)
    return page(
        request,
        "account.html",
        viewer,
        me=me,
        tokens=tokens,
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
    await accounts.update(
        pool,
        freelancer_id=viewer.id,
        display_name=body.display_name,
        locale=body.locale,
        timezone=body.timezone,
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
    await api_tokens.insert(
        pool, freelancer_id=viewer.id, label=body.label, token_hash=digest(token)
    )
    return await _account_page(request, viewer, pool, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(
    request: Request, token_id: str, viewer: CurrentViewer, pool: PoolDep
) -> Response:
    await signed_in_form(request, viewer)
    with contextlib.suppress(ValueError):
        await api_tokens.revoke(pool, token_id=UUID(token_id), freelancer_id=viewer.id)
    return see_other("/account")


@router.get("/account/export")
async def export(viewer: CurrentViewer, pool: PoolDep) -> Response:
    data = await accounts.export(pool, freelancer_id=viewer.id)
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
    refused = await mail_link(
        request, pool, settings, viewer, purpose="delete_account", email=viewer.email
    )
    if refused is not None:
        return refused
    notice = text(lang_of(request, viewer), "account.delete.sent", email=viewer.email)
    return await _account_page(request, viewer, pool, notice=notice)


@router.get("/account/delete/{token}", response_class=HTMLResponse)
async def delete_link(request: Request, token: str, pool: PoolDep) -> HTMLResponse:
    return await link_button(request, pool, token, "delete_account", "delete_confirm.html")


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
            return invalid_link(request)
        await accounts.delete(conn, freelancer_id=link.freelancer_id, email=link.email)
    response = page(request, "message.html", None, key="delete.done")
    end_session_cookie(response, settings.web)
    return response
