"""The freelancer API's saved searches: made, listed, read, changed, paused, resumed,
removed, and previewed against the recent gigs."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from gigalert_shared.matching import Criteria
from gigalert_web import subscriptions as subs
from gigalert_web.api.answers import field_error, not_found, or_404
from gigalert_web.api.auth import TokenOwner
from gigalert_web.deps import PoolDep, SettingsDep
from gigalert_web.preview import RecentGigs
from gigalert_web.repository import searches
from gigalert_web.schemas import Preview, SubscriptionIn, SubscriptionOut

router = APIRouter()


def _subscription_out(search: searches.Search | None) -> SubscriptionOut:
    return SubscriptionOut.model_validate(or_404(search, "subscription"), from_attributes=True)


async def _check_channels(pool: PoolDep, owner_id: UUID, body: SubscriptionIn) -> None:
    if body.channel_ids and not set(body.channel_ids) <= await subs.own_channel_ids(pool, owner_id):
        raise field_error("channel_ids", "unknown channel")


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
        raise not_found("subscription")
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
    criteria = subs.criteria_of_stored(or_404(found, "subscription"))
    return await _limited_preview(request, settings, criteria, days)


@router.post("/subscriptions/preview", response_model=Preview, tags=["subscriptions"])
async def preview_criteria(
    body: SubscriptionIn, owner: TokenOwner, pool: PoolDep, settings: SettingsDep, request: Request
) -> Preview:
    """What an unsaved search would have matched in the last 30 days."""
    return await _limited_preview(request, settings, subs.criteria_of(body, owner.id))
