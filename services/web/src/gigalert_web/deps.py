"""What routes share: the pool, settings, the signed-in viewer, the client's address, and
rendering pages in the viewer's language."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import asyncpg
import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gigalert_shared.auth_guards import token_matches
from gigalert_shared.crypto import shown_target
from gigalert_shared.settings import Settings
from gigalert_web.delivery_failures import delivery_failure
from gigalert_web.i18n import LANGS, Lang, pick_lang, text
from gigalert_web.sessions import Viewer, load_viewer, session_id_of

TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # every template, whatever its name: gig text is hostile
        auto_reload=False,  # templates ship with the code: no disk check per render
        trim_blocks=True,
        lstrip_blocks=True,
    )
)


def http_url(value: object) -> str | None:
    """A link target only when it is http(s): a platform's `javascript:` stays text."""
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return None


def channel_label(kind: str, target: str | None) -> str:
    """How a channel is named on a page: the address; a LINE user masked (a Slack URL is
    stored masked already)."""
    return shown_target(kind, target) or ""


def local_time(value: datetime | None, zone: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A timestamp in the viewer's time zone (Asia/Tokyo unless they chose another)."""
    if value is None:
        return ""
    try:
        tz = ZoneInfo(zone or "Asia/Tokyo")
    except (ValueError, KeyError):
        tz = ZoneInfo("Asia/Tokyo")
    return value.astimezone(tz).strftime(fmt)


TEMPLATES.env.filters["http_url"] = http_url
TEMPLATES.env.globals["channel_label"] = channel_label
TEMPLATES.env.filters["local"] = local_time
TEMPLATES.env.globals["delivery_failure"] = delivery_failure


class LoginRequired(Exception):
    """Raised by pages that need a session: answered with a redirect to the login page."""


class CsrfFailed(Exception):
    """A signed-in form without its session's token."""


def pool_of(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


# Dependencies are coroutines: FastAPI runs a plain function in a worker thread (a thread
# hop per dependency per request, a tenth of a page's time under load).
async def _pool(request: Request) -> asyncpg.Pool:
    return pool_of(request)


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def optional_viewer(request: Request, pool: PoolDep, settings: SettingsDep) -> Viewer | None:
    session_id = session_id_of(request, settings.web)
    return await load_viewer(pool, session_id) if session_id else None


async def required_viewer(viewer: Annotated[Viewer | None, Depends(optional_viewer)]) -> Viewer:
    if viewer is None:
        raise LoginRequired
    return viewer


MaybeViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(required_viewer)]


def lang_of(request: Request, viewer: Viewer | None) -> Lang:
    chosen = request.cookies.get("lang")
    if chosen in LANGS:
        return pick_lang(chosen)
    if viewer is not None:
        return pick_lang(viewer.locale)
    accept = request.headers.get("accept-language", "")
    return "en" if accept[:2].lower() == "en" else "ja"


def check_csrf(viewer: Viewer, form_token: object, request: Request) -> None:
    given = form_token if isinstance(form_token, str) else request.headers.get("x-csrf-token")
    if not token_matches(given or "", [viewer.csrf_token]):
        raise CsrfFailed


def page(
    request: Request,
    template: str,
    viewer: Viewer | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = lang_of(request, viewer)

    def t(key: str, **values: object) -> str:
        return text(lang, key, **values)

    response: HTMLResponse = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "lang": lang,
            "viewer": viewer,
            "csrf": viewer.csrf_token if viewer else "",
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
