"""The end-to-end case's data: realistic background subscriptions and gigs, and probes."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from typing import Any, Final

from bench.gig_texts import CATEGORIES, DOMAIN_WEIGHTS, TITLES, rate_text
from gigalert_shared.taxonomy import normalise_text

EXCLUDE: Final = "負荷試験用"  # in every bench gig; every background subscription excludes it


PROBE_WORD: Final = "gigalertprobe"  # only probe gigs carry it; only probe subscriptions want it


KEYWORDS: Final = [
    "pmo",
    "jira",
    "マーケティング",
    "広報",
    "データ分析",
    "python",
    "sql",
    "aws",
    "新規事業",
]


PREFS: Final = ["東京", "大阪", "神奈川", "福岡", "愛知"]


MODES: Final = [
    ["remote"],
    ["hybrid", "remote"],
    ["hybrid", "onsite", "remote"],
    ["hybrid", "onsite"],
]


REMOTE: Final = ["フルリモート", "一部リモート（週1出社）", "常駐", "リモート可", "フルリモート"]


SKILLS: Final = ["PMO", "Jira", "Python", "SQL", "AWS", "Excel", "Figma", "Salesforce"]


def background_subscriptions(
    rng: random.Random, freelancers: list[uuid.UUID], n: int
) -> Iterator[tuple[Any, ...]]:
    """Realistic criteria (see the module docstring), each excluding EXCLUDE."""
    domains, weights = list(DOMAIN_WEIGHTS), list(DOMAIN_WEIGHTS.values())
    exclude = normalise_text(EXCLUDE)
    for _ in range(n):
        doms: list[str] = []
        if rng.random() >= 0.30:
            doms = sorted(set(rng.choices(domains, weights, k=1 if rng.random() < 0.75 else 2)))
        keywords = (
            sorted(set(rng.sample(KEYWORDS, rng.randint(1, 3)))) if rng.random() < 0.40 else []
        )
        floor = (
            None
            if rng.random() < 0.20
            else int(
                min(15000, max(1500, round(rng.lognormvariate(math.log(5000), 0.3) / 500) * 500))
            )
        )
        days = None if rng.random() < 0.5 else float(rng.choice([1, 2, 2, 3, 3, 4, 5]))
        locations = (
            sorted(set(rng.choices(PREFS, k=rng.randint(1, 2)))) if rng.random() < 0.15 else []
        )
        yield (
            uuid.uuid4(),
            rng.choice(freelancers),
            "bench",
            rng.choices(MODES, [0.60, 0.20, 0.15, 0.05])[0],
            floor,
            rng.random() < 0.40,
            doms,
            keywords,
            [exclude],
            days,
            locations,
        )


def background_gig(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "external_id": f"bg-{i}",
        "title": f"{rng.choice(TITLES)} #{i}",
        "description": f"新規事業の立ち上げ支援（{EXCLUDE}）。"
        + "要件定義から運用まで。" * rng.randint(2, 6),
        "url": f"https://jobs.example.jp/bg/{i}",
        "category": rng.choice(CATEGORIES),
        "skills": rng.sample(SKILLS, 3),
        "remote": rng.choice(REMOTE),
        "location": rng.choice(["東京都渋谷区", "大阪府大阪市", "神奈川県横浜市", "福岡県福岡市"]),
        "rate": rate_text(rng),
        "days_per_week": rng.choice(["週2〜3日", "週5日", "週1日～", "週3日"]),
    }


def probe_gig(name: str) -> dict[str, Any]:
    return {
        "external_id": name,
        "title": f"新規事業PMO支援 {PROBE_WORD} {name}",
        "description": f"フルリモート、週2日から（{EXCLUDE}）。Jira/Confluence運用。",
        "url": f"https://jobs.example.jp/probe/{name}",
        "category": "PMO",
        "remote": "フルリモート",
        "rate": "月額80万円（140-180h）",
        "days_per_week": "週2〜3日",
    }
