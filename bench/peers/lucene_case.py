"""Lucene Monitor (``org.apache.lucene:lucene-monitor`` 9.11.1, the newest on the mirror we
reach that runs on Java 17) in a JVM: ``lucene/MonitorBench.java``, compiled with javac; the
jars come from Maven Central through ``lucene/pom.xml`` into ``.cache/lucene`` (ignored,
never committed). The JVM reads the subscriptions and gigs as TSV, registers every
subscription as a ``MonitorQuery``, times each ``match`` itself (after a warm-up) and
writes the answers of the first ``keep`` gigs back.

How a subscription becomes a Lucene query (all clauses FILTER, nothing scored):

* remote modes (unless all three): a disjunction of ``mode`` terms (exact, as for perq);
* rate floor: ``IntPoint`` range ``[max(floor, 1), ∞)`` on ``rate``, OR the term
  ``flag:rate_unknown`` when include_unknown_rate (the gig has the flag when it has no
  figure): exact;
* domains: a disjunction of ``domain`` terms (exact);
* keywords_any / keywords_none: the gig's text is indexed twice, as character unigrams and
  bigrams (``NGramTokenizer``); a keyword is a ``PhraseQuery`` of its bigrams at
  consecutive positions (one character: a unigram term), which is exactly "occurs as a
  substring"; keywords_none are MUST_NOT clauses: exact;
* day limit: ``IntPoint`` range ``(-∞, limit]`` on ``days2`` (half days) OR
  ``flag:days_unknown``: exact;
* locations: ``mode:remote`` OR a bigram phrase of each place over the gig's location: exact;
* a subscription without any positive clause: ``MatchAllDocsQuery``.

The presearcher is Monitor's default (``TermFilteredPresearcher``); queries are kept in
Monitor's in-memory query index.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.peers.cases import CaseResult
from gigalert_matcher.matching import Criteria, GigFacts
from gigalert_shared.matching.rules import gig_days, gig_rate

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "lucene"
JARS = ROOT / ".cache" / "lucene"
CLASSES = ROOT / ".cache" / "lucene-classes"
SEP = "\x1f"


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace(SEP, " ")


def _join(items: Sequence[str]) -> str:
    return SEP.join(_esc(x) for x in items)


def _half(days: float) -> int:
    twice = days * 2
    if twice != int(twice):
        raise ValueError(f"day value {days} is not a whole number of half days")
    return int(twice)


def subscription_line(c: Criteria) -> str:
    return "\t".join(
        [
            _join(sorted(c.remote_modes)),
            str(-1 if c.min_rate_jpy_h is None else c.min_rate_jpy_h),
            "1" if c.include_unknown_rate else "0",
            _join(sorted(c.domains)),
            _join(c.keywords_any),
            _join(c.keywords_none),
            str(-1 if c.max_days_per_week is None else _half(c.max_days_per_week)),
            _join(c.locations),
        ]
    )


def gig_line(g: GigFacts) -> str:
    rate = gig_rate(g)
    days = gig_days(g)
    return "\t".join(
        [
            g.remote_mode or "",
            str(-1 if rate is None else rate),
            _join(sorted(g.domains)),
            str(-1 if days is None else _half(days)),
            _esc(g.location or ""),
            _esc(g.search_text),
        ]
    )


def prepare() -> None:
    """Fetch the jars (once) and compile the harness (when changed)."""
    if not any(JARS.glob("lucene-monitor-*.jar")):
        tmp = JARS.with_suffix(".tmp")
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(HERE / "pom.xml"),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={tmp}",
                "-DincludeScope=runtime",
            ],
            check=True,
        )
        tmp.rename(JARS)
    source = HERE / "MonitorBench.java"
    target = CLASSES / "MonitorBench.class"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        CLASSES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["javac", "-d", str(CLASSES), "-cp", f"{JARS}/*", str(source)], check=True)


class LuceneCase:
    name = "lucene-monitor"

    def __init__(self, heap: str = "12g", cpu: int | None = None) -> None:
        self.heap = heap
        self.cpu = cpu

    def run(
        self, subs: Sequence[Criteria], gigs: Sequence[GigFacts], keep: int, budget_s: float
    ) -> CaseResult:
        prepare()
        r = CaseResult(self.name)
        with tempfile.TemporaryDirectory(prefix="gigalert-lucene-") as tmp:
            subs_path, gigs_path, out_path = (Path(tmp) / n for n in ("s.tsv", "g.tsv", "o"))
            with subs_path.open("w", encoding="utf-8") as f:
                f.writelines(subscription_line(c) + "\n" for c in subs)
            with gigs_path.open("w", encoding="utf-8") as f:
                f.writelines(gig_line(g) + "\n" for g in gigs)
            cmd = [
                "java",
                f"-Xmx{self.heap}",
                "-XX:+UseParallelGC",
                "-cp",
                f"{JARS}/*{os.pathsep}{CLASSES}",
                "MonitorBench",
                str(subs_path),
                str(gigs_path),
                str(out_path),
                str(keep),
                str(budget_s),
            ]
            if self.cpu is not None:
                cmd = ["taskset", "-c", str(self.cpu), *cmd]
            subprocess.run(cmd, check=True)
            lines = out_path.read_text(encoding="utf-8").splitlines()
        build_ms, heap_mb, registered = (int(x) for x in lines[0].split())
        if registered != len(subs):
            raise RuntimeError(f"Monitor registered {registered} of {len(subs)} queries")
        r.build_s = build_ms / 1000
        r.memory_mb = heap_mb
        for i, line in enumerate(lines[1:]):
            parts = line.split()
            r.latencies_us.append(float(parts[0]))
            r.counts.append(int(parts[1]))
            if i < keep:
                r.answers.append({int(x) for x in parts[2:]})
        return r
