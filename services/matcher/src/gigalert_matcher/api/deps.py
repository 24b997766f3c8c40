"""FastAPI dependencies: the pool, and the freelancer behind a bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gigalert_matcher.repository import q
from gigalert_matcher.security import hash_token
from gigalert_shared.auth_limit import TOO_MANY_FAILURES, AuthFailureLimiter, client_key


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]

_bearer = HTTPBearer(auto_error=False, description="The token from POST /v1/freelancers.")


@dataclass(frozen=True, slots=True)
class Freelancer:
    id: UUID
    display_name: str
    locale: str
    timezone: str


async def current_freelancer(
    request: Request,
    pool: PoolDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Freelancer:
    limiter: AuthFailureLimiter = request.app.state.auth_limiter
    client = client_key(request.client)
    if (wait := limiter.retry_after(client)) is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_FAILURES, headers={"Retry-After": str(wait)}
        )
    token = credentials.credentials if credentials else ""
    row = None
    if token and len(token) <= 200:
        row = await pool.fetchrow(q("freelancer_by_token_hash"), hash_token(token))
    if row is None:
        if token:
            limiter.record_failure(client)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or unknown bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Freelancer(row["id"], row["display_name"], row["locale"], row["timezone"])


CurrentFreelancer = Annotated[Freelancer, Depends(current_freelancer)]
