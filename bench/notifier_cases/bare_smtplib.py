"""Baselines: raw ``smtplib`` from one thread to the same sink."""

from __future__ import annotations

import asyncio
import re
import smtplib
import time

from bench.notifier_cases.baseline import (
    Baseline,
    built_mail,
    count_tag,
    mail_template,
    sample_rendered,
)
from bench.notifier_cases.context import Context


def smtplib_loop(
    port: int, n: int, tag: str, reuse: bool, build: bool = False
) -> tuple[float, float]:
    """One thread, to the sink: the same message (built once), or each one built
    (``build``); (wall seconds, CPU seconds of this thread)."""
    template = mail_template()
    subject, html_body, _, unsub = sample_rendered()
    text = re.sub(r"<[^>]+>", "", html_body)
    start, cpu = time.perf_counter(), time.thread_time()
    server: smtplib.SMTP | None = smtplib.SMTP("127.0.0.1", port) if reuse else None
    try:
        for i in range(n):
            if build:
                body = built_mail(subject, html_body, text, unsub, f"{tag}-{i}")
            else:
                body = template.replace(b"@@ID@@", f"{tag}-{i}".encode())
            if server is not None:
                server.sendmail("alerts@gigalert.local", ["bench@example.jp"], body)
                continue
            with smtplib.SMTP("127.0.0.1", port) as s:
                s.sendmail("alerts@gigalert.local", ["bench@example.jp"], body)
    finally:
        if server is not None:
            server.quit()
    return time.perf_counter() - start, time.thread_time() - cpu


async def run(ctx: Context) -> list[Baseline]:
    sink = ctx.sink_log
    assert sink is not None
    n = ctx.args.baseline_messages
    out: list[Baseline] = []
    for tag, reuse, build, label in (
        (
            "smtplib",
            False,
            False,
            "email floor: smtplib, 1 thread, a connection per mail (as Apprise)",
        ),
        ("smtpreuse", True, False, "email: smtplib, 1 thread, one reused connection"),
        (
            "smtpbuild",
            True,
            True,
            "email (for scale): smtplib, 1 thread, one reused connection, "
            "each message built with the stdlib `email` package",
        ),
    ):
        since = len(sink.lines())
        secs, cpu = await asyncio.to_thread(smtplib_loop, ctx.sink_port, n, tag, reuse, build)
        await asyncio.sleep(0.3)
        out.append(Baseline(label, n, secs, count_tag(sink, tag, since), cpu))
    return out
