"""Home and alert history (受信した案件)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gigalert_web import alert_history
from gigalert_web.deps import CurrentViewer, PoolDep, page
from gigalert_web.repository import accounts, searches

router = APIRouter(include_in_schema=False)


@router.get("/home", response_class=HTMLResponse)
async def home(request: Request, viewer: CurrentViewer, pool: PoolDep) -> HTMLResponse:
    progress = await accounts.setup_progress(pool, freelancer_id=viewer.id)
    recent = await alert_history.page_of_alerts(
        pool, viewer.id, subscription_id=None, cursor=None, size=5
    )
    return page(
        request,
        "home.html",
        viewer,
        has_channel=progress.has_channel,
        has_search=progress.has_search,
        alerts=recent.alerts,
    )


@router.get("/alerts", response_class=HTMLResponse)
async def alerts(
    request: Request,
    viewer: CurrentViewer,
    pool: PoolDep,
    search: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    try:
        search_id = UUID(search) if search else None
    except ValueError:
        search_id = None
    found = await alert_history.page_of_alerts(
        pool, viewer.id, subscription_id=search_id, cursor=cursor
    )
    return page(
        request,
        "alerts.html",
        viewer,
        page_=found,
        searches=await searches.choices_for(pool, freelancer_id=viewer.id),
        search=str(search_id) if search_id else "",
    )
