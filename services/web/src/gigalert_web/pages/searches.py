"""Saved searches: list, create, edit with a live preview, pause, resume, duplicate, delete."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from gigalert_shared.taxonomy import load_taxonomy
from gigalert_web import subscriptions as subs
from gigalert_web.deps import CurrentViewer, PoolDep, SettingsDep, lang_of, page
from gigalert_web.i18n import WEEKDAYS, text
from gigalert_web.pages.forms import see_other, signed_in_form
from gigalert_web.preview import RecentGigs
from gigalert_web.repository import channels, searches
from gigalert_web.schemas import Preview, SubscriptionIn
from gigalert_web.search_form import DEFAULT_FORM, form_to_subscription, subscription_to_form
from gigalert_web.sessions import Viewer

router = APIRouter(include_in_schema=False)


def _domains(lang: str) -> list[tuple[str, str]]:
    return [(d.key, d.label_ja if lang == "ja" else d.label_en) for d in load_taxonomy()]


async def _form_page(
    request: Request,
    viewer: Viewer,
    pool: PoolDep,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    action: str,
    preview: Preview | None,
    limited: bool = False,
    autoload: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    """The form; ``autoload``: its preview follows by htmx (a saved search with a criterion)."""
    lang = lang_of(request, viewer)
    own_channels = await channels.choices_for(pool, freelancer_id=viewer.id)
    return page(
        request,
        "search_form.html",
        viewer,
        values=values,
        errors=errors,
        action=action,
        preview=preview,
        limited=limited,
        autoload=autoload,
        domains=_domains(lang),
        weekdays=WEEKDAYS[lang],
        channels=own_channels,
        status_code=status_code,
    )


async def _preview(
    request: Request, settings: SettingsDep, viewer: Viewer, sub: SubscriptionIn
) -> tuple[Preview | None, bool]:
    """The preview of ``sub``, and whether the account is past its previews a minute. A form
    without a criterion gets none and spends none: opening a new search costs nothing."""
    if not subs.narrows(sub):
        return None, False
    recent: RecentGigs = request.app.state.recent_gigs
    found = await recent.preview_for(
        subs.criteria_of(sub, viewer.id), per_minute=settings.web.previews_per_minute
    )
    return found, found is None


@router.get("/searches", response_class=HTMLResponse)
async def list_searches(request: Request, viewer: CurrentViewer, pool: PoolDep) -> HTMLResponse:
    rows = await searches.list_for(pool, freelancer_id=viewer.id)
    return page(request, "searches.html", viewer, searches=rows)


@router.get("/searches/new", response_class=HTMLResponse)
async def new_search(request: Request, viewer: CurrentViewer, pool: PoolDep) -> HTMLResponse:
    return await _form_page(
        request,
        viewer,
        pool,
        values=dict(DEFAULT_FORM),
        errors={},
        action="/searches",
        preview=None,
    )


@router.post("/searches", response_class=HTMLResponse)
async def create_search(
    request: Request, viewer: CurrentViewer, pool: PoolDep, settings: SettingsDep
) -> Response:
    return await _save(request, viewer, pool, settings, None)


@router.post("/searches/preview", response_class=HTMLResponse)
async def live_preview(
    request: Request, viewer: CurrentViewer, settings: SettingsDep
) -> HTMLResponse:
    """The preview fragment htmx swaps in while the form is edited."""
    form = await signed_in_form(request, viewer)
    sub, errors = form_to_subscription(form)
    preview, limited = (
        (None, False) if sub is None else await _preview(request, settings, viewer, sub)
    )
    return page(request, "_preview.html", viewer, preview=preview, errors=errors, limited=limited)


@router.get("/searches/{subscription_id}", response_class=HTMLResponse)
async def edit_search(
    request: Request,
    subscription_id: UUID,
    viewer: CurrentViewer,
    pool: PoolDep,
) -> HTMLResponse:
    """The form at once; its preview follows (htmx loads it, or the preview button)."""
    found = await searches.get(pool, subscription_id=subscription_id, freelancer_id=viewer.id)
    if found is None:
        raise HTTPException(404)
    return await _form_page(
        request,
        viewer,
        pool,
        values=subscription_to_form(found),
        errors={},
        action=f"/searches/{subscription_id}",
        preview=None,
        autoload=subs.narrows(subs.as_input(found)),
    )


@router.post("/searches/{subscription_id}", response_class=HTMLResponse)
async def update_search(
    request: Request,
    subscription_id: UUID,
    viewer: CurrentViewer,
    pool: PoolDep,
    settings: SettingsDep,
) -> Response:
    return await _save(request, viewer, pool, settings, subscription_id)


async def _save(
    request: Request,
    viewer: Viewer,
    pool: PoolDep,
    settings: SettingsDep,
    subscription_id: UUID | None,
) -> Response:
    form = await signed_in_form(request, viewer)
    action = "/searches" if subscription_id is None else f"/searches/{subscription_id}"
    sub, errors = form_to_subscription(form)
    if (
        sub is not None
        and sub.channel_ids
        and not set(sub.channel_ids) <= await subs.own_channel_ids(pool, viewer.id)
    ):
        sub, errors = None, {"channel_ids": "unknown channel"}
    if sub is None:
        return await _form_page(
            request,
            viewer,
            pool,
            values=_echo(form),
            errors=errors,
            action=action,
            preview=None,
            status_code=422,
        )
    if form.get("intent") == "preview":  # the no-JavaScript preview button
        preview, limited = await _preview(request, settings, viewer, sub)
        return await _form_page(
            request,
            viewer,
            pool,
            values=_echo(form),
            errors={},
            action=action,
            preview=preview,
            limited=limited,
        )
    if subscription_id is None:
        try:
            await subs.insert(pool, viewer.id, sub)
        except subs.TooManySearches:
            return await _form_page(
                request,
                viewer,
                pool,
                values=_echo(form),
                errors={"name": f"at most {subs.MAX_SUBSCRIPTIONS}"},
                action=action,
                preview=None,
                status_code=409,
            )
    elif await subs.update(pool, viewer.id, subscription_id, sub) is None:
        raise HTTPException(404)
    return see_other("/searches")


def _echo(form: dict[str, Any]) -> dict[str, Any]:
    values = dict(DEFAULT_FORM)
    values.update({k: v for k, v in form.items() if k in DEFAULT_FORM})
    values["include_unknown_rate"] = form.get("include_unknown_rate") == "on"
    for key in ("remote_modes", "domains", "channel_ids"):
        values[key] = form.get(key) or []
    return values


async def _duplicate(
    pool: PoolDep, *, subscription_id: UUID, freelancer_id: UUID, suffix: str
) -> bool:
    found = await searches.get(pool, subscription_id=subscription_id, freelancer_id=freelancer_id)
    if found is None:
        return False
    copy = subs.as_input(found, name=(found.name + suffix)[:100])
    with contextlib.suppress(subs.TooManySearches):
        await subs.insert(pool, freelancer_id, copy)
    return True


# Each falsy when the search is not the viewer's.
_ACTIONS: dict[str, Callable[..., Awaitable[object]]] = {
    "pause": partial(searches.set_active, active=False),
    "resume": partial(searches.set_active, active=True),
    "delete": searches.delete,
}


@router.post("/searches/{subscription_id}/{action}")
async def act(
    request: Request, subscription_id: UUID, action: str, viewer: CurrentViewer, pool: PoolDep
) -> Response:
    """Pause, resume, delete or duplicate a search."""
    if action not in (*_ACTIONS, "duplicate"):
        raise HTTPException(404)
    await signed_in_form(request, viewer)
    if action == "duplicate":
        suffix = text(lang_of(request, viewer), "searches.copy_suffix")
        done = await _duplicate(
            pool, subscription_id=subscription_id, freelancer_id=viewer.id, suffix=suffix
        )
    else:
        done = bool(
            await _ACTIONS[action](pool, subscription_id=subscription_id, freelancer_id=viewer.id)
        )
    if not done:
        raise HTTPException(404)
    return see_other("/searches")
