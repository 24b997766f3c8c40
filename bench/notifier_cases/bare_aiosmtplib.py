"""Baseline: aiosmtplib connections kept open, one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from bench.notifier_cases.baseline import (
    Baseline,
    count_tag,
    mail_template,
)
from bench.notifier_cases.context import Context


async def aiosmtplib_pool(port: int, n: int, tag: str, conns: int) -> tuple[float, float]:
    """``conns`` aiosmtplib connections opened first and kept, sending the same message
    (built once) in turn from one event loop; (wall seconds, CPU seconds of this process)."""
    import aiosmtplib

    template = mail_template()
    clients = [aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30) for _ in range(conns)]
    for client in clients:
        await client.connect()
    numbers = iter(range(n))

    async def run(client: Any) -> None:
        for i in numbers:
            body = template.replace(b"@@ID@@", f"{tag}-{i}".encode())
            await client.sendmail("alerts@gigalert.local", ["bench@example.jp"], body)

    start, cpu = time.perf_counter(), time.process_time()
    try:
        await asyncio.gather(*(run(c) for c in clients))
    finally:
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        for client in clients:
            with contextlib.suppress(Exception):
                await client.quit()
    return elapsed, cpu


async def run(ctx: Context) -> list[Baseline]:
    sink = ctx.sink_log
    assert sink is not None
    n = ctx.args.baseline_messages
    conc = ctx.args.smtp_concurrency[0]
    since = len(sink.lines())
    secs, cpu = await aiosmtplib_pool(ctx.sink_port, n, "aiosmtp", conc)
    await asyncio.sleep(0.3)
    label = f"email: aiosmtplib, {conc} kept connections, one event loop"
    return [Baseline(label, n, secs, count_tag(sink, "aiosmtp", since), cpu)]
