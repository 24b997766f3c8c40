"""The web app: the freelancer's pages, the freelancer JSON API, the LINE webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gigalert_shared.crypto import SecretBox, Signer
from gigalert_shared.db import Conn, create_pool
from gigalert_shared.http_middleware import RequestObserver
from gigalert_shared.retention import prune_once_across_replicas, table_stats
from gigalert_shared.service_app import service_app
from gigalert_shared.settings import Settings, get_settings
from gigalert_web.api.routes import router as api_router
from gigalert_web.channel_flows import SlackTester
from gigalert_web.deps import CsrfFailed, LoginRequired, page
from gigalert_web.http_safety import SecurityMiddleware
from gigalert_web.mailer import Mailer
from gigalert_web.metrics import REQUEST_SECONDS, REQUESTS, TABLE_BYTES, TABLE_ROWS
from gigalert_web.pages import account, auth, channels, home, line, searches, unsubscribe
from gigalert_web.preview import RecentGigs

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def _count_request(route: str, status: int, seconds: float) -> None:
    """Counts and times every request by its route template (500 when handling raised)."""
    REQUESTS.labels(route, str(status)).inc()
    REQUEST_SECONDS.labels(route).observe(seconds)


async def refresh_table_metrics(conn: Conn) -> None:
    """Set ``gigalert_table_rows`` and ``gigalert_table_bytes`` for every pruned table."""
    for table, (rows, size) in (await table_stats(conn)).items():
        TABLE_ROWS.labels(table).set(rows)
        TABLE_BYTES.labels(table).set(size)


async def _housekeeping(app: FastAPI, retention_days: int) -> None:
    """Hourly: the table size gauges (every replica; at start too), then, on one replica at
    a time, drop expired links, sessions and rate events, and every row past retention
    (gigalert_shared.retention)."""
    while True:
        try:
            async with app.state.pool.acquire() as conn:
                await refresh_table_metrics(conn)
        except Exception:
            log.exception("table metrics failed; retried in an hour")
        await asyncio.sleep(3600)
        try:
            async with app.state.pool.acquire() as conn:
                await prune_once_across_replicas(conn, retention_days)
        except Exception:
            log.exception("housekeeping failed; retried in an hour")


def create_app(settings: Settings | None = None) -> FastAPI:
    cfg = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await create_pool(cfg.postgres)
        app.state.pool = pool
        app.state.recent_gigs = RecentGigs(pool)
        app.state.slack_tester = SlackTester()
        task = asyncio.create_task(_housekeeping(app, cfg.retention_days))
        log.info("web started", extra={"public_base_url": cfg.web.public_base_url})
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await app.state.slack_tester.close()
            await pool.close()
            log.info("web stopped")

    app = service_app(
        cfg.http,
        title="gigalert web",
        description=(
            "The freelancer's side of gigalert. People use the pages (sign in by email "
            "link). Scripts use this API with an API token from the account page (or from "
            "`POST /v1/freelancers`), sent as `Authorization: Bearer …`."
        ),
        lifespan=lifespan,
        api_headers=False,  # SecurityMiddleware: the pages' headers
    )
    app.state.settings = cfg
    app.state.mailer = Mailer(cfg.smtp)
    app.state.secret_box = SecretBox.from_settings(cfg)
    app.state.unsubscribe_signer = Signer.from_settings(cfg, "unsubscribe")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/"})
        return RedirectResponse("/", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        return page(request, "message.html", None, key="forbidden", status_code=403)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        wants_json = request.url.path.startswith("/v1/") and not request.url.path.startswith(
            "/v1/unsubscribe/"
        )
        if wants_json or request.url.path.startswith("/line/"):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        key = "not_found" if exc.status_code == 404 else "forbidden"
        response: HTMLResponse = page(
            request, "message.html", None, key=key, status_code=exc.status_code
        )
        return response

    for router in (
        auth.router,
        home.router,
        searches.router,
        channels.router,
        account.router,
        unsubscribe.router,
        line.router,
        api_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(
        SecurityMiddleware,
        allowed_origin=_origin(cfg.web.public_base_url),
        https=cfg.web.public_base_url.startswith("https://"),
    )
    app.add_middleware(RequestObserver, observe=_count_request)
    return app


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
