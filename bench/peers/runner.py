"""The matcher's index side by side with its peers (perq, Lucene Monitor), on the same
generated subscriptions and gigs, in one run.

    uv run python -m bench.peers.runner --subs 100000 1000000 --workloads current realistic

For each workload and size: generate (seeded, ``workloads.py``), then each engine in turn
(``cases.py``, ``lucene_case.py``) builds on the subscriptions and matches gigs one at a
time until ``--budget`` seconds (at least 10 gigs), every engine on the same CPU
(``--cpu``; the JVM through taskset). The answers of the first ``--keep`` gigs (as many as were matched) are checked
against the index's (which the property tests hold to the rules). Prints one markdown
table per workload and the load average.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Sequence

from bench.peers.cases import Case, CaseResult, IndexCase, PerqCase
from bench.peers.lucene_case import LuceneCase
from bench.peers.workloads import WORKLOADS, generate
from tests.support.stats import pct


def row(n: int, r: CaseResult, ref: CaseResult | None) -> str:
    lat = r.latencies_us
    gps = len(lat) / (sum(lat) / 1e6)
    agree = "reference"
    ratio = "1×"
    if ref is not None and r is not ref:
        same = sum(1 for a, b in zip(r.answers, ref.answers, strict=False) if a == b)
        agree = f"{same}/{min(len(r.answers), len(ref.answers))}"
        ratio = f"{statistics.median(lat) / statistics.median(ref.latencies_us):,.0f}×"
    return (
        f"| {n:,} | {r.engine} | {r.build_s:,.1f} | {r.memory_mb:,.0f} | "
        f"{statistics.fmean(r.counts):,.0f} | {len(lat):,} | {gps:,.0f} | "
        f"{statistics.median(lat):,.0f} / {pct(lat, 0.99):,.0f} | {ratio} | {agree} |"
    )


HEADER = (
    "| subscriptions | engine | build (s) | memory (MB) | matches/gig | gigs timed | "
    "gigs/s | p50 / p99 (µs) | p50 vs index | same answer as index |\n"
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--subs", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=["index", "perq", "lucene"],
        default=["index", "perq", "lucene"],
    )
    parser.add_argument("--gigs", type=int, default=3000)
    parser.add_argument("--keep", type=int, default=100, help="gigs whose answers are compared")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds of matching per engine")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cpu", type=int, default=1)
    parser.add_argument("--heap", default="12g", help="the JVM's -Xmx")
    args = parser.parse_args(argv)

    os.sched_setaffinity(0, {args.cpu})
    engines: dict[str, Case] = {
        "index": IndexCase(),
        "perq": PerqCase(),
        "lucene": LuceneCase(heap=args.heap, cpu=args.cpu),
    }
    tables: dict[str, list[str]] = {w: [] for w in args.workloads}
    for workload in args.workloads:
        for n in args.subs:
            t0 = time.perf_counter()
            subs, gigs = generate(workload, n, args.gigs, args.seed)
            print(
                f"\n## {workload}, {n:,} subscriptions (generated in {time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
            ref: CaseResult | None = None
            for name in args.engines:
                t0 = time.perf_counter()
                try:
                    r = engines[name].run(subs, gigs, args.keep, args.budget)
                except Exception as exc:  # a peer that cannot cope is reported, not fatal
                    print(
                        f"{name}: failed after {time.perf_counter() - t0:.0f} s: {exc!r}",
                        flush=True,
                    )
                    tables[workload].append(f"| {n:,} | {name} | failed: {exc!r} |")
                    continue
                if name == "index":
                    ref = r
                    share = [c / n * 100 for c in r.counts]
                    print(
                        f"a gig fits {statistics.fmean(share):.2f} % of the subscriptions on "
                        f"average (p10 {pct(share, 0.1):.2f} %, median {pct(share, 0.5):.2f} %, "
                        f"p90 {pct(share, 0.9):.2f} %)",
                        flush=True,
                    )
                line = row(n, r, ref)
                print(f"{line}  ({time.perf_counter() - t0:.0f} s in all) {r.note}", flush=True)
                tables[workload].append(line)
                del r
                gc.collect()
            del subs, gigs
            gc.collect()
    load = os.getloadavg()
    for workload, rows in tables.items():
        print(f"\n### {workload}\n\n{HEADER}")
        print("\n".join(rows))
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
