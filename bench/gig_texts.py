"""What the benches generate gigs and subscriptions from: rates as platforms write them,
with varied figures (so a cache keyed by the text would not flatter a benchmark), and how
popular each domain is."""

from __future__ import annotations

import random
from typing import Final

RATES: Final = [
    "時給{a}円",
    "時給{a}円〜{b}円",
    "月額{m}〜{n}万円（140-180h）",
    "〜{n}万円/月",
    "日給{d}万円",
    "${u}-{v}/hr",
    "応相談",
]
TITLES: Final = [
    "PMO支援",
    "Webマーケティング支援",
    "広報・PR",
    "データ分析基盤",
    "バックエンド開発",
]
CATEGORIES: Final = ["PMO", "マーケティング", "広報", "データ", "エンジニア"]
# Domain popularity (subscriptions and gigs alike): PMO, engineering and marketing lead.
DOMAIN_WEIGHTS: Final = {
    "pmo": 0.20,
    "engineering": 0.20,
    "marketing": 0.15,
    "data": 0.08,
    "project_management": 0.08,
    "consulting": 0.07,
    "design": 0.05,
    "pr": 0.04,
    "sales": 0.04,
    "seo": 0.03,
    "advertising": 0.03,
    "writing": 0.03,
}


def rate_text(rng: random.Random) -> str:
    return rng.choice(RATES).format(
        a=rng.randrange(2000, 8000, 100),
        b=rng.randrange(8000, 12000, 100),
        m=rng.randrange(40, 80),
        n=rng.randrange(80, 150),
        d=rng.randrange(2, 6),
        u=rng.randrange(20, 50),
        v=rng.randrange(50, 90),
    )
