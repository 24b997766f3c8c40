"""Baseline: an httpx POST loop (keep-alive, sequential) to the webhook endpoint."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bench.notifier_cases.baseline import (
    Baseline,
    count_tag,
    sample_rendered,
)
from bench.notifier_cases.context import Context
from tests.support.stats import pct


def payload() -> dict[str, Any]:
    """What Apprise's json:// plugin posts, with a realistic markdown alert."""
    _, _, markdown, _ = sample_rendered()
    return {
        "version": "1.0",
        "title": "【新着案件】ベンチ",
        "message": markdown,
        "attachments": [],
        "type": "info",
    }


async def run(ctx: Context) -> list[Baseline]:
    hooks = ctx.webhook_log
    assert hooks is not None
    n = ctx.args.baseline_messages
    base = f"http://127.0.0.1:{ctx.webhook_port}/hook/"
    body = payload()
    since = len(hooks.lines())
    lat: list[float] = []
    async with httpx.AsyncClient(timeout=10) as c:
        (await c.post(f"{base}warm", json=body)).raise_for_status()
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            t0 = time.perf_counter()
            (await c.post(f"{base}httpx-{i}", json=body)).raise_for_status()
            lat.append(time.perf_counter() - t0)
        secs, cpu = time.perf_counter() - start, time.process_time() - cpu
    await asyncio.sleep(0.3)
    return [
        Baseline(
            "webhook floor: httpx POST loop, keep-alive, sequential",
            n,
            secs,
            count_tag(hooks, "httpx", since),
            cpu,
            pct(lat, 0.5),
            pct(lat, 0.99),
        )
    ]
