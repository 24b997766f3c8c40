"""The findings of a run, in words."""

from __future__ import annotations

import math
import statistics

from bench.notifier_cases.baseline import Baseline
from bench.notifier_cases.context import ms
from bench.notifier_cases.deliveries import Throughput
from bench.notifier_cases.e2e import EndToEnd
from tests.support.stats import pct


def _find(base: list[Baseline], prefix: str) -> Baseline | None:
    return next((b for b in base if b.label.startswith(prefix)), None)


def summary(
    email: list[Throughput], hooks: list[Throughput], base: list[Baseline], e: EndToEnd | None
) -> list[str]:
    """Medians, ratios and the aims, in words."""
    lines: list[str] = []
    ones = [r for r in email if r.procs == 1 and not math.isnan(r.rate)]
    twos = [r for r in email if r.procs == 2 and not math.isnan(r.rate)]
    floor = _find(base, "email floor: smtplib")
    alone = _find(base, "Apprise `send()` alone, email")
    if ones:
        best = max(ones, key=lambda r: r.rate)
        cpu = statistics.median(r.cpu_ms for r in email)
        lines.append(
            f"- **Email, one notifier process: {best.rate:,.0f} deliveries/s at best** (SMTP "
            f"concurrency {best.concurrency}; median over the concurrencies tried "
            f"{statistics.median(r.rate for r in ones):,.0f}/s). Aim ≥ 1,000/s per process: "
            f"**{'met' if best.rate >= 1000 else 'not met'}**. The notifier spent a median "
            f"{cpu:.1f} ms of CPU per delivery (all email rows), so one process would top out "
            f"around ~{1000 / cpu:,.0f}/s even with a whole core to itself (its Python code runs "
            f"on one core at a time: the GIL)."
        )
    for c in sorted({r.concurrency for r in ones}, key=int):
        one = next(r for r in ones if r.concurrency == c)
        two = next((r for r in twos if r.concurrency == c), None)
        if two is not None:
            lines.append(
                f"- Email, SMTP concurrency {c}: 2 processes / 1 process = "
                f"{two.rate / one.rate:.2f}× ({one.rate:,.0f} → {two.rate:,.0f}/s)."
            )
    bare = [
        b
        for b in base
        if b.label.startswith(("email floor: smtplib", "email: smtplib", "email: aiosmtplib"))
    ]
    if ones and bare:
        best = max(ones, key=lambda r: r.rate)
        top = max(bare, key=lambda b: b.rate)
        lines.append(
            f"- **Email: notifier (1 process, best) / best bare client in this run "
            f"({top.label}, {top.rate:,.0f}/s) = {best.rate / top.rate:.2f}** "
            f"(CPU per mail: notifier {best.cpu_ms:.2f} ms, that client {top.cpu_ms:.2f} ms; "
            f"ratio {best.cpu_ms / top.cpu_ms:.1f}×)."
        )
    if ones and floor and alone:
        best = max(ones, key=lambda r: r.rate)
        lines.append(
            f"- Email against the floors: notifier (1 process, best) / raw smtplib from one "
            f"thread = {best.rate / floor.rate:.2f}; Apprise `send()` alone / smtplib = "
            f"{alone.rate / floor.rate:.2f}; notifier / Apprise alone = "
            f"{best.rate / alone.rate:.2f}. CPU per mail: smtplib {floor.cpu_ms:.2f} ms, "
            f"Apprise alone {alone.cpu_ms:.1f} ms, notifier {best.cpu_ms:.1f} ms."
        )
    h1 = next((r for r in hooks if r.procs == 1), None)
    h2 = next((r for r in hooks if r.procs == 2), None)
    hfloor = _find(base, "webhook floor: httpx")
    hreq = _find(base, "webhook: `requests.post`")
    hal = _find(base, "Apprise `send()` alone, json")
    if h1 is not None:
        lines.append(
            f"- **Webhook (json://, not Slack), one worker process: {h1.rate:,.0f} "
            f"deliveries/s**; aim ≥ 1,000/s: **{'met' if h1.rate >= 1000 else 'not met'}**; "
            f"{h1.cpu_ms:.1f} ms CPU per delivery (ceiling ~{1000 / h1.cpu_ms:,.0f}/s per core)."
            + (f" Two processes: {h2.rate:,.0f}/s ({h2.rate / h1.rate:.2f}×)." if h2 else "")
        )
    if h1 is not None and hfloor:
        lines.append(
            f"- **Webhook: worker (1 process) / httpx keep-alive loop = "
            f"{h1.rate / hfloor.rate:.2f}** ({h1.rate:,.0f} vs {hfloor.rate:,.0f}/s; CPU per "
            f"message {h1.cpu_ms:.2f} vs {hfloor.cpu_ms:.2f} ms)."
        )
    if h1 is not None and hfloor and hreq and hal:
        lines.append(
            f"- Webhook against the floors: worker / httpx keep-alive loop = "
            f"{h1.rate / hfloor.rate:.2f}; worker / `requests.post` loop = "
            f"{h1.rate / hreq.rate:.2f}; worker / Apprise `send()` alone = "
            f"{h1.rate / hal.rate:.2f}. CPU per message: httpx {hfloor.cpu_ms:.2f} ms, requests "
            f"{hreq.cpu_ms:.2f} ms, Apprise alone {hal.cpu_ms:.1f} ms, worker {h1.cpu_ms:.1f} ms."
        )
    if e is not None and e.latencies:
        p99 = pct(e.latencies, 0.99)
        lines.append(
            f"- **End to end** at {e.bg_rate:,.0f} gigs/s with {e.subscriptions:,} "
            f"subscriptions: **p50 {ms(pct(e.latencies, 0.5))} ms, p99 {ms(p99)} ms** over "
            f"{len(e.latencies)} probe mails ({e.mails} of {e.expected_mails} arrived). "
            f"Aim p99 < 200 ms: **{'met' if p99 < 0.2 else 'not met'}**."
        )
        stages = {k: v for k, v in e.stages.items() if v}
        if stages:
            worst = max(stages, key=lambda k: pct(stages[k], 0.99))
            lines.append(
                f"- The largest p99 among the stages: {worst} ({ms(pct(stages[worst], 0.99))} ms; "
                f"p50 {ms(pct(stages[worst], 0.5))} ms)."
            )
    return lines
