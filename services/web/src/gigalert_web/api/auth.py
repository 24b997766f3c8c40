"""The freelancer API's credential: an API token (from the account page or the sign-up
answer) as `Authorization: Bearer …`. Failures from one client are limited (429); a valid
token is never refused for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gigalert_shared.auth_limit import AuthFailureLimiter, client_key, too_many_failures
from gigalert_web.deps import PoolDep
from gigalert_web.repository import api_tokens
from gigalert_web.sessions import Viewer
from gigalert_web.tokens import digest

_bearer = HTTPBearer(
    auto_error=False, description="An API token (account page, or POST /v1/freelancers)."
)


async def token_owner(
    request: Request,
    pool: PoolDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    limiter: AuthFailureLimiter = request.app.state.auth_limiter
    token = credentials.credentials if credentials else ""
    owner = None
    if token and len(token) <= 200:
        owner = await api_tokens.owner(pool, token_hash=digest(token))
    if owner is None:
        # Only failing attempts are limited: a valid token works from a blocked address.
        if token and (wait := limiter.failed(client_key(request.client))) is not None:
            raise too_many_failures(wait)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or unknown bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Viewer.of(owner)


TokenOwner = Annotated[Viewer, Depends(token_owner)]
