"""The freelancer API's channels: added (and proven), listed, paused, resumed, enabled,
given a new LINE code, removed."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, Response, status

from gigalert_web import channel_flows
from gigalert_web.api.answers import TOO_MANY, field_error, not_found, or_404
from gigalert_web.api.auth import TokenOwner
from gigalert_web.deps import PoolDep, SettingsDep, client_ip, lang_of
from gigalert_web.mail_links import TooManyMails
from gigalert_web.repository import channels
from gigalert_web.schemas import ChannelIn, ChannelOut, EmailChannelIn, LineChannelIn

router = APIRouter()


async def _channel(
    pool: PoolDep,
    channel_id: UUID,
    freelancer_id: UUID,
    *,
    link_code: str | None = None,
    add_friend_url: str | None = None,
) -> ChannelOut:
    found = await channels.get(pool, channel_id=channel_id, freelancer_id=freelancer_id)
    return channel_flows.channel_out(
        or_404(found, "channel"), link_code=link_code, add_friend_url=add_friend_url
    )


@router.post("/channels", status_code=201, response_model=ChannelOut, tags=["channels"])
async def add_channel(
    body: ChannelIn, owner: TokenOwner, pool: PoolDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """Add a channel; it receives nothing until proven. Email: a confirmation mail is sent
    (status `pending` until its link is opened). Slack: a test message is sent first, and
    the channel is stored only if it went through. LINE: the answer carries a one-time
    `link_code` to send to the official account (`add_friend_url`)."""
    state = request.app.state
    lang = lang_of(request, owner)
    try:
        if isinstance(body, EmailChannelIn):
            channel_id = await channel_flows.add_email(
                pool,
                state.mailer,
                settings.web,
                freelancer_id=owner.id,
                address=body.address,
                lang=lang,
                ip=client_ip(request),
            )
            return await _channel(pool, channel_id, owner.id)
        if isinstance(body, LineChannelIn):
            started = await channel_flows.add_line(
                pool, freelancer_id=owner.id, key=settings.channel_secret_key.get_secret_value()
            )
            return await _channel(
                pool,
                started.channel_id,
                owner.id,
                link_code=started.code,
                add_friend_url=settings.web.line_add_friend_url,
            )
        try:
            url = channel_flows.check_webhook(body.webhook_url, settings.web.slack_webhook_prefix)
        except ValueError as exc:
            raise field_error("webhook_url", str(exc)) from None
        added = await channel_flows.add_slack(
            pool, state.secret_box, state.slack_tester, freelancer_id=owner.id, url=url, lang=lang
        )
        if isinstance(added, str):
            raise field_error("webhook_url", f"the test message did not go through: {added}")
        return await _channel(pool, added, owner.id)
    except channel_flows.ChannelRefused as exc:
        if exc.problem is channel_flows.ChannelProblem.TOO_MANY:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"at most {channel_flows.MAX_CHANNELS} channels"
            ) from None
        raise HTTPException(status.HTTP_409_CONFLICT, "this address is already added") from None
    except TooManyMails:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "too many mails asked for", TOO_MANY
        ) from None


@router.get("/channels", response_model=list[ChannelOut], tags=["channels"])
async def list_channels(owner: TokenOwner, pool: PoolDep) -> list[ChannelOut]:
    """Channels with their state (`pending`, `active`, `paused`, `disabled` and why), the
    last failure, and the searches that use each."""
    return [
        channel_flows.channel_out(c) for c in await channels.list_for(pool, freelancer_id=owner.id)
    ]


async def _set_paused(pool: PoolDep, channel_id: UUID, owner_id: UUID, paused: bool) -> ChannelOut:
    if not await channels.set_paused(
        pool, channel_id=channel_id, freelancer_id=owner_id, paused=paused
    ):
        raise not_found("channel")
    return await _channel(pool, channel_id, owner_id)


@router.post("/channels/{channel_id}/pause", response_model=ChannelOut, tags=["channels"])
async def pause_channel(channel_id: UUID, owner: TokenOwner, pool: PoolDep) -> ChannelOut:
    return await _set_paused(pool, channel_id, owner.id, True)


@router.post("/channels/{channel_id}/resume", response_model=ChannelOut, tags=["channels"])
async def resume_channel(channel_id: UUID, owner: TokenOwner, pool: PoolDep) -> ChannelOut:
    return await _set_paused(pool, channel_id, owner.id, False)


@router.post("/channels/{channel_id}/enable", response_model=ChannelOut, tags=["channels"])
async def enable_channel(channel_id: UUID, owner: TokenOwner, pool: PoolDep) -> ChannelOut:
    """Turn a channel disabled by failures back on (a pending one needs its proof)."""
    await channels.enable(pool, channel_id=channel_id, freelancer_id=owner.id)
    return await _channel(pool, channel_id, owner.id)


@router.post("/channels/{channel_id}/link-code", response_model=ChannelOut, tags=["channels"])
async def new_link_code(
    channel_id: UUID, owner: TokenOwner, pool: PoolDep, settings: SettingsDep
) -> ChannelOut:
    """A new one-time code for a LINE channel still waiting for its link."""
    code = await channel_flows.renew_line_code(
        pool,
        freelancer_id=owner.id,
        channel_id=channel_id,
        key=settings.channel_secret_key.get_secret_value(),
    )
    if code is None:
        raise not_found("pending LINE channel")
    return await _channel(
        pool, channel_id, owner.id, link_code=code, add_friend_url=settings.web.line_add_friend_url
    )


@router.delete("/channels/{channel_id}", status_code=204, tags=["channels"])
async def delete_channel(channel_id: UUID, owner: TokenOwner, pool: PoolDep) -> Response:
    if not await channels.delete(pool, channel_id=channel_id, freelancer_id=owner.id):
        raise not_found("channel")
    return Response(status_code=204)
