"""The freelancer JSON API (moved from the matcher, same paths and behaviour, plus proofs
for channels, per-search channels, history and tokens). A freelancer sees only their own
data: another freelancer's ids answer 404, exactly like ids that do not exist."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from gigalert_shared.matching import Criteria
from gigalert_web import alert_history, channel_flows
from gigalert_web import subscriptions as subs
from gigalert_web.api.auth import TokenOwner
from gigalert_web.deps import PoolDep, SettingsDep, client_ip, lang_of
from gigalert_web.mail_links import TooManyMails
from gigalert_web.preview import RecentGigs
from gigalert_web.repository import accounts, api_tokens, channels, rate_limits, searches
from gigalert_web.schemas import (
    AlertPage,
    ChannelIn,
    ChannelOut,
    EmailChannelIn,
    FreelancerCreated,
    FreelancerIn,
    FreelancerOut,
    LineChannelIn,
    Preview,
    SubscriptionIn,
    SubscriptionOut,
    TokenCreated,
    TokenIn,
    TokenOut,
)
from gigalert_web.tokens import digest, new_api_token

router = APIRouter(prefix="/v1")

_TOO_MANY = {"Retry-After": "3600"}


T = TypeVar("T")


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")


def _found(value: T | None, what: str) -> T:
    """``value``, or 404: another freelancer's ids answer like ids that do not exist."""
    if value is None:
        raise _not_found(what)
    return value


def _subscription_out(search: searches.Search | None) -> SubscriptionOut:
    return SubscriptionOut.model_validate(_found(search, "subscription"), from_attributes=True)


def _field_error(field: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        [{"loc": ["body", field], "msg": message, "type": "value_error"}],
    )


@router.post(
    "/freelancers", status_code=201, response_model=FreelancerCreated, tags=["freelancers"]
)
async def create_freelancer(
    body: FreelancerIn, pool: PoolDep, settings: SettingsDep, request: Request, response: Response
) -> FreelancerCreated:
    """Create an account without an address (for scripts). The token in the answer is shown
    once. Limited per client address; the web page's magic link is the way for people."""
    if not await rate_limits.hit(
        pool,
        f"signup-ip:{client_ip(request)}",
        limit=settings.web.signups_per_ip_hour,
        window_seconds=3600,
    ):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many sign-ups", _TOO_MANY)
    token = new_api_token()
    async with pool.acquire() as conn, conn.transaction():
        created = await accounts.insert(
            conn,
            display_name=body.display_name,
            locale=body.locale,
            timezone=body.timezone,
            email=None,
        )
        await api_tokens.insert(
            conn, freelancer_id=created.id, label="API", token_hash=digest(token)
        )
    response.headers["Cache-Control"] = "no-store"
    return FreelancerCreated.model_validate({**asdict(created), "token": token})


@router.get("/me", response_model=FreelancerOut, tags=["freelancers"])
async def me(owner: TokenOwner, pool: PoolDep) -> FreelancerOut:
    profile = await accounts.by_id(pool, freelancer_id=owner.id)
    return FreelancerOut.model_validate(profile, from_attributes=True)


# ------------------------------------------------------------------------------ channels


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
        _found(found, "channel"), link_code=link_code, add_friend_url=add_friend_url
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
            raise _field_error("webhook_url", str(exc)) from None
        added = await channel_flows.add_slack(
            pool, state.secret_box, state.slack_tester, freelancer_id=owner.id, url=url, lang=lang
        )
        if isinstance(added, str):
            raise _field_error("webhook_url", f"the test message did not go through: {added}")
        return await _channel(pool, added, owner.id)
    except channel_flows.ChannelRefused as exc:
        if exc.problem is channel_flows.ChannelProblem.TOO_MANY:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"at most {channel_flows.MAX_CHANNELS} channels"
            ) from None
        raise HTTPException(status.HTTP_409_CONFLICT, "this address is already added") from None
    except TooManyMails:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "too many mails asked for", _TOO_MANY
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
        raise _not_found("channel")
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
        raise _not_found("pending LINE channel")
    return await _channel(
        pool, channel_id, owner.id, link_code=code, add_friend_url=settings.web.line_add_friend_url
    )


@router.delete("/channels/{channel_id}", status_code=204, tags=["channels"])
async def delete_channel(channel_id: UUID, owner: TokenOwner, pool: PoolDep) -> Response:
    if not await channels.delete(pool, channel_id=channel_id, freelancer_id=owner.id):
        raise _not_found("channel")
    return Response(status_code=204)


# ------------------------------------------------------------------------- subscriptions


async def _check_channels(pool: PoolDep, owner_id: UUID, body: SubscriptionIn) -> None:
    if body.channel_ids and not set(body.channel_ids) <= await subs.own_channel_ids(pool, owner_id):
        raise _field_error("channel_ids", "unknown channel")


@router.post(
    "/subscriptions", status_code=201, response_model=SubscriptionOut, tags=["subscriptions"]
)
async def create_subscription(
    body: SubscriptionIn, owner: TokenOwner, pool: PoolDep
) -> SubscriptionOut:
    await _check_channels(pool, owner.id, body)
    try:
        return _subscription_out(await subs.insert(pool, owner.id, body))
    except subs.TooManySearches:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"at most {subs.MAX_SUBSCRIPTIONS} subscriptions"
        ) from None


