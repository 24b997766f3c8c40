"""Baselines: POST loops to the webhook endpoint, sequential: httpx with keep-alive, and
``requests.post`` with a connection per POST (as Apprise's json plugin)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.notifier_cases.baseline import Baseline, count_tag, sample_rendered
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


def post_loop(post: Callable[[str], None], base: str, tag: str, n: int) -> list[float]:
    """``n`` posts to ``base + tag-i``; each one's seconds."""
    lat: list[float] = []
    for i in range(n):
        t0 = time.perf_counter()
        post(f"{base}{tag}-{i}")
        lat.append(time.perf_counter() - t0)
    return lat


async def run(ctx: Context) -> list[Baseline]:
    hooks = ctx.webhook_log
    assert hooks is not None
    n = ctx.args.baseline_messages
    base = f"http://127.0.0.1:{ctx.webhook_port}/hook/"
    body = payload()
    out: list[Baseline] = []

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
    label = "webhook floor: httpx POST loop, keep-alive, sequential"
    received = count_tag(hooks, "httpx", since)
    out.append(Baseline(label, n, secs, received, cpu, pct(lat, 0.5), pct(lat, 0.99)))

    def requests_loop() -> tuple[float, float]:
        import requests

        def post(url: str) -> None:
            requests.post(url, json=body, timeout=10).raise_for_status()

        t, c = time.perf_counter(), time.thread_time()
        post_loop(post, base, "requests", n)
        return time.perf_counter() - t, time.thread_time() - c

    since = len(hooks.lines())
    secs, cpu = await asyncio.to_thread(requests_loop)
    await asyncio.sleep(0.3)
    label = "webhook: `requests.post` loop, a connection per POST (as Apprise), sequential"
    out.append(Baseline(label, n, secs, count_tag(hooks, "requests", since), cpu))
    return out
