"""The unsubscribe link of alert mail: GET shows a button (changes nothing), POST pauses
(RFC 8058 one-click too), then an undo."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gigalert_web import unsubscribe
from gigalert_web.deps import PoolDep, page
from gigalert_web.unsubscribe import Outcome

router = APIRouter(prefix="/v1", tags=["unsubscribe"])

_STATUS = {Outcome.INVALID: 404, Outcome.USED: 410}


def _answer(request: Request, token: str, result: unsubscribe.Result) -> HTMLResponse:
    return page(
        request,
        "unsubscribe.html",
        None,
        token=token,
        outcome=result.outcome.value,
        names="、".join(result.names),
        status_code=_STATUS.get(result.outcome, 200),
    )


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_page(request: Request, pool: PoolDep, token: str) -> HTMLResponse:
    """Shows what the link would pause, with a button; a GET pauses nothing (mail scanners
    prefetch links)."""
    result = await unsubscribe.look(pool, request.app.state.unsubscribe_signer, token)
    return _answer(request, token, result)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_one_click(request: Request, pool: PoolDep, token: str) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe (mail clients POST `List-Unsubscribe=One-Click`), and
    the page's button: pauses the searches the alert matched, at once. Works once."""
    result = await unsubscribe.pause(pool, request.app.state.unsubscribe_signer, token)
    return _answer(request, token, result)


@router.post("/unsubscribe/{token}/undo", response_class=HTMLResponse)
async def unsubscribe_undo(request: Request, pool: PoolDep, token: str) -> HTMLResponse:
    """Resume what this link paused (once, within 7 days)."""
    result = await unsubscribe.undo(pool, request.app.state.unsubscribe_signer, token)
    return _answer(request, token, result)
