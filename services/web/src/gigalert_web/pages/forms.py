"""Reading a posted form, mailing a link from a page, and redirects after a post (303, so a
reload never re-posts)."""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gigalert_shared.db import Db
from gigalert_shared.settings import Settings
from gigalert_web import mail_links
from gigalert_web.deps import check_csrf, client_ip, lang_of, page
from gigalert_web.mailer import MailError
from gigalert_web.repository.mail_links import Purpose
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


async def signed_in_text(request: Request, viewer: Viewer, name: str) -> str:
    """One text field of a signed-in form, stripped."""
    return str((await signed_in_form(request, viewer)).get(name, "")).strip()


def invalid_link(request: Request) -> HTMLResponse:
    """The answer to a mailed link that is unknown, expired, used or of another purpose."""
    return page(request, "message.html", None, key="link.invalid", status_code=404)


async def link_button(
    request: Request, db: Db, token: str, purpose: Purpose, template: str
) -> HTMLResponse:
    """A mailed link's page: a button that uses it (a GET spends nothing, as mail scanners
    open links), or the invalid-link answer."""
    link = await mail_links.peek(db, token, purpose)
    if link is None:
        return invalid_link(request)
    return page(request, template, None, token=token, email=link.email)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """Only a path on this site: never //host or a scheme."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:300]
    return "/"


async def mail_link(
    request: Request,
    db: Db,
    settings: Settings,
    viewer: Viewer | None,
    *,
    purpose: Purpose,
    email: str,
    channel_id: UUID | None = None,
) -> HTMLResponse | None:
    """Mail a link; the 429 page past the client's limit, else None (a failed send is
    logged and answered like a sent one)."""
    try:
        await mail_links.send_link(
            db,
            request.app.state.mailer,
            settings.web,
            purpose=purpose,
            email=email,
            lang=lang_of(request, viewer),
            ip=client_ip(request),
            freelancer_id=viewer.id if viewer else None,
            channel_id=channel_id,
        )
    except mail_links.TooManyMails:
        return page(request, "message.html", viewer, key="too_many", status_code=429)
    except MailError:
        pass
    return None
