"""Matcher benchmark: the in-memory index against the SQL reference, on realistic data.

    uv run python -m bench.matcher_bench --subs 100000 1000000 --gigs 20000

For each size: generate subscriptions and gigs (seeded, see ``Generator``), build the index,
match every gig on one core (the process is pinned to one CPU) and time each; then load the
same subscriptions into a fresh Postgres database and time the SQL reference on a sample of
gigs (bounded by ``--sql-budget`` seconds), checking that both answer the same. Prints a
markdown table, and the ``EXPLAIN ANALYZE`` plan of one reference query.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import math
import os
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import asyncpg
import numpy as np

from bench.gig_texts import DOMAIN_WEIGHTS
from gigalert_matcher.matching import Criteria, GigFacts, SubscriptionIndex, gig_search_text
from gigalert_matcher.matching.reference_sql import (
    CRITERIA_COLUMNS,
    REFERENCE_MATCH_SQL,
    criteria_row,
    match_params,
)
from gigalert_shared.migrate import migrate
from gigalert_shared.taxonomy import load_taxonomy, normalise_text
from tests.support.machine import machine, rss_mb
from tests.support.stats import pct

DEFAULT_DSN: Final = "postgresql://gigalert:gigalert@127.0.0.1:15432/gigalert"

PREFECTURES: Final = {
    "東京": (0.45, ["東京都千代田区", "東京都港区", "東京都渋谷区", "東京都新宿区"]),
    "神奈川": (0.12, ["神奈川県横浜市", "神奈川県川崎市"]),
    "大阪": (0.15, ["大阪府大阪市", "大阪府吹田市"]),
    "愛知": (0.08, ["愛知県名古屋市"]),
    "福岡": (0.08, ["福岡県福岡市"]),
    "埼玉": (0.06, ["埼玉県さいたま市"]),
    "京都": (0.06, ["京都府京都市"]),
}
EXCLUDED_WORDS: Final = ["常駐", "テレアポ", "出社", "営業", "夜間", "土日"]
SKILLS: Final = ["Excel", "PowerPoint", "Jira", "Python", "SQL", "AWS", "Salesforce", "Figma"]
FILLER: Final = [
    "大手企業向けの新規事業立ち上げを支援していただきます。",
    "要件定義から運用まで一貫して携わっていただきます。",
    "週次の定例会議で進捗を報告していただきます。",
    "チームは5名程度で、裁量を持って働ける環境です。",
    "業界経験のある方を歓迎します。",
    "稼働時間は柔軟に調整可能です。",
    "長期でご参画いただける方を優先します。",
    "ドキュメント作成やステークホルダーとの調整も含みます。",
    "Slack と Zoom でのコミュニケーションが中心です。",
    "We welcome English speakers; documents are mostly in Japanese.",
]


def _choice(rng: np.random.Generator, options: Sequence[Any], p: Sequence[float], n: int) -> Any:
    weights = np.asarray(p, dtype=np.float64)
    return rng.choice(len(options), size=n, p=weights / weights.sum())


@dataclass
class Generator:
    """Realistic subscriptions and gigs.

    Subscriptions: 30 % any domain, else one domain (75 %) or two, drawn by popularity
    (pmo/engineering/marketing most common). Keywords (1–3 taxonomy synonyms, normalised)
    for 40 %: 70 % of the any-domain ones, 27 % of the others; synonyms of their own domain.
    Remote only 60 %, remote or hybrid 20 %, all modes 15 %, hybrid or on-site 5 %. Floor:
    none for 20 %, else lognormal (median ¥5,000, σ 0.3) rounded to ¥500, clamped to
    ¥1,500–¥15,000; include_unknown_rate 40 %. Day limit for 50 % (1: 5 %, 2: 35 %,
    3: 35 %, 4: 15 %, 5: 10 %). Excluded keywords for 8 %. Locations (1–2 prefectures,
    Tokyo-heavy) for 15 %.

    Gigs: one domain (70 %), two (25 %) or none. Remote 45 %, hybrid 30 %, on-site 15 %,
    unknown 10 %. Rate unknown for 15 %, else lognormal (median ¥4,800, σ 0.3), a range
    for 60 % (max = min × 1.1–1.5). Days unknown 20 %, else 週5 / 週3〜5 / 週2〜3 / 週1〜2 /
    週3. A location for non-remote gigs (90 %) and half the remote ones. Text: a title and
    5–8 sentences with 2–4 synonyms of the gig's domains, and 2–4 skills.
    """

    seed: int = 7
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.domains = list(DOMAIN_WEIGHTS)
        self.domain_p = list(DOMAIN_WEIGHTS.values())
        taxonomy = {d.key: d for d in load_taxonomy()}
        self.synonyms = {k: list(taxonomy[k].synonyms) for k in self.domains}
        self.norm_synonyms = {k: [normalise_text(s) for s in v] for k, v in self.synonyms.items()}
        self.prefs = list(PREFECTURES)
        self.pref_p = [PREFECTURES[p][0] for p in self.prefs]
        self._sets: dict[tuple[str, ...], frozenset[str]] = {}
        self._tuples: dict[tuple[str, ...], tuple[str, ...]] = {}

    def _set(self, items: Sequence[str]) -> frozenset[str]:
        key = tuple(sorted(items))
        return self._sets.setdefault(key, frozenset(key))

    def _tuple(self, items: Sequence[str]) -> tuple[str, ...]:
        key = tuple(items)
        return self._tuples.setdefault(key, key)

    def _uuids(self, n: int) -> list[uuid.UUID]:
        raw = self.rng.integers(0, 2**63, size=(n, 2), dtype=np.int64).tolist()
        return [uuid.UUID(int=(hi << 64) | lo, version=4) for hi, lo in raw]

    def subscriptions(self, n: int) -> list[Criteria]:
        rng = self.rng
        ids = self._uuids(n)
        freelancers = self._uuids(max(1, n // 2))
        owner = rng.integers(0, len(freelancers), size=n).tolist()
        any_domain = (rng.random(n) < 0.30).tolist()
        two_domains = (rng.random(n) < 0.25).tolist()
        d1 = _choice(rng, self.domains, self.domain_p, n).tolist()
        d2 = _choice(rng, self.domains, self.domain_p, n).tolist()
        kw_draw = rng.random(n).tolist()
        kw_count = rng.integers(1, 4, size=n).tolist()
        kw_pick = rng.random((n, 3)).tolist()
        modes_pick = _choice(rng, range(4), [0.60, 0.20, 0.15, 0.05], n).tolist()
        mode_sets = [
            self._set(["remote"]),
            self._set(["remote", "hybrid"]),
            self._set(["remote", "hybrid", "onsite"]),
            self._set(["hybrid", "onsite"]),
        ]
        floors = np.clip(np.round(rng.lognormal(math.log(5000), 0.3, n) / 500) * 500, 1500, 15000)
        has_floor = (rng.random(n) >= 0.20).tolist()
        floor_list = floors.astype(np.int64).tolist()
        unknown_ok = (rng.random(n) < 0.40).tolist()
        has_days = (rng.random(n) < 0.50).tolist()
        days = _choice(rng, [1, 2, 3, 4, 5], [0.05, 0.35, 0.35, 0.15, 0.10], n) + 1
        days_list = days.astype(np.float64).tolist()
        has_none = (rng.random(n) < 0.08).tolist()
        none_pick = rng.integers(0, len(EXCLUDED_WORDS), size=n).tolist()
        has_loc = (rng.random(n) < 0.15).tolist()
        loc1 = _choice(rng, self.prefs, self.pref_p, n).tolist()
        loc2 = _choice(rng, self.prefs, self.pref_p, n).tolist()
        two_locs = (rng.random(n) < 0.3).tolist()
        empty: frozenset[str] = self._set([])
        out: list[Criteria] = []
        for i in range(n):
            if any_domain[i]:
                domains = empty
                with_keywords = kw_draw[i] < 0.70
                source = self.domains[d1[i]]
            else:
                picked = {self.domains[d1[i]]}
                if two_domains[i]:
                    picked.add(self.domains[d2[i]])
                domains = self._set(list(picked))
                with_keywords = kw_draw[i] < 0.27
                source = self.domains[d1[i]]
            keywords: tuple[str, ...] = ()
            if with_keywords:
                pool = self.norm_synonyms[source]
                words = dict.fromkeys(pool[int(x * len(pool))] for x in kw_pick[i][: kw_count[i]])
                keywords = self._tuple(list(words))
            locations: tuple[str, ...] = ()
            if has_loc[i]:
                places = [self.prefs[loc1[i]]]
                if two_locs[i] and loc2[i] != loc1[i]:
                    places.append(self.prefs[loc2[i]])
                locations = self._tuple(places)
            out.append(
                Criteria(
                    subscription_id=ids[i],
                    freelancer_id=freelancers[owner[i]],
                    remote_modes=mode_sets[modes_pick[i]],
                    min_rate_jpy_h=floor_list[i] if has_floor[i] else None,
                    include_unknown_rate=unknown_ok[i],
                    domains=domains,
                    keywords_any=keywords,
                    keywords_none=self._tuple([EXCLUDED_WORDS[none_pick[i]]])
                    if has_none[i]
                    else (),
                    max_days_per_week=days_list[i] if has_days[i] else None,
                    locations=locations,
                )
            )
        return out

    def gigs(self, n: int) -> list[GigFacts]:
        rng = self.rng
        out: list[GigFacts] = []
        n_domains = _choice(rng, [0, 1, 2], [0.05, 0.70, 0.25], n).tolist()
        modes = _choice(rng, ["remote", "hybrid", "onsite", None], [0.45, 0.30, 0.15, 0.10], n)
        mode_names: list[str | None] = ["remote", "hybrid", "onsite", None]
        base = rng.lognormal(math.log(4800), 0.3, n)
        spread = rng.uniform(1.1, 1.5, n)
        rate_kind = rng.random(n).tolist()
        day_kind = _choice(
            rng, range(6), [0.20, 0.20, 0.20, 0.20, 0.08, 0.12], n
        ).tolist()  # unknown, 5, 3-5, 2-3, 1-2, 3
        day_ranges: list[tuple[float | None, float | None]] = [
            (None, None),
            (5.0, 5.0),
            (3.0, 5.0),
            (2.0, 3.0),
            (1.0, 2.0),
            (3.0, 3.0),
        ]
        for i in range(n):
            doms = [self.domains[j] for j in _choice(rng, self.domains, self.domain_p, 2).tolist()]
            doms = list(dict.fromkeys(doms))[: n_domains[i]]
            mode = mode_names[int(modes[i])]
            lo = int(round(base[i] / 100) * 100)
            rmin: int | None
            rmax: int | None
            if rate_kind[i] < 0.15:
                rmin = rmax = None
            elif rate_kind[i] < 0.15 + 0.85 * 0.6:
                rmin, rmax = lo, int(round(lo * spread[i] / 100) * 100)
            else:
                rmin, rmax = lo, None
            dmin, dmax = day_ranges[day_kind[i]]
            location = None
            if (mode != "remote" and rng.random() < 0.9) or rng.random() < 0.5:
                pref = self.prefs[int(_choice(rng, self.prefs, self.pref_p, 1)[0])]
                cities = PREFECTURES[pref][1]
                location = normalise_text(cities[int(rng.integers(0, len(cities)))])
            words = [
                self.synonyms[d][int(rng.integers(0, len(self.synonyms[d])))]
                for d in doms
                for _ in range(int(rng.integers(1, 3)))
            ]
            title = f"【{words[0] if words else '業務委託'}】{FILLER[int(rng.integers(0, 3))][:12]}"
            sentences = [FILLER[j] for j in rng.integers(0, len(FILLER), int(rng.integers(5, 9)))]
            for w in words:
                sentences.insert(
                    int(rng.integers(0, len(sentences) + 1)), f"{w}の経験を活かせます。"
                )
            skills = [SKILLS[j] for j in rng.choice(len(SKILLS), int(rng.integers(2, 5)), False)]
            out.append(
                GigFacts(
                    gig_id=uuid.uuid4(),
                    remote_mode=mode,
                    rate_min_jpy_h=rmin,
                    rate_max_jpy_h=rmax,
                    domains=frozenset(doms),
                    search_text=gig_search_text(title, "".join(sentences), skills),
                    days_min=dmin,
                    days_max=dmax,
                    location=location,
                )
            )
        return out


@dataclass
class Result:
    subs: int
    build_s: float = 0.0
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    fast_gigs: int = 0
    fast_gps: float = 0.0
    fast_cpu_gps: float = 0.0
    fast_p50_us: float = 0.0
    fast_p99_us: float = 0.0
    fast_cpu_p99_us: float = 0.0
    fast_max_us: float = 0.0
    count_gps: float = 0.0
    count_p50_us: float = 0.0
    count_p99_us: float = 0.0
    matches_mean: float = 0.0
    matches_p50: float = 0.0
    matches_max: int = 0
    upsert_us: float = 0.0
    rebuild_s: float = 0.0
    delta_p99_us: float = 0.0
    sql_gigs: int = 0
    sql_gps: float = 0.0
    sql_p50_ms: float = 0.0
    sql_p99_ms: float = 0.0
    sql_agree: int = 0
    load_s: float = 0.0
    plan: str = ""
    extra: dict[str, float] = field(default_factory=dict)


def time_fast_path(
    index: SubscriptionIndex, gigs: list[GigFacts], r: Result, budget_s: float
) -> list[int]:
    """``match`` (the list of Criteria), then ``count`` (the index work alone), per gig:
    wall-clock latency and CPU time of this thread (the machine may be shared). Stops after
    ``budget_s`` seconds of ``match``."""
    for g in gigs[:200]:  # warm up caches and allocator
        index.match(g)
    latencies: list[float] = []
    cpu: list[float] = []
    counts: list[int] = []
    gc.disable()
    try:
        start = time.perf_counter()
        for g in gigs:
            t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            found = index.match(g)
            cpu.append((time.thread_time_ns() - c0) / 1000)
            latencies.append((time.perf_counter_ns() - t0) / 1000)
            counts.append(len(found))
            del found
            if time.perf_counter() - start > budget_s:
                break
        total = time.perf_counter() - start
        only: list[float] = []
        for g in gigs[:5000]:
            t0 = time.perf_counter_ns()
            index.count(g)
            only.append((time.perf_counter_ns() - t0) / 1000)
    finally:
        gc.enable()
    r.fast_gigs = len(latencies)
    r.fast_gps = len(latencies) / total
    r.fast_cpu_gps = len(latencies) / (sum(cpu) / 1e6)
    r.fast_p50_us = pct(latencies, 0.5)
    r.fast_p99_us = pct(latencies, 0.99)
    r.fast_cpu_p99_us = pct(cpu, 0.99)
    r.fast_max_us = max(latencies)
    r.count_gps = len(only) / (sum(only) / 1e6)
    r.count_p50_us = pct(only, 0.5)
    r.count_p99_us = pct(only, 0.99)
    r.matches_mean = statistics.fmean(counts)
    r.matches_p50 = pct(counts, 0.5)
    r.matches_max = max(counts)
    return counts


def time_updates(index: SubscriptionIndex, gen: Generator, gigs: list[GigFacts], r: Result) -> None:
    """Upserts until the first main rebuild (amortised cost), then latency with a full delta."""
    fresh = gen.subscriptions(index.rebuild_limit + index.delta_limit + 1)
    rebuilds = index.rebuilds
    slowest = 0.0
    start = time.perf_counter()
    for c in fresh:
        t0 = time.perf_counter()
        index.upsert(c)
        slowest = max(slowest, time.perf_counter() - t0)
        if index.rebuilds > rebuilds:
            break
    r.upsert_us = (time.perf_counter() - start) / len(fresh) * 1e6
    r.rebuild_s = slowest
    for c in gen.subscriptions(index.delta_limit):
        index.upsert(c)  # a delta (checked by the rules) and a small segment in play
    latencies = []
    gc.collect()
    gc.disable()
    try:
        for g in gigs[:2000]:
            t0 = time.perf_counter_ns()
            index.match(g)
            latencies.append((time.perf_counter_ns() - t0) / 1000)
    finally:
        gc.enable()
    r.delta_p99_us = pct(latencies, 0.99)


async def time_sql(
    dsn: str,
    subs: list[Criteria],
    gigs: list[GigFacts],
    index: SubscriptionIndex,
    r: Result,
    sample: int,
    budget_s: float,
) -> None:
    name = f"gigalert_bench_{os.getpid()}_{len(subs)}"
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/" + name)
    try:
        await migrate(conn)
        t0 = time.perf_counter()
        freelancers = sorted({c.freelancer_id for c in subs})
        await conn.copy_records_to_table(
            "freelancers",
            records=[(f, "bench", hashlib.sha256(f.bytes).digest()) for f in freelancers],
            columns=["id", "display_name", "token_hash"],
        )
        await conn.execute("ALTER TABLE subscriptions DISABLE TRIGGER subscriptions_changed_trg")
        chunk = 100_000
        for lo in range(0, len(subs), chunk):
            await conn.copy_records_to_table(
                "subscriptions",
                records=[criteria_row(c, "bench") for c in subs[lo : lo + chunk]],
                columns=CRITERIA_COLUMNS,
            )
        await conn.execute("ALTER TABLE subscriptions ENABLE TRIGGER subscriptions_changed_trg")
        await conn.execute("VACUUM ANALYZE subscriptions")
        r.load_s = time.perf_counter() - t0
        stmt = await conn.prepare(REFERENCE_MATCH_SQL)
        await stmt.fetch(*match_params(gigs[0]))  # warm the buffer cache
        latencies: list[float] = []
        agree = 0
        start = time.perf_counter()
        for g in gigs[:sample]:
            t0 = time.perf_counter()
            rows = await stmt.fetch(*match_params(g))
            latencies.append((time.perf_counter() - t0) * 1000)
            if {row["id"] for row in rows} == {c.subscription_id for c in index.match(g)}:
                agree += 1
            if time.perf_counter() - start > budget_s:
                break
        total = sum(latencies) / 1000
        r.sql_gigs = len(latencies)
        r.sql_gps = len(latencies) / total
        r.sql_p50_ms = pct(latencies, 0.5)
        r.sql_p99_ms = pct(latencies, 0.99)
        r.sql_agree = agree
        plan = await conn.fetch(
            "EXPLAIN (ANALYZE, BUFFERS) " + REFERENCE_MATCH_SQL, *match_params(gigs[0])
        )
        r.plan = "\n".join(row[0] for row in plan)
    finally:
        await conn.close()
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def machine_facts() -> str:
    return f"{machine().describe()}, numpy {np.__version__}"


def table(results: list[Result]) -> str:
    rows = [
        "| subscriptions | build (s) | RSS before → after build (MB) | "
        "matches/gig mean (p50, max) | fast gigs timed | fast gigs/s (CPU) | fast p50 / p99 (µs) | "
        "fast p99 CPU (µs) | index alone: gigs/s, p50 / p99 (µs) | SQL gigs (sample) | "
        "SQL gigs/s | SQL p50 / p99 (ms) | fast/SQL | SQL = fast |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = f"{r.fast_gps / r.sql_gps:,.0f}×" if r.sql_gps else "-"
        rows.append(
            f"| {r.subs:,} | {r.build_s:.1f} | {r.rss_before_mb:,.0f} → {r.rss_after_mb:,.0f} | "
            f"{r.matches_mean:,.0f} ({r.matches_p50:,.0f}, {r.matches_max:,}) | "
            f"{r.fast_gigs:,} | {r.fast_gps:,.0f} ({r.fast_cpu_gps:,.0f}) | "
            f"{r.fast_p50_us:,.0f} / {r.fast_p99_us:,.0f} | {r.fast_cpu_p99_us:,.0f} | "
            f"{r.count_gps:,.0f}, {r.count_p50_us:,.0f} / {r.count_p99_us:,.0f} | "
            f"{r.sql_gigs} | {r.sql_gps:,.2f} | {r.sql_p50_ms:,.0f} / {r.sql_p99_ms:,.0f} | "
            f"{ratio} | {r.sql_agree}/{r.sql_gigs} |"
        )
    return "\n".join(rows)


def updates_table(results: list[Result]) -> str:
    rows = [
        "| subscriptions | upsert, amortised incl. one main rebuild (µs) | "
        "main rebuild (s) | match p99 with full delta (µs) |",
        "|---:|---:|---:|---:|",
    ]
    for r in results:
        rows.append(
            f"| {r.subs:,} | {r.upsert_us:,.0f} | {r.rebuild_s:.1f} | {r.delta_p99_us:,.0f} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--subs", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--gigs", type=int, default=20_000)
    parser.add_argument("--fast-budget", type=float, default=120.0, help="seconds of match()")
    parser.add_argument("--sql-sample", type=int, default=200, help="gigs through the SQL path")
    parser.add_argument("--sql-budget", type=float, default=60.0, help="seconds of SQL per size")
    parser.add_argument("--no-sql", action="store_true")
    parser.add_argument("--no-updates", action="store_true")
    parser.add_argument("--dsn", default=os.environ.get("GIGALERT_BENCH_DSN", DEFAULT_DSN))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin the fast path to")
    args = parser.parse_args(argv)

    os.sched_setaffinity(0, {args.cpu})
    print(f"machine: {machine_facts()}; pinned to CPU {args.cpu}")
    results: list[Result] = []
    for n in args.subs:
        gen = Generator(seed=args.seed)
        t0 = time.perf_counter()
        subs = gen.subscriptions(n)
        gigs = gen.gigs(args.gigs)
        print(f"\n## {n:,} subscriptions (generated in {time.perf_counter() - t0:.1f} s)")
        r = Result(subs=n)
        gc.collect()
        r.rss_before_mb = rss_mb()
        t0 = time.perf_counter()
        index = SubscriptionIndex(subs)
        r.build_s = time.perf_counter() - t0
        gc.collect()
        r.rss_after_mb = rss_mb()
        print(
            f"index built in {r.build_s:.1f} s; RSS {r.rss_before_mb:,.0f} → {r.rss_after_mb:,.0f} MB"
        )
        time_fast_path(index, gigs, r, args.fast_budget)
        print(
            f"fast path ({r.fast_gigs:,} gigs): {r.fast_gps:,.0f} gigs/s ({r.fast_cpu_gps:,.0f} by CPU time), "
            f"p50 {r.fast_p50_us:,.0f} µs, p99 {r.fast_p99_us:,.0f} µs (CPU "
            f"{r.fast_cpu_p99_us:,.0f} µs), max {r.fast_max_us:,.0f} µs; "
            f"{r.matches_mean:,.1f} matches/gig (p50 {r.matches_p50:,.0f}, max {r.matches_max:,}); "
            f"index alone (count): {r.count_gps:,.0f} gigs/s, p50 {r.count_p50_us:,.0f} µs, "
            f"p99 {r.count_p99_us:,.0f} µs"
        )
        if not args.no_sql:
            asyncio.run(time_sql(args.dsn, subs, gigs, index, r, args.sql_sample, args.sql_budget))
            print(
                f"SQL reference ({r.sql_gigs} gigs, load {r.load_s:.0f} s): {r.sql_gps:,.2f} "
                f"gigs/s, p50 {r.sql_p50_ms:,.0f} ms, p99 {r.sql_p99_ms:,.0f} ms; "
                f"same answer as the index for {r.sql_agree}/{r.sql_gigs}"
            )
        if not args.no_updates:
            time_updates(index, gen, gigs, r)
            print(
                f"updates: {r.upsert_us:,.0f} µs/upsert amortised, main rebuild "
                f"{r.rebuild_s:.1f} s, match p99 with a full delta {r.delta_p99_us:,.0f} µs"
            )
        results.append(r)
        del index, subs, gigs
        gc.collect()
    print("\n" + table(results))
    if not args.no_updates:
        print("\n" + updates_table(results))
    for r in results[-1:]:
        if r.plan:
            print(f"\nEXPLAIN ANALYZE of one reference query at {r.subs:,} subscriptions:\n")
            print(r.plan)


if __name__ == "__main__":
    main()
