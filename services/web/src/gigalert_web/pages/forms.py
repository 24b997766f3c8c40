"""Reading a posted form, and redirects after a post (303, so a reload never re-posts)."""

from __future__ import annotations

from typing import Any, Final

from fastapi import Request
from fastapi.responses import RedirectResponse

from gigalert_web.deps import check_csrf
from gigalert_web.sessions import Viewer

_LISTS: Final = frozenset({"remote_modes", "domains", "channel_ids"})
MAX_FIELD: Final = 2000


async def read_form(request: Request) -> dict[str, Any]:
    form = await request.form(max_files=0, max_fields=100)
    values: dict[str, Any] = {}
    for key in form:
        items = [v[:MAX_FIELD] for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if key in _LISTS else (items[-1] if items else "")
    return values


async def signed_in_form(request: Request, viewer: Viewer) -> dict[str, Any]:
    """The form of a signed-in page: refused (403) without its session's CSRF token."""
    values = await read_form(request)
    check_csrf(viewer, values.get("csrf"), request)
    return values


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """Only a path on this site: never //host or a scheme."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:300]
    return "/"
