"""Freelancers, channels and subscriptions. A freelancer sees only their own data: another
freelancer's ids answer 404, exactly like ids that do not exist."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from gigalert_matcher import repository as repo
from gigalert_matcher.api.deps import CurrentFreelancer, PoolDep
from gigalert_matcher.matching import GigFacts, explain, matches
from gigalert_matcher.matching.reference_sql import criteria_from_row
from gigalert_matcher.repository import q
from gigalert_matcher.schemas import (
    ChannelIn,
    ChannelOut,
    EmailChannelIn,
    FreelancerCreated,
    FreelancerIn,
    FreelancerOut,
    LineChannelIn,
    Preview,
    PreviewGig,
    SubscriptionIn,
    SubscriptionOut,
)
from gigalert_matcher.security import hash_token, new_token
from gigalert_shared.crypto import SecretBox, mask
from gigalert_shared.events import GigBody

router = APIRouter(prefix="/v1")

MAX_CHANNELS = 10
MAX_SUBSCRIPTIONS = 50
PREVIEW_SCAN_LIMIT = 20_000


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")


@router.post(
    "/freelancers", status_code=201, response_model=FreelancerCreated, tags=["freelancers"]
)
async def create_freelancer(body: FreelancerIn, pool: PoolDep) -> FreelancerCreated:
    """Create a freelancer. The bearer token in the answer is shown once."""
    token = new_token()
    row = await pool.fetchrow(
        q("insert_freelancer"), body.display_name, body.locale, body.timezone, hash_token(token)
    )
    assert row is not None
    return FreelancerCreated(**dict(row), token=token)


@router.get("/me", response_model=FreelancerOut, tags=["freelancers"])
async def me(freelancer: CurrentFreelancer, pool: PoolDep) -> FreelancerOut:
    row = await pool.fetchrow(
        "SELECT id, display_name, locale, timezone, created_at FROM freelancers WHERE id = $1",
        freelancer.id,
    )
    assert row is not None
    return FreelancerOut(**dict(row))


# ------------------------------------------------------------------------------ channels


@router.post("/channels", status_code=201, response_model=ChannelOut, tags=["channels"])
async def add_channel(
    body: ChannelIn, freelancer: CurrentFreelancer, pool: PoolDep, request: Request
) -> ChannelOut:
    """Add an email, Slack or LINE channel. Slack webhook URLs are encrypted at rest and
    shown masked."""
    if await pool.fetchval(q("count_channels"), freelancer.id) >= MAX_CHANNELS:
        raise HTTPException(status.HTTP_409_CONFLICT, f"at most {MAX_CHANNELS} channels")
    box: SecretBox = request.app.state.secret_box
    secret: bytes | None = None
    if isinstance(body, EmailChannelIn):
        target = str(body.address)
    elif isinstance(body, LineChannelIn):
        target = body.user_id
    else:
        target = mask(body.webhook_url)
        secret = box.seal(body.webhook_url)
    row = await pool.fetchrow(q("insert_channel"), freelancer.id, body.kind, target, secret)
    assert row is not None
    return ChannelOut(**dict(row))


@router.get("/channels", response_model=list[ChannelOut], tags=["channels"])
async def list_channels(freelancer: CurrentFreelancer, pool: PoolDep) -> list[ChannelOut]:
    """Channels with their state: a channel disabled after repeated permanent failures shows
    `active: false` and the reason."""
    return [ChannelOut(**dict(r)) for r in await pool.fetch(q("list_channels"), freelancer.id)]


@router.post("/channels/{channel_id}/enable", response_model=ChannelOut, tags=["channels"])
async def enable_channel(
    channel_id: UUID, freelancer: CurrentFreelancer, pool: PoolDep
) -> ChannelOut:
    row = await pool.fetchrow(q("enable_channel"), channel_id, freelancer.id)
    if row is None:
        raise _not_found("channel")
    return ChannelOut(**dict(row))


@router.delete("/channels/{channel_id}", status_code=204, tags=["channels"])
async def delete_channel(
    channel_id: UUID, freelancer: CurrentFreelancer, pool: PoolDep
) -> Response:
    if await pool.fetchval(q("delete_channel"), channel_id, freelancer.id) is None:
        raise _not_found("channel")
    return Response(status_code=204)


# ------------------------------------------------------------------------- subscriptions


@router.post(
    "/subscriptions", status_code=201, response_model=SubscriptionOut, tags=["subscriptions"]
)
async def create_subscription(
    body: SubscriptionIn, freelancer: CurrentFreelancer, pool: PoolDep
) -> SubscriptionOut:
    if await pool.fetchval(q("count_subscriptions"), freelancer.id) >= MAX_SUBSCRIPTIONS:
        raise HTTPException(status.HTTP_409_CONFLICT, f"at most {MAX_SUBSCRIPTIONS} subscriptions")
    row = await repo.insert_subscription(pool, freelancer_id=freelancer.id, sub=body)
    return SubscriptionOut(**dict(row))


@router.get("/subscriptions", response_model=list[SubscriptionOut], tags=["subscriptions"])
async def list_subscriptions(freelancer: CurrentFreelancer, pool: PoolDep) -> list[SubscriptionOut]:
    return [
        SubscriptionOut(**dict(r)) for r in await pool.fetch(q("list_subscriptions"), freelancer.id)
    ]


@router.get(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, tags=["subscriptions"]
)
async def get_subscription(
    subscription_id: UUID, freelancer: CurrentFreelancer, pool: PoolDep
) -> SubscriptionOut:
    row = await pool.fetchrow(q("get_subscription"), subscription_id, freelancer.id)
    if row is None:
        raise _not_found("subscription")
    return SubscriptionOut(**dict(row))


@router.put(
    "/subscriptions/{subscription_id}", response_model=SubscriptionOut, tags=["subscriptions"]
)
async def update_subscription(
    subscription_id: UUID, body: SubscriptionIn, freelancer: CurrentFreelancer, pool: PoolDep
) -> SubscriptionOut:
    row = await repo.update_subscription(
        pool, freelancer_id=freelancer.id, subscription_id=subscription_id, sub=body
    )
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
    subscription_id: UUID, freelancer: CurrentFreelancer, pool: PoolDep
) -> SubscriptionOut:
    return await _set_active(pool, subscription_id, freelancer.id, False)


@router.post(
    "/subscriptions/{subscription_id}/resume",
    response_model=SubscriptionOut,
    tags=["subscriptions"],
)
async def resume_subscription(
    subscription_id: UUID, freelancer: CurrentFreelancer, pool: PoolDep
) -> SubscriptionOut:
    return await _set_active(pool, subscription_id, freelancer.id, True)


@router.delete("/subscriptions/{subscription_id}", status_code=204, tags=["subscriptions"])
async def delete_subscription(
    subscription_id: UUID, freelancer: CurrentFreelancer, pool: PoolDep
) -> Response:
    if await pool.fetchval(q("delete_subscription"), subscription_id, freelancer.id) is None:
        raise _not_found("subscription")
    return Response(status_code=204)


@router.get(
    "/subscriptions/{subscription_id}/preview", response_model=Preview, tags=["subscriptions"]
)
async def preview_subscription(
    subscription_id: UUID,
    freelancer: CurrentFreelancer,
    pool: PoolDep,
    days: Annotated[int, Query(ge=1, le=90)] = 30,
) -> Preview:
    """The stored gigs of the last `days` days these criteria would have matched (whether the
    subscription is active or paused), newest first, with reasons and a weekly rate."""
    row = await pool.fetchrow(q("get_subscription"), subscription_id, freelancer.id)
    if row is None:
        raise _not_found("subscription")
    criteria = criteria_from_row(row)
    found: list[PreviewGig] = []
    count = 0
    for gig_row in await pool.fetch(q("recent_gigs"), days, PREVIEW_SCAN_LIMIT):
        gig = GigBody.model_validate(gig_row["body"])
        facts = GigFacts.from_gig(gig)
        if not matches(criteria, facts):
            continue
        count += 1
        if len(found) < 50:
            reasons = explain(criteria, facts, gig.rate_source)
            found.append(
                PreviewGig(
                    gig_id=gig.gig_id,
                    title=gig.title,
                    url=gig.url,
                    received_at=gig_row["received_at"],
                    reasons_ja=[r.text_ja for r in reasons],
                    reasons_en=[r.text_en for r in reasons],
                )
            )
    return Preview(days=days, count=count, per_week=round(count * 7 / days, 1), gigs=found)
