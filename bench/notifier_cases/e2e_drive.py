"""The end-to-end case's drive: warm the pipeline up with probe gigs, then offer background
batches and probe gigs on a fixed schedule (an open loop)."""

from __future__ import annotations

import asyncio
import random
import time
from typing import TYPE_CHECKING, Any

import httpx

from bench.notifier_cases.context import Context
from bench.notifier_cases.e2e_data import background_gig, probe_gig
from tests.support.fleet import Process
from tests.support.machine import CpuWatch
from tests.support.stats import pct

if TYPE_CHECKING:
    from bench.notifier_cases.e2e import EndToEnd


async def warm_up(ctx: Context, client: httpx.AsyncClient) -> None:
    """Probe gigs until mail flows (consumer groups assigned, Apprise loaded)."""
    assert ctx.sink_log is not None
    args = ctx.args
    since = len(ctx.sink_log.lines())
    deadline = time.monotonic() + 90
    warm = 0
    while time.monotonic() < deadline:
        (await client.post("/v1/gigs", json=probe_gig(f"warm-{warm}"))).raise_for_status()
        warm += 1
        await asyncio.sleep(1.0)
        if len(ctx.sink_log.lines()) - since >= args.probe_freelancers:
            break
    else:
        raise RuntimeError("no mail came through the pipeline during warm-up")
    await asyncio.sleep(2.0)


async def drive(
    ctx: Context, e: EndToEnd, started: list[Process], key: str, rng: random.Random
) -> tuple[dict[str, float], int]:
    """The measured drive; when each probe was requested, and the sink's line count
    before it."""
    assert ctx.sink_log is not None
    args = ctx.args
    ingest = started[0]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{ingest.port}",
        headers={"X-API-Key": key},
        timeout=30,
        limits=limits,
    ) as client:
        await warm_up(ctx, client)
        per_batch = args.e2e_batch
        interval = per_batch / args.e2e_rate
        n_batches = int(args.e2e_seconds / interval)
        batches = [
            {"gigs": [background_gig(b * per_batch + j, rng) for j in range(per_batch)]}
            for b in range(n_batches)
        ]
        n_probes = int(args.e2e_seconds / args.probe_interval)
        bg_lat: list[float] = []
        bg_ok: list[int] = []
        probe_sent: dict[str, float] = {}
        probe_lat: list[float] = []
        errors: list[str] = []

        async def post_batch(body: dict[str, Any]) -> None:
            t = time.perf_counter()
            try:
                r = await client.post("/v1/gigs/batch", json=body)
                bg_lat.append(time.perf_counter() - t)
                if r.status_code == 202:
                    bg_ok.append(int(r.json()["accepted"]))
                else:
                    errors.append(f"batch {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"batch {type(exc).__name__}")

        async def post_probe(name: str) -> None:
            probe_sent[name] = time.time()
            t = time.perf_counter()
            try:
                r = await client.post("/v1/gigs", json=probe_gig(name))
                probe_lat.append(time.perf_counter() - t)
                if r.status_code != 202:
                    errors.append(f"probe {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"probe {type(exc).__name__}")

        loop = asyncio.get_running_loop()
        tasks: list[asyncio.Task[None]] = []
        start = loop.time() + 0.05
        schedule = [(start + b * interval, 0, b) for b in range(n_batches)] + [
            (start + args.probe_interval / 2 + k * args.probe_interval, 1, k)
            for k in range(n_probes)
        ]
        schedule.sort()
        mail_since = len(ctx.sink_log.lines())
        watch = CpuWatch({p.kind: p.pid for p in started} | {"sink": ctx.sink_pid})
        wall0 = time.perf_counter()
        for at, what, k in schedule:  # open loop: a slow answer does not delay the next
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if what == 0:
                tasks.append(asyncio.create_task(post_batch(batches[k])))
            else:
                tasks.append(asyncio.create_task(post_probe(f"probe-{k}")))
        await asyncio.gather(*tasks)
        e.seconds = time.perf_counter() - wall0
        e.cpu, e.machine_cpu = watch.stop()
        e.bg_offered = n_batches * per_batch
        e.bg_accepted = sum(bg_ok)
        e.bg_rate = e.bg_accepted / e.seconds
        e.bg_req_p50, e.bg_req_p99 = pct(bg_lat, 0.5), pct(bg_lat, 0.99)
        e.probes = len(probe_sent)
        e.probe_req_p50, e.probe_req_p99 = pct(probe_lat, 0.5), pct(probe_lat, 0.99)
        e.expected_mails = e.probes * args.probe_freelancers
        if errors:
            e.note = f"{len(errors)} request errors (first: {errors[0]})"
    return probe_sent, mail_since
