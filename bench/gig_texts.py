"""Listing texts the benches generate gigs from: rates as platforms write them, with varied
figures, so a cache keyed by the text would not flatter a benchmark."""

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
