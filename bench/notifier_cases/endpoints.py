"""The bench's own processes (sub-commands of ``bench.notifier_bench``): a local webhook
endpoint, and the real DeliveryWorker with its sender redirected to it."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import IO, Any

from gigalert_shared.settings import Settings
from tests.support.smtp_sink import until_signal


def webhook_app(out: IO[str]) -> Any:
    async def app(
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = bool(message.get("more_body", False))
        out.write(f"{time.time():.6f}\t{scope['path']}\n")
        out.flush()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok":true}'})

    return app


async def run_webhook(port: int, out: IO[str]) -> None:
    import uvicorn

    config = uvicorn.Config(
        webhook_app(out),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="httptools",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            return
        await asyncio.sleep(0.02)
    print("ready", flush=True)
    await task


async def run_worker(webhook_port: int) -> list[float]:
    """The real DeliveryWorker, its sender redirected to a local json:// endpoint."""
    from gigalert_notifier.outcome import SendOutcome
    from gigalert_notifier.schedule import SystemClock
    from gigalert_notifier.sending import send
    from gigalert_notifier.worker import DeliveryWorker
    from gigalert_shared.db import create_pool
    from gigalert_shared.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_level, "bench-worker")
    pool = await create_pool(settings.postgres)
    target = f"json://127.0.0.1:{webhook_port}/hook/"
    durations: list[float] = []

    async def sender(
        url: str,
        *,
        title: str,
        body: str,
        body_format: str,
        timeout: float,
        text: str | None = None,
        mail: object = None,  # email only
    ) -> SendOutcome:
        hook = url.rstrip("/").rsplit("/", 1)[-1]
        start = time.perf_counter()
        outcome = await send(
            target + hook, title=title, body=body, body_format=body_format, timeout=timeout
        )
        durations.append(time.perf_counter() - start)
        return outcome

    warm = await send(target + "warm-up", title="w", body="w", body_format="markdown", timeout=10)
    if not warm.ok:
        raise SystemExit(f"warm-up send failed: {warm.error}")
    worker = DeliveryWorker(pool, settings, clock=SystemClock(), sender=sender)
    gc.freeze()  # as `gigalert notifier serve` does once started
    await worker.start()
    print("ready", flush=True)
    try:
        await until_signal()
    finally:
        await worker.stop()
        await pool.close()
    return durations
