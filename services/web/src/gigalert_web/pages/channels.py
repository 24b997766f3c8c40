"""Channels: add (email with double opt-in, LINE by code, Slack by test message), pause,
resume, enable, delete; the confirmation link of an added address."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from uuid import UUID

import segno
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from gigalert_shared.channel_rules import check_recipient_email
from gigalert_web import channel_flows
from gigalert_web.channel_flows import ChannelProblem, ChannelRefused
from gigalert_web.deps import CurrentViewer, PoolDep, SettingsDep, client_ip, lang_of, page
from gigalert_web.i18n import text
from gigalert_web.mail_links import TooManyMails
from gigalert_web.mailer import MailError
from gigalert_web.pages.forms import (
    invalid_link,
    link_button,
    mail_link,
    read_form,
    see_other,
    signed_in_form,
    signed_in_text,
)
from gigalert_web.repository import channels as stored
from gigalert_web.sessions import Viewer

router = APIRouter(include_in_schema=False)


def qr_data_uri(url: str) -> str:
    """The add-friend link as a QR code, inline (CSP allows data: images, nothing else)."""
    data_uri: str = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return data_uri


async def _channels_page(
    request: Request,
    viewer: Viewer,
    pool: PoolDep,
    *,
    notice: str | None = None,
    error: str | None = None,
    line: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows = await stored.list_for(pool, freelancer_id=viewer.id)
    return page(
        request,
        "channels.html",
        viewer,
        channels=[(c, c.status) for c in rows],
        notice=notice,
        error=error,
        line=line,
        status_code=status_code,
    )


async def _not_added(
    request: Request, viewer: Viewer, pool: PoolDep, problem: ValueError | ChannelRefused
) -> HTMLResponse:
    """The channels page with why a channel was not added: 422 for the address, 409 for
    a channel too many or one already there."""
    if isinstance(problem, ValueError):
        return await _channels_page(request, viewer, pool, error=str(problem), status_code=422)
    key = "channels.too_many" if problem.problem is ChannelProblem.TOO_MANY else "channels.exists"
    message = text(lang_of(request, viewer), key, n=channel_flows.MAX_CHANNELS)
    return await _channels_page(request, viewer, pool, error=message, status_code=409)


@router.get("/channels", response_class=HTMLResponse)
async def channels(request: Request, viewer: CurrentViewer, pool: PoolDep) -> HTMLResponse:
    return await _channels_page(request, viewer, pool)


@router.post("/channels/email", response_class=HTMLResponse)
async def add_email(
    request: Request, viewer: CurrentViewer, pool: PoolDep, settings: SettingsDep
) -> Response:
    address = await signed_in_text(request, viewer, "address")
    lang = lang_of(request, viewer)
    try:
        check_recipient_email(address)
        await channel_flows.add_email(
            pool,
            request.app.state.mailer,
            settings.web,
            freelancer_id=viewer.id,
            address=address,
            lang=lang,
            ip=client_ip(request),
        )
    except (ValueError, ChannelRefused) as exc:
        return await _not_added(request, viewer, pool, exc)
    except TooManyMails:
        return page(request, "message.html", viewer, key="too_many", status_code=429)
    except MailError:
        pass  # the channel stays pending; "resend" tries again
    notice = text(lang, "channels.confirm_sent", email=address)
    return await _channels_page(request, viewer, pool, notice=notice)


@router.post("/channels/slack", response_class=HTMLResponse)
async def add_slack(
    request: Request, viewer: CurrentViewer, pool: PoolDep, settings: SettingsDep
) -> Response:
    url = await signed_in_text(request, viewer, "webhook_url")
    lang = lang_of(request, viewer)
    try:
        url = channel_flows.check_webhook(url, settings.web.slack_webhook_prefix)
        added = await channel_flows.add_slack(
            pool,
            request.app.state.secret_box,
            request.app.state.slack_tester,
            freelancer_id=viewer.id,
            url=url,
            lang=lang,
        )
    except (ValueError, ChannelRefused) as exc:
        return await _not_added(request, viewer, pool, exc)
    if isinstance(added, str):
        message = text(lang, "channels.slack_failed", reason=added)
        return await _channels_page(request, viewer, pool, error=message, status_code=422)
    return await _channels_page(request, viewer, pool, notice=text(lang, "channels.slack_ok"))


def _line_view(settings: SettingsDep, channel_id: UUID, code: str) -> dict[str, Any]:
    url = settings.web.line_add_friend_url
    return {
        "channel_id": channel_id,
        "code": code,
        "url": url,
        "qr": qr_data_uri(url),
        "minutes": channel_flows.LINK_CODE_MINUTES,
    }


@router.post("/channels/line", response_class=HTMLResponse)
async def add_line(
    request: Request, viewer: CurrentViewer, pool: PoolDep, settings: SettingsDep
) -> Response:
    await signed_in_form(request, viewer)
    key = settings.channel_secret_key.get_secret_value()
    try:
        started = await channel_flows.add_line(pool, freelancer_id=viewer.id, key=key)
    except ChannelRefused as exc:
        return await _not_added(request, viewer, pool, exc)
    view = _line_view(settings, started.channel_id, started.code)
    return await _channels_page(request, viewer, pool, line=view)


@router.post("/channels/{channel_id}/code", response_class=HTMLResponse)
async def new_code(
    request: Request, channel_id: UUID, viewer: CurrentViewer, pool: PoolDep, settings: SettingsDep
) -> Response:
    await signed_in_form(request, viewer)
    key = settings.channel_secret_key.get_secret_value()
    code = await channel_flows.renew_line_code(
        pool, freelancer_id=viewer.id, channel_id=channel_id, key=key
    )
    if code is None:
        raise HTTPException(404)
    return await _channels_page(request, viewer, pool, line=_line_view(settings, channel_id, code))


@router.get("/channels/{channel_id}/status", response_class=HTMLResponse)
async def channel_status(
    request: Request, channel_id: UUID, viewer: CurrentViewer, pool: PoolDep
) -> HTMLResponse:
    """The fragment the LINE panel polls until the code arrives."""
    found = await stored.get(pool, channel_id=channel_id, freelancer_id=viewer.id)
    if found is None:
        raise HTTPException(404)
    return page(request, "_line_status.html", viewer, status=found.status)


# Each True when the channel was found (enabling a channel that is not disabled is no error).
_ACTIONS: dict[str, Callable[..., Awaitable[bool]]] = {
    "pause": partial(stored.set_paused, paused=True),
    "resume": partial(stored.set_paused, paused=False),
    "enable": stored.enable,
    "delete": stored.delete,
}


@router.post("/channels/{channel_id}/{action}")
async def act(
    request: Request,
    channel_id: UUID,
    action: str,
    viewer: CurrentViewer,
    pool: PoolDep,
    settings: SettingsDep,
) -> Response:
    await signed_in_form(request, viewer)
    if action == "resend":
        found = await stored.get(pool, channel_id=channel_id, freelancer_id=viewer.id)
        if found is None or found.kind != "email" or found.verified_at is not None:
            raise HTTPException(404)
        refused = await mail_link(
            request,
            pool,
            settings,
            viewer,
            purpose="confirm_email",
            email=found.target or "",
            channel_id=channel_id,
        )
        return refused or see_other("/channels")
    if action not in _ACTIONS:
        raise HTTPException(404)
    done = await _ACTIONS[action](pool, channel_id=channel_id, freelancer_id=viewer.id)
    if not done and action != "enable":
        raise HTTPException(404)
    return see_other("/channels")


@router.get("/confirm/{token}", response_class=HTMLResponse)
async def confirm_link(request: Request, token: str, pool: PoolDep) -> HTMLResponse:
    return await link_button(request, pool, token, "confirm_email", "confirm.html")


@router.post("/confirm/{token}", response_class=HTMLResponse)
async def confirm(request: Request, token: str, pool: PoolDep) -> HTMLResponse:
    await read_form(request)
    outcome, email = await channel_flows.confirm_email(pool, token, client_ip(request))
    if outcome is channel_flows.Confirmed.INVALID:
        return invalid_link(request)
    key = "confirm.done" if outcome is channel_flows.Confirmed.DONE else "confirm.taken"
    return page(
        request,
        "message.html",
        None,
        key=key,
        values={"email": email},
        status_code=200 if outcome is channel_flows.Confirmed.DONE else 409,
    )
