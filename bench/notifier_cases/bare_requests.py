"""Baseline: a ``requests.post`` loop, a connection per POST (as Apprise's json plugin)."""

from __future__ import annotations

import asyncio
import time

from bench.notifier_cases.bare_httpx import payload
from bench.notifier_cases.baseline import (
    Baseline,
    count_tag,
)
from bench.notifier_cases.context import Context


async def run(ctx: Context) -> list[Baseline]:
    hooks = ctx.webhook_log
    assert hooks is not None
    n = ctx.args.baseline_messages
    base = f"http://127.0.0.1:{ctx.webhook_port}/hook/"
    body = payload()

    def requests_loop() -> tuple[float, float]:
        import requests

        t, c = time.perf_counter(), time.thread_time()
        for i in range(n):
            requests.post(f"{base}requests-{i}", json=body, timeout=10).raise_for_status()
        return time.perf_counter() - t, time.thread_time() - c

    since = len(hooks.lines())
    secs, cpu = await asyncio.to_thread(requests_loop)
    await asyncio.sleep(0.3)
    return [
        Baseline(
            "webhook: `requests.post` loop, a connection per POST (as Apprise), sequential",
            n,
            secs,
            count_tag(hooks, "requests", since),
            cpu,
        )
    ]