@router.get("/subscriptions", response_model=list[SubscriptionOut], tags=["subscriptions"])
async def list_subscriptions(owner: TokenOwner, pool: PoolDep) -> list[SubscriptionOut]:
    return [_subscription_out(s) for s in await searches.list_for(pool, freelancer_id=owner.id)]


@router.get(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, tags=["subscriptions"]
)
async def get_subscription(
    subscription_id: UUID, owner: TokenOwner, pool: PoolDep
) -> SubscriptionOut:
    return _subscription_out(
        await searches.get(pool, subscription_id=subscription_id, freelancer_id=owner.id)
    )


@router.put(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, tags=["subscriptions"]
)
async def update_subscription(
    subscription_id: UUID, body: SubscriptionIn, owner: TokenOwner, pool: PoolDep
) -> SubscriptionOut:
    await _check_channels(pool, owner.id, body)
    return _subscription_out(await subs.update(pool, owner.id, subscription_id, body))


async def _set_active(
    pool: PoolDep, subscription_id: UUID, freelancer_id: UUID, active: bool
) -> SubscriptionOut:
    return _subscription_out(
        await searches.set_active(
            pool, subscription_id=subscription_id, freelancer_id=freelancer_id, active=active
        )
    )


@router.post(
    "/subscriptions/{subscription_id}/pause", response_model=SubscriptionOut, tags=["subscriptions"]
)
async def pause_subscription(
    subscription_id: UUID, owner: TokenOwner, pool: PoolDep
) -> SubscriptionOut:
    return await _set_active(pool, subscription_id, owner.id, False)


@router.post(
    "/subscriptions/{subscription_id}/resume",
    response_model=SubscriptionOut,
    tags=["subscriptions"],
)
async def resume_subscription(
    subscription_id: UUID, owner: TokenOwner, pool: PoolDep
) -> SubscriptionOut:
    return await _set_active(pool, subscription_id, owner.id, True)


@router.delete("/subscriptions/{subscription_id}", status_code=204, tags=["subscriptions"])
async def delete_subscription(subscription_id: UUID, owner: TokenOwner, pool: PoolDep) -> Response:
    if not await searches.delete(pool, subscription_id=subscription_id, freelancer_id=owner.id):
        raise _not_found("subscription")
    return Response(status_code=204)


async def _limited_preview(
    request: Request, settings: SettingsDep, criteria: Criteria, days: int = 30
) -> Preview:
    recent: RecentGigs = request.app.state.recent_gigs
    found = await recent.preview_for(
        criteria, per_minute=settings.web.previews_per_minute, days=days
    )
    if found is None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "too many previews", {"Retry-After": "60"}
        )
    return found


@router.get(
    "/subscriptions/{subscription_id}/preview", response_model=Preview, tags=["subscriptions"]
)
async def preview_subscription(
    subscription_id: UUID,
    owner: TokenOwner,
    pool: PoolDep,
    settings: SettingsDep,
    request: Request,
    days: Annotated[int, Query(ge=1, le=30)] = 30,
) -> Preview:
    """The stored gigs of the last `days` days this search would have matched (active or
    paused), with the count, a weekly rate and the five newest matches with reasons."""
    found = await searches.get(pool, subscription_id=subscription_id, freelancer_id=owner.id)
    criteria = subs.criteria_of_stored(_found(found, "subscription"))
    return await _limited_preview(request, settings, criteria, days)


@router.post("/subscriptions/preview", response_model=Preview, tags=["subscriptions"])
async def preview_criteria(
    body: SubscriptionIn, owner: TokenOwner, pool: PoolDep, settings: SettingsDep, request: Request
) -> Preview:
    """What an unsaved search would have matched in the last 30 days."""
    return await _limited_preview(request, settings, subs.criteria_of(body, owner.id))


# -------------------------------------------------------------------------------- alerts


@router.get("/alerts", response_model=AlertPage, tags=["alerts"])
async def list_alerts(
    owner: TokenOwner,
    pool: PoolDep,
    subscription_id: UUID | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AlertPage:
    """Alerts received, newest first, each with its deliveries per channel (sent, retrying,
    dead with the reason)."""
    return await alert_history.page_of_alerts(
        pool, owner.id, subscription_id=subscription_id, cursor=cursor, size=limit
    )


# -------------------------------------------------------------------------------- tokens


@router.get("/tokens", response_model=list[TokenOut], tags=["tokens"])
async def list_tokens(owner: TokenOwner, pool: PoolDep) -> list[TokenOut]:
    return [
        TokenOut.model_validate(t, from_attributes=True)
        for t in await api_tokens.list_for(pool, freelancer_id=owner.id)
    ]


@router.post("/tokens", status_code=201, response_model=TokenCreated, tags=["tokens"])
async def create_token(
    body: TokenIn, owner: TokenOwner, pool: PoolDep, response: Response
) -> TokenCreated:
    token = new_api_token()
    created = await api_tokens.insert(
        pool, freelancer_id=owner.id, label=body.label, token_hash=digest(token)
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenCreated.model_validate({**asdict(created), "token": token})


@router.delete("/tokens/{token_id}", status_code=204, tags=["tokens"])
async def revoke_token(token_id: UUID, owner: TokenOwner, pool: PoolDep) -> Response:
    if not await api_tokens.revoke(pool, token_id=token_id, freelancer_id=owner.id):
        raise _not_found("token")
    return Response(status_code=204)
