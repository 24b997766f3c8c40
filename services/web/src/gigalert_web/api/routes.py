"""The freelancer JSON API (moved from the matcher, same paths and behaviour, plus proofs
for channels, per-search channels, history and tokens). A freelancer sees only their own
data: another freelancer's ids answer 404, exactly like ids that do not exist."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from gigalert_shared.matching import Criteria, criteria_from_row
from gigalert_web import alert_history, channel_flows, rate_limits
from gigalert_web import subscriptions as subs
from gigalert_web.api.auth import TokenOwner
from gigalert_web.deps import PoolDep, SettingsDep, client_ip, lang_of
from gigalert_web.mail_links import TooManyMails
from gigalert_web.preview import RecentGigs
from gigalert_web.repository import q
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
from gigalert_web.tokens import API_TOKEN_PREFIX, digest, new_api_token

router = APIRouter(prefix="/v1")

_TOO_MANY = {"Retry-After": "3600"}


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")


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
        row = await conn.fetchrow(
            q("insert_freelancer"), body.display_name, body.locale, body.timezone, None
        )
        assert row is not None
        await conn.execute(q("insert_api_token"), row["id"], "API", digest(token), API_TOKEN_PREFIX)
    response.headers["Cache-Control"] = "no-store"
    return FreelancerCreated(
        id=row["id"],
        display_name=row["display_name"],
        locale=row["locale"],
        timezone=row["timezone"],
        created_at=row["created_at"],
        token=token,
    )


@router.get("/me", response_model=FreelancerOut, tags=["freelancers"])
async def me(owner: TokenOwner, pool: PoolDep) -> FreelancerOut:
    row = await pool.fetchrow(q("freelancer_by_id"), owner.id)
    assert row is not None
    return FreelancerOut(
        id=row["id"],
        display_name=row["display_name"],
        locale=row["locale"],
        timezone=row["timezone"],
        created_at=row["created_at"],
    )


# ------------------------------------------------------------------------------ channels


async def _channel(
    pool: PoolDep, channel_id: UUID, freelancer_id: UUID, **extra: Any
) -> ChannelOut:
    row = await pool.fetchrow(q("get_channel"), channel_id, freelancer_id)
    if row is None:
        raise _not_found("channel")
    return channel_flows.channel_out(row, **extra)


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
    return [channel_flows.channel_out(r) for r in await pool.fetch(q("list_channels"), owner.id)]


@router.post("/channels/{channel_id}/pause", response_model=ChannelOut, tags=["channels"])
async def pause_channel(channel_id: UUID, owner: TokenOwner, pool: PoolDep) -> ChannelOut:
    if await pool.fetchval(q("set_channel_paused"), channel_id, owner.id, True) is None:
        raise _not_found("channel")
    return await _channel(pool, channel_id, owner.id)


@router.post("/channels/{channel_id}/resume", response_model=ChannelOut, tags=["channels"])
async def resume_channel(channel_id: UUID, owner: TokenOwner, pool: PoolDep) -> ChannelOut:
    if await pool.fetchval(q("set_channel_paused"), channel_id, owner.id, False) is None:
        raise _not_found("channel")
    return await _channel(pool, channel_id, owner.id)


@router.post("/channels/{channel_id}/enable", response_model=ChannelOut, tags=["channels"])
async def enable_channel(channel_id: UUID, owner: TokenOwner, pool: PoolDep) -> ChannelOut:
    """Turn a channel disabled by failures back on (a pending one needs its proof)."""
    await pool.execute(q("enable_channel"), channel_id, owner.id)
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
    if await pool.fetchval(q("delete_channel"), channel_id, owner.id) is None:
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
        row = await subs.insert(pool, owner.id, body)
    except subs.TooManySearches:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"at most {subs.MAX_SUBSCRIPTIONS} subscriptions"
        ) from None
    return SubscriptionOut(**dict(row))


@router.get("/subscriptions", response_model=list[SubscriptionOut], tags=["subscriptions"])
async def list_subscriptions(owner: TokenOwner, pool: PoolDep) -> list[SubscriptionOut]:
    return [SubscriptionOut(**dict(r)) for r in await pool.fetch(q("list_subscriptions"), owner.id)]


@router.get(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, tags=["subscriptions"]
)
async def get_subscription(
    subscription_id: UUID, owner: TokenOwner, pool: PoolDep
) -> SubscriptionOut:
    row = await pool.fetchrow(q("get_subscription"), subscription_id, owner.id)
    if row is None:
        raise _not_found("subscription")
    return SubscriptionOut(**dict(row))


@router.put(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, tags=["subscriptions"]
)
async def update_subscription(
    subscription_id: UUID, body: SubscriptionIn, owner: TokenOwner, pool: PoolDep
) -> SubscriptionOut:
    await _check_channels(pool, owner.id, body)
    row = await subs.update(pool, owner.id, subscription_id, body)
    if row is None:
        raise _not_found("subscription")
    return SubscriptionOut(**dict(row))


async def _set_active(
    pool: PoolDep, subscription_id: UUID, freelancer_id: UUID, active: bool
) -> SubscriptionOut:
    row = await pool.fetchrow(q("set_subscription_active"), subscription_id, freelancer_id, active)
    if row is None:
        raise _not_found("subscription")
    return SubscriptionOut(**dict(row))


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
    if await pool.fetchval(q("delete_subscription"), subscription_id, owner.id) is None:
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
    row = await pool.fetchrow(q("get_subscription"), subscription_id, owner.id)
    if row is None:
        raise _not_found("subscription")
    return await _limited_preview(request, settings, criteria_from_row(row), days)


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
    return [TokenOut(**dict(r)) for r in await pool.fetch(q("list_api_tokens"), owner.id)]


@router.post("/tokens", status_code=201, response_model=TokenCreated, tags=["tokens"])
async def create_token(
    body: TokenIn, owner: TokenOwner, pool: PoolDep, response: Response
) -> TokenCreated:
    token = new_api_token()
    row = await pool.fetchrow(
        q("insert_api_token"), owner.id, body.label, digest(token), API_TOKEN_PREFIX
    )
    assert row is not None
    response.headers["Cache-Control"] = "no-store"
    return TokenCreated(**dict(row), token=token)


@router.delete("/tokens/{token_id}", status_code=204, tags=["tokens"])
async def revoke_token(token_id: UUID, owner: TokenOwner, pool: PoolDep) -> Response:
    if await pool.fetchval(q("revoke_api_token"), token_id, owner.id) is None:
        raise _not_found("token")
    return Response(status_code=204)
