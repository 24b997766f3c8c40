"""The one way the HTTP APIs check a credential, as FastAPI dependencies.

:func:`credential_guard` resolves a presented credential with the service's own async lookup;
:func:`token_guard` compares it with configured tokens (admin, metrics) in constant time.
Both answer a missing or wrong credential with 401 and ``WWW-Authenticate``, and a wrong one
from an address with too many failures with 429 (:mod:`gigalert_shared.auth_limit`, the
limiter in ``app.state.auth_limiter``). A valid credential is checked first and always works.

Wrap the guard in an alias where the service defines it, as the FastAPI template does::

    token_owner = credential_guard(freelancer_by_token, credential=bearer_credential(), ...)
    TokenOwner = Annotated[Viewer, Depends(token_owner)]
"""

# No `from __future__ import annotations` here: FastAPI reads the guards' signatures, and
# their annotations name each factory's local dependency.

import hmac
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from gigalert_shared.auth_limit import AuthFailureLimiter, client_key, too_many_failures

__all__ = [
    "MAX_CREDENTIAL_CHARS",
    "Credential",
    "Lookup",
    "Refused",
    "api_key_credential",
    "bearer_credential",
    "configured_token",
    "credential_guard",
    "token_guard",
    "token_matches",
]

T = TypeVar("T")

MAX_CREDENTIAL_CHARS = 200  # longer is never a key or token of ours: not looked up
Credential = Callable[..., Awaitable[str]]
"""A FastAPI dependency giving the credential the request presents ("" when none)."""
Lookup = Callable[[Request, str], Awaitable[T | None]]
"""A service's lookup of a presented credential: its owner, or None when unknown."""


class Refused(Exception):
    """Raised by a lookup for a credential that is known but may not be used any more (a
    revoked key): answered 403 with ``detail``, and counted as a failure."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def bearer_credential(description: str | None = None) -> Credential:
    """The token of ``Authorization: Bearer <token>`` (documented as HTTP bearer security)."""
    scheme = HTTPBearer(auto_error=False, description=description)

    async def bearer(
        found: Annotated[HTTPAuthorizationCredentials | None, Depends(scheme)],
    ) -> str:
        return found.credentials if found else ""

    return bearer


def api_key_credential(description: str) -> Credential:
    """The value of the ``X-API-Key`` header (documented as a header parameter)."""

    async def api_key(
        x_api_key: Annotated[str | None, Header(description=description)] = None,
    ) -> str:
        return x_api_key or ""

    return api_key


def configured_token(secret: SecretStr | None) -> str | None:
    """A token setting's value, or None when it is unset *or empty*: an empty token turns
    its endpoints off, it never opens them."""
    if secret is None:
        return None
    value = secret.get_secret_value()
    return value if value.strip() else None


def token_matches(given: str, accepted: Sequence[str]) -> bool:
    """Whether ``given`` is one of ``accepted``, compared in constant time."""
    ok = False
    for expected in accepted:  # every one compared: no early exit on a match
        ok |= bool(given) and hmac.compare_digest(given.encode(), expected.encode())
    return ok


def _failure(request: Request) -> int | None:
    """Count a failed credential; ``Retry-After`` seconds when the address is blocked."""
    limiter: AuthFailureLimiter = request.app.state.auth_limiter
    return limiter.failed(client_key(request.client))


def _unauthorized(request: Request, given: str, detail: str, challenge: str) -> HTTPException:
    # Presenting nothing is not a failure: nobody is guessing.
    if given and (wait := _failure(request)) is not None:
        return too_many_failures(wait)
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": challenge}
    )


def credential_guard(
    lookup: Lookup[T], *, credential: Credential, detail: str, challenge: str = "Bearer"
) -> Callable[..., Awaitable[T]]:
    """A dependency giving the owner of the presented credential, as ``lookup`` finds it;
    401 with ``detail`` and ``WWW-Authenticate: <challenge>`` when there is none."""

    async def guard(request: Request, given: Annotated[str, Depends(credential)]) -> T:
        found: T | None = None
        if given and len(given) <= MAX_CREDENTIAL_CHARS:
            try:
                found = await lookup(request, given)
            except Refused as refused:
                if (wait := _failure(request)) is not None:
                    raise too_many_failures(wait) from None
                raise HTTPException(status.HTTP_403_FORBIDDEN, refused.detail) from None
        if found is None:
            raise _unauthorized(request, given, detail, challenge)
        return found

    return guard


def token_guard(
    tokens: Sequence[SecretStr | None], *, detail: str, unset_status: int, unset_detail: str
) -> Callable[..., Awaitable[None]]:
    """A dependency passing ``Authorization: Bearer`` one of ``tokens``; 401 with ``detail``
    otherwise. With no token set (unset or empty), every request gets ``unset_status``."""
    accepted = [t for t in map(configured_token, tokens) if t]
    credential = bearer_credential()

    async def guard(request: Request, given: Annotated[str, Depends(credential)]) -> None:
        if not accepted:
            raise HTTPException(unset_status, unset_detail)
        if not token_matches(given, accepted):
            raise _unauthorized(request, given, detail, "Bearer")

    return guard
