"""One-click unsubscribe (the link and List-Unsubscribe header in alert mail): the signed
token names the subscriptions that matched; following it pauses them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from gigalert_matcher.api.deps import PoolDep
from gigalert_shared.crypto import Signer

router = APIRouter(prefix="/v1", tags=["unsubscribe"])

_PAGE = """<!doctype html><html lang="ja"><meta charset="utf-8"><title>gigalert</title>
<p>配信を停止しました（{n}件の条件を一時停止）。アプリからいつでも再開できます。</p>
<p>Alerts paused for {n} saved search(es). Resume them any time.</p></html>"""


async def _pause(request: Request, pool: PoolDep, token: str) -> HTMLResponse:
    signer: Signer = request.app.state.unsubscribe_signer
    value = signer.verify(token) if len(token) < 2000 else None
    if value is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown or expired link")
    try:
        ids = [UUID(v) for v in value.split(",")]
    except ValueError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown or expired link") from None
    result = await pool.execute(
        "UPDATE subscriptions SET active = false, updated_at = now() "
        "WHERE id = ANY($1::uuid[]) AND active",
        ids,
    )
    return HTMLResponse(_PAGE.format(n=int(result.split()[-1])))


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_link(request: Request, pool: PoolDep, token: str) -> HTMLResponse:
    return await _pause(request, pool, token)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_one_click(request: Request, pool: PoolDep, token: str) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe (mail clients POST to the List-Unsubscribe URL)."""
    return await _pause(request, pool, token)
