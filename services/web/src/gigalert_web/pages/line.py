"""POST /line/webhook: LINE's servers call it; the signature is checked before anything."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse

from gigalert_web import line_webhook
from gigalert_web.deps import PoolDep, SettingsDep
from gigalert_web.metrics import LINE_EVENTS

router = APIRouter(tags=["line"])


@router.post("/line/webhook")
async def webhook(request: Request, pool: PoolDep, settings: SettingsDep) -> JSONResponse:
    """Follow, unfollow and link-code messages from the official account. A missing or
    wrong `X-Line-Signature` answers 401 and nothing is read or stored."""
    body = await request.body()
    if len(body) > line_webhook.MAX_BODY:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "body too large")
    secret = settings.web.line_channel_secret
    if secret is None or not line_webhook.signature_ok(
        body, request.headers.get("x-line-signature"), secret.get_secret_value()
    ):
        LINE_EVENTS.labels("any", "bad_signature").inc()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "bad or missing X-Line-Signature")
    key = settings.channel_secret_key.get_secret_value()
    outcomes = []
    for event in line_webhook.parse_events(body):
        outcome = await line_webhook.handle(pool, settings.web, key, event)
        LINE_EVENTS.labels(event.kind, outcome.split()[0]).inc()
        outcomes.append(outcome)
    return JSONResponse({"handled": len(outcomes)})
