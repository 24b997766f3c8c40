"""The engines, one case each, behind one interface: build on the subscriptions, then match
gigs one by one, timed per gig, keeping the answers (subscription positions) of the first
``keep`` gigs for the agreement check.

* :class:`IndexCase`: the matcher's :class:`SubscriptionIndex` (``match``: the Criteria).
* :class:`PerqCase`: perq 0.2.1 (an embedded percolator: AND of OR-clauses over terms, plus
  numeric range filters; no negation), MemoryStore. See its docstring for the mapping.
* :class:`LuceneCase` (``lucene_case.py``): Lucene Monitor in a JVM, timed there.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from gigalert_matcher.matching import Criteria, GigFacts, SubscriptionIndex
from gigalert_shared.matching.criteria import ALL_REMOTE_MODES
from gigalert_shared.matching.rules import gig_days, gig_rate
from tests.support.machine import rss_mb

MIN_GIGS = 10  # past the budget, an engine still matches this many gigs (answers kept)


@dataclass
class CaseResult:
    engine: str
    build_s: float = 0.0
    latencies_us: list[float] = field(default_factory=list)
    answers: list[set[int]] = field(default_factory=list)  # of the first `keep` gigs
    counts: list[int] = field(default_factory=list)
    memory_mb: float = 0.0  # RSS growth (Python) or heap used after build (JVM)
    note: str = ""


class Case(Protocol):
    name: str

    def run(
        self, subs: Sequence[Criteria], gigs: Sequence[GigFacts], keep: int, budget_s: float
    ) -> CaseResult: ...


def _timed_loop(
    result: CaseResult, gigs: Sequence[GigFacts], keep: int, budget_s: float, match: object
) -> None:
    fn = match  # (GigFacts) -> collection of positions
    assert callable(fn)
    for g in gigs[:50]:  # warm up
        fn(g)
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for i, g in enumerate(gigs):
            t0 = time.perf_counter_ns()
            found = fn(g)
            result.latencies_us.append((time.perf_counter_ns() - t0) / 1000)
            result.counts.append(len(found))
            if i < keep:
                result.answers.append(set(found))
            if time.perf_counter() - start > budget_s and i + 1 >= min(keep, MIN_GIGS):
                break
    finally:
        gc.enable()


class IndexCase:
    name = "index"

    def run(
        self, subs: Sequence[Criteria], gigs: Sequence[GigFacts], keep: int, budget_s: float
    ) -> CaseResult:
        r = CaseResult(self.name)
        gc.collect()
        before = rss_mb()
        t0 = time.perf_counter()
        index = SubscriptionIndex(subs)
        r.build_s = time.perf_counter() - t0
        gc.collect()
        r.memory_mb = rss_mb() - before
        position = {c.subscription_id: i for i, c in enumerate(subs)}

        # match() as the matcher calls it; the positions for the check are taken afterwards.
        _timed_loop(r, gigs, 0, budget_s, index.match)
        r.answers = [
            {position[c.subscription_id] for c in index.match(g)}
            for g in gigs[: min(keep, len(r.latencies_us))]
        ]
        return r


UNKNOWN_RATE = float(2**52)  # perq: an unknown rate as a figure above every floor


class PerqCase:
    """perq 0.2.1. A subscription becomes one Query (id = its position):

    * remote modes (unless all three): a clause of ``m:<mode>`` terms; the gig has the term
      of its mode (none when unknown, so only all-mode subscriptions pass: exact);
    * domains (unless any): a clause of ``d:<domain>`` terms (exact);
    * keywords_any: a clause of ``k:<keyword>`` terms. perq tokenises by ``\\w+`` words,
      which cannot find a keyword inside Japanese text (no spaces), so the gig's terms are
      the vocabulary's keywords found in its text by substring (our tokenisation, timed as
      part of perq's per-gig cost): exact;
    * locations: a clause of ``l:<place>`` terms and ``m:remote`` (a remote gig passes); the
      gig has ``l:<place>`` for each vocabulary place its location contains: exact;
    * rate floor: a range filter ``>= max(floor, 1)`` on ``rate_u`` (include_unknown_rate;
      an unknown rate is sent as 2**52, above every floor) or ``rate_k`` (absent when
      unknown): exact for integer rates;
    * day limit: a range filter ``<= limit`` on ``days``; unknown days are sent as 0, which
      passes every limit >= 0: exact for the generated limits (1–5);
    * keywords_none: **not expressible** (no negation): applied by us to perq's answer,
      timed as part of the per-gig cost;
    * a subscription with no criterion at all gets a clause ``*`` that every gig has (perq
      refuses an empty query).
    """

    name = "perq"

    def run(
        self, subs: Sequence[Criteria], gigs: Sequence[GigFacts], keep: int, budget_s: float
    ) -> CaseResult:
        import perq

        r = CaseResult(self.name, note="keywords_none applied outside perq")
        vocab: dict[str, None] = {}
        places: dict[str, None] = {}
        banned: dict[int, tuple[str, ...]] = {}

        def query(pos: int, c: Criteria) -> perq.Query:
            clauses: list[list[str]] = []
            if not c.remote_modes >= ALL_REMOTE_MODES:
                clauses.append([f"m:{m}" for m in sorted(c.remote_modes)] or ["m:none"])
            if c.domains:
                clauses.append([f"d:{d}" for d in sorted(c.domains)])
            if c.keywords_any:
                vocab.update(dict.fromkeys(c.keywords_any))
                clauses.append([f"k:{k}" for k in c.keywords_any])
            if c.locations:
                places.update(dict.fromkeys(c.locations))
                clauses.append([*(f"l:{p}" for p in c.locations), "m:remote"])
            if c.keywords_none:
                vocab.update(dict.fromkeys(c.keywords_none))
                banned[pos] = c.keywords_none
            filters = []
            if c.min_rate_jpy_h is not None:
                field_name = "rate_u" if c.include_unknown_rate else "rate_k"
                filters.append(perq.RangeFilter(field_name, gte=max(c.min_rate_jpy_h, 1)))
            if c.max_days_per_week is not None:
                filters.append(perq.RangeFilter("days", lte=c.max_days_per_week))
            if not clauses and not filters:
                clauses.append(["*"])
            return perq.Query(pos, clauses, filters=filters)

        gc.collect()
        before = rss_mb()
        t0 = time.perf_counter()
        store = perq.MemoryStore()  # type: ignore[no-untyped-call]
        perq.index((query(i, c) for i, c in enumerate(subs)), store)
        matcher = perq.QueryMatcher(store)
        r.build_s = time.perf_counter() - t0
        gc.collect()
        r.memory_mb = rss_mb() - before
        words = list(vocab)
        place_list = list(places)

        def match(g: GigFacts) -> list[int]:
            text = g.search_text
            found = [w for w in words if w in text]
            terms = ["*", *(f"d:{d}" for d in g.domains), *(f"k:{w}" for w in found)]
            if g.remote_mode is not None:
                terms.append(f"m:{g.remote_mode}")
            if g.location is not None:
                terms.extend(f"l:{p}" for p in place_list if p in g.location)
            rate = gig_rate(g)
            days = gig_days(g)
            values: dict[str, list[float]] = {
                "rate_u": [UNKNOWN_RATE if rate is None else rate],
                "rate_k": [] if rate is None else [rate],
                "days": [0 if days is None else days],
            }
            hits = matcher.matches(perq.Document(terms, values=values))  # type: ignore[no-untyped-call]
            if not banned:
                return list(hits)
            present = set(found)
            return [q for q in hits if not (q in banned and any(w in present for w in banned[q]))]

        _timed_loop(r, gigs, keep, budget_s, match)
        store.close()  # type: ignore[no-untyped-call]
        return r
