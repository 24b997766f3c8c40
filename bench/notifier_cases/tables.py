"""The printed tables of the notifier bench."""

from __future__ import annotations

import argparse
import math
import os
import statistics

from bench.notifier_cases.baseline import Baseline
from bench.notifier_cases.context import cpu_text, ms
from bench.notifier_cases.deliveries import Throughput
from bench.notifier_cases.e2e import EndToEnd
from tests.support.stats import pct


def throughput_table(rows: list[Throughput]) -> str:
    out = [
        "| path | processes | concurrency / process | batch | deliveries | sent | received (dupes) | wall (s) | **deliveries/s** | per process | due → sent p50 / p99 (ms) | per-send p50 / p99 (ms) | sender CPU ms / delivery | CPU (% of a core) | machine busy | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in rows:
        out.append(
            f"| {r.label} | {r.procs} | {r.concurrency} | {r.batch} | {r.n:,} | {r.sent:,} | "
            f"{r.received:,} ({r.duplicates}) | {r.wall_s:.1f} | **{r.rate:,.0f}** | {r.rate / r.procs:,.0f} | "
            f"{ms(r.due_p50)} / {ms(r.due_p99)} | {ms(r.send_p50)} / {ms(r.send_p99)} | "
            f"{r.cpu_ms:.1f} | {cpu_text(r.cpu)} | {r.machine_cpu:.0f}% | {r.note} |"
        )
    return "\n".join(out)


def baseline_table(rows: list[Baseline]) -> str:
    out = [
        "| baseline | messages | received | s | **messages/s** | sender CPU ms / message | per-message p50 / p99 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for b in rows:
        out.append(
            f"| {b.label} | {b.n:,} | {b.received:,} | {b.seconds:.1f} | **{b.rate:,.0f}** | "
            f"{b.cpu_ms:.2f} | {ms(b.p50)} / {ms(b.p99)} |"
        )
    return "\n".join(out)


def e2e_table(e: EndToEnd, args: argparse.Namespace) -> str:
    lat = e.latencies
    rows = [
        "| measure | value |",
        "|---|---|",
        f"| subscriptions loaded (freelancers) | {e.subscriptions:,} ({e.freelancers:,}) + {e.probe_freelancers} probe freelancers; load {e.load_s:.1f} s; services ready after {e.matcher_ready_s:.1f} s |",
        f"| background load offered / accepted | {e.bg_offered:,} gigs in {e.seconds:.1f} s, batches of {args.e2e_batch} → {e.bg_accepted:,} accepted = **{e.bg_rate:,.0f} gigs/s** |",
        f"| background batch request p50 / p99 | {ms(e.bg_req_p50)} / {ms(e.bg_req_p99)} ms |",
        f"| probe gigs (1 every {args.probe_interval:g} s), ingest request p50 / p99 | {e.probes} , {ms(e.probe_req_p50)} / {ms(e.probe_req_p99)} ms |",
        f"| probe mails received / expected (duplicates) | {e.mails} / {e.expected_mails} ({e.duplicates}) |",
        f"| **end-to-end p50 / p99 / max** (ingest request → SMTP receipt) | **{ms(pct(lat, 0.5))} / {ms(pct(lat, 0.99))} / {ms(max(lat) if lat else math.nan)} ms** |",
    ]
    slow = sum(1 for v in lat if v > 0.5)
    rows.append(
        f"| p90 / p95; mails over 500 ms | {ms(pct(lat, 0.9))} / {ms(pct(lat, 0.95))} ms; "
        f"{slow} of {len(lat)} |"
    )
    for name, values in e.stages.items():
        rows.append(
            f"| stage: {name}, p50 / p99 | {ms(pct(values, 0.5))} / {ms(pct(values, 0.99))} ms |"
        )
    rows += [
        f"| matcher index lookup per gig p50 / p99 (histogram; {e.gigs_matched:,} gigs) | {e.match_p50 * 1e6:,.0f} / {e.match_p99 * 1e6:,.0f} µs |",
        f"| alerts for background gigs (must be 0) | {e.stray_alerts} |",
        f"| CPU during the drive (% of one core) | {cpu_text(e.cpu)}; machine busy {e.machine_cpu:.0f}% of {os.cpu_count()} cores |",
    ]
    if e.note:
        rows.append(f"| note | {e.note} |")
    return "\n".join(rows)


def ab_summary(rows: list[Throughput]) -> str:
    """Per configuration: the medians of baseline and current, and current / baseline
    (of the medians, and of each round's back-to-back pair)."""
    out = [
        "| path | processes | concurrency | baseline deliveries/s (median) | current | "
        "**ratio** | per round | CPU ms / delivery baseline → current (ratio) |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    configs = sorted({(r.kind, r.procs, r.concurrency) for r in rows})
    for kind, procs, conc in configs:
        same = [r for r in rows if (r.kind, r.procs, r.concurrency) == (kind, procs, conc)]
        base = [r for r in same if r.variant == "baseline"]
        cur = [r for r in same if r.variant == "current"]
        if not base or not cur:
            continue
        b_rate = statistics.median(r.rate for r in base)
        c_rate = statistics.median(r.rate for r in cur)
        b_cpu = statistics.median(r.cpu_ms for r in base)
        c_cpu = statistics.median(r.cpu_ms for r in cur)
        rounds = ", ".join(f"×{c.rate / b.rate:.2f}" for b, c in zip(base, cur, strict=False))
        name = "email (notifier serve)" if kind == "email" else "webhook (DeliveryWorker)"
        out.append(
            f"| {name} | {procs} | {conc} | {b_rate:,.0f} | {c_rate:,.0f} | "
            f"**×{c_rate / b_rate:.2f}** | {rounds} | {b_cpu:.1f} → {c_cpu:.1f} "
            f"(×{c_cpu / b_cpu:.2f}) |"
        )
    return "\n".join(out)
