"""Saved searches: list, create, edit with a live preview, pause, resume, duplicate, delete."""

from __future__ import annotations

import contextlib
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
from gigalert_web.repository import q
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
    status_code: int = 200,
) -> HTMLResponse:
    lang = lang_of(request, viewer)
    channels = await pool.fetch(q("list_channels"), viewer.id)
    return page(
        request,
        "search_form.html",
        viewer,
        values=values,
        errors=errors,
        action=action,
        preview=preview,
        domains=_domains(lang),
        weekdays=WEEKDAYS[lang],
        channels=channels,
        csrf=viewer.csrf_token,
        status_code=status_code,
    )


async def _preview(
    request: Request, pool: PoolDep, settings: SettingsDep, viewer: Viewer, sub: SubscriptionIn
) -> Preview | None:
    recent: RecentGigs = request.app.state.recent_gigs
    return await recent.preview_for(
        subs.criteria_of(sub, viewer.id), per_minute=settings.web.previews_per_minute
    )


@router.get("/searches", response_class=HTMLResponse)
async def list_searches(request: Request, viewer: CurrentViewer, pool: PoolDep) -> HTMLResponse:
    rows = await pool.fetch(q("list_subscriptions"), viewer.id)
    return page(request, "searches.html", viewer, searches=rows, csrf=viewer.csrf_token)


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
    request: Request, viewer: CurrentViewer, pool: PoolDep, settings: SettingsDep
) -> HTMLResponse:
    """The preview fragment htmx swaps in while the form is edited."""
    form = await signed_in_form(request, viewer)
    sub, errors = form_to_subscription(form)
    preview = None if sub is None else await _preview(request, pool, settings, viewer, sub)
    limited = sub is not None and preview is None
    return page(request, "_preview.html", viewer, preview=preview, errors=errors, limited=limited)


@router.get("/searches/{subscription_id}", response_class=HTMLResponse)
async def edit_search(
    request: Request,
    subscription_id: UUID,
    viewer: CurrentViewer,
    pool: PoolDep,
) -> HTMLResponse:
    """The form at once; its preview follows (htmx loads it, or the preview button)."""
    row = await pool.fetchrow(q("get_subscription"), subscription_id, viewer.id)
    if row is None:
        raise HTTPException(404)
    return await _form_page(
        request,
        viewer,
        pool,
        values=subscription_to_form(row),
        errors={},
        action=f"/searches/{subscription_id}",
        preview=None,
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
        return await _form_page(
            request,
            viewer,
            pool,
            values=_echo(form),
            errors={},
            action=action,
            preview=await _preview(request, pool, settings, viewer, sub),
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


async def _act(request: Request, viewer: Viewer, pool: PoolDep, query: str, *args: Any) -> Response:
    await signed_in_form(request, viewer)
    if await pool.fetchval(q(query), *args) is None:
        raise HTTPException(404)
    return see_other("/searches")


@router.post("/searches/{subscription_id}/pause")
async def pause(
    request: Request, subscription_id: UUID, viewer: CurrentViewer, pool: PoolDep
) -> Response:
    return await _act(
        request, viewer, pool, "set_subscription_active", subscription_id, viewer.id, False
    )


@router.post("/searches/{subscription_id}/resume")
async def resume(
    request: Request, subscription_id: UUID, viewer: CurrentViewer, pool: PoolDep
) -> Response:
    return await _act(
        request, viewer, pool, "set_subscription_active", subscription_id, viewer.id, True
    )


@router.post("/searches/{subscription_id}/delete")
async def delete(
    request: Request, subscription_id: UUID, viewer: CurrentViewer, pool: PoolDep
) -> Response:
    return await _act(request, viewer, pool, "delete_subscription", subscription_id, viewer.id)


@router.post("/searches/{subscription_id}/duplicate")
async def duplicate(
    request: Request, subscription_id: UUID, viewer: CurrentViewer, pool: PoolDep
) -> Response:
    await signed_in_form(request, viewer)
    row = await pool.fetchrow(q("get_subscription"), subscription_id, viewer.id)
    if row is None:
        raise HTTPException(404)
    copy = SubscriptionIn.model_validate(
        {
            **{k: row[k] for k in SubscriptionIn.model_fields if k != "name"},
            "name": (row["name"] + text(lang_of(request, viewer), "searches.copy_suffix"))[:100],
        }
    )
    with contextlib.suppress(subs.TooManySearches):
        await subs.insert(pool, viewer.id, copy)
    return see_other("/searches")
