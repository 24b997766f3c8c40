"""Baselines: the real ``send()`` in-process, without worker or database (email and
json://)."""

from __future__ import annotations

import asyncio
import time

from bench.notifier_cases.baseline import (
    Baseline,
    count_tag,
    sample_rendered,
)
from bench.notifier_cases.context import Context
from gigalert_shared.settings import SmtpSettings
from tests.support.stats import pct


async def apprise_loop(
    urls: list[str], body: str, body_format: str, concurrency: int
) -> tuple[float, float, list[float]]:
    """The real ``send()`` in this process, ``concurrency`` at a time, no worker, no DB;
    (wall seconds, CPU seconds of this process, per-send seconds)."""
    from gigalert_notifier.sending import send

    sem = asyncio.Semaphore(concurrency)
    durations: list[float] = []
    failures: list[str] = []

    async def one(url: str) -> None:
        async with sem:
            t0 = time.perf_counter()
            out = await send(
                url, title="【新着案件】ベンチ", body=body, body_format=body_format, timeout=20
            )
            durations.append(time.perf_counter() - t0)
            if not out.ok:
                failures.append(out.error or "?")

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(u) for u in urls))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if failures:
        raise RuntimeError(f"{len(failures)} baseline sends failed: {failures[0]}")
    return elapsed, cpu, durations


async def email(ctx: Context) -> list[Baseline]:
    from gigalert_notifier.apprise_setup import load_apprise_plugins
    from gigalert_notifier.apprise_urls import email_url
    from gigalert_notifier.sending import send

    sink = ctx.sink_log
    assert sink is not None
    n = ctx.args.baseline_messages
    conc = ctx.args.smtp_concurrency[0]
    load_apprise_plugins()
    _, html_body, _, unsub = sample_rendered()
    smtp = SmtpSettings(host="127.0.0.1", port=ctx.sink_port, security="none")
    warm = email_url("warm@example.jp", smtp, delivery_id="warm-0", unsubscribe_url=unsub)
    await send(warm, title="w", body="w", body_format="html", timeout=20)
    since = len(sink.lines())
    urls = [
        email_url(f"b{i}@example.jp", smtp, delivery_id=f"apprise-{i}", unsubscribe_url=unsub)
        for i in range(n)
    ]
    secs, cpu, durations = await apprise_loop(urls, html_body, "html", conc)
    await asyncio.sleep(0.3)
    return [
        Baseline(
            f"Apprise `send()` alone, email, {conc} at a time, in-process (no worker, no DB)",
            n,
            secs,
            count_tag(sink, "apprise", since),
            cpu,
            pct(durations, 0.5),
            pct(durations, 0.99),
        )
    ]


async def json_hook(ctx: Context) -> list[Baseline]:
    from gigalert_notifier.sending import send

    hooks = ctx.webhook_log
    assert hooks is not None
    n = ctx.args.baseline_messages
    _, _, markdown, _ = sample_rendered()
    since = len(hooks.lines())
    urls = [f"json://127.0.0.1:{ctx.webhook_port}/hook/apprisejson-{i}" for i in range(n)]
    await send(
        f"json://127.0.0.1:{ctx.webhook_port}/hook/warm",
        title="w",
        body="w",
        body_format="markdown",
        timeout=20,
    )
    secs, cpu, durations = await apprise_loop(urls, markdown, "markdown", 16)
    await asyncio.sleep(0.3)
    return [
        Baseline(
            "Apprise `send()` alone, json://, 16 at a time, in-process (no worker, no DB)",
            n,
            secs,
            count_tag(hooks, "apprisejson", since),
            cpu,
            pct(durations, 0.5),
            pct(durations, 0.99),
        )
    ]
