"""How the freelancer API answers what it cannot do: 404 for ids that are not the caller's
(exactly like ids that do not exist), 422 for one field, Retry-After for limits."""

from __future__ import annotations

from typing import Final, TypeVar

from fastapi import HTTPException, status

T = TypeVar("T")

TOO_MANY: Final = {"Retry-After": "3600"}


def not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")


def or_404(value: T | None, what: str) -> T:
    """``value``, or 404."""
    if value is None:
        raise not_found(what)
    return value


def field_error(field: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        [{"loc": ["body", field], "msg": message, "type": "value_error"}],
    )
