"""The freelancer API's credential: an API token (from the account page or the sign-up
answer) as `Authorization: Bearer …`, checked by the shared credential guard. Failures from
one client are limited (429); a valid token is never refused for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gigalert_shared.auth_guards import bearer_credential, credential_guard
from gigalert_web.deps import pool_of
from gigalert_web.repository import api_tokens
from gigalert_web.sessions import Viewer
from gigalert_web.tokens import digest


async def _token_owner(request: Request, token: str) -> Viewer | None:
    found = await api_tokens.owner(pool_of(request), token_hash=digest(token))
    return None if found is None else Viewer.of(found)


token_owner = credential_guard(
    _token_owner,
    credential=bearer_credential("An API token (account page, or POST /v1/freelancers)."),
    detail="missing or unknown bearer token",
)
TokenOwner = Annotated[Viewer, Depends(token_owner)]
