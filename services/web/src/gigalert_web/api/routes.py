"""The freelancer JSON API: freelancers, alert history and tokens here; channels and searches
in their own routers, mounted here. A freelancer sees only their own data: another
freelancer's ids answer 404, exactly like ids that do not exist."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from gigalert_web import alert_history
from gigalert_web.api import channel_routes, search_routes
from gigalert_web.api.answers import TOO_MANY, not_found
from gigalert_web.api.auth import TokenOwner
from gigalert_web.deps import PoolDep, SettingsDep, client_ip
from gigalert_web.repository import accounts, api_tokens, rate_limits
from gigalert_web.schemas import (
    AlertPage,
    FreelancerCreated,
    FreelancerIn,
    FreelancerOut,
    TokenCreated,
    TokenIn,
    TokenOut,
)
from gigalert_web.tokens import digest, new_api_token

router = APIRouter(prefix="/v1")


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
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many sign-ups", TOO_MANY)
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


router.include_router(channel_routes.router)
router.include_router(search_routes.router)


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
        raise not_found("token")
    return Response(status_code=204)
