"""A golden corpus for ingest's normalisers: thousands of inputs made of the pieces their
patterns look for (and of what could fool a pre-check that skips a scan), with what the
normalisers answered. ``tests/unit/ingest/test_normalise_golden.py`` checks the current code
against it, so a faster normaliser must answer exactly as the old one did.

The answers were recorded from the normalisers as they were before session 2's CPU work
(commit f32bb0f). After an intended change of behaviour, regenerate and review the diff:
``uv run python -m tests.support.normalise_golden``."""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.gig_texts import CATEGORIES, RATES, TITLES, rate_text
from gigalert_ingest.build import Platform
from gigalert_ingest.schemas import GigIn
from gigalert_shared.taxonomy import load_taxonomy

GOLDEN = Path(__file__).parents[1] / "data" / "normalise_golden.json.gz"

# What the patterns look for, and what could fool a pre-check: full-width forms, every range
# mark, letters that fold to ASCII under NFKC or IGNORECASE (K Kelvin, ſ, ı, İ), combining marks.
PIECES = [
    *"0123456789０１２３４５６７８９.,，:：/()（）+%",
    *"~〜～∼-ー−–—‐",
    *"万千円¥￥$€£kK",
    "から",
    " to ",
    "to",
    "TO",
    " ",
    "\u3000",
    "\t",
    "\n",
    "時給",
    "時間",
    "時",
    "日給",
    "日",
    "月額",
    "月",
    "ヶ月",
    "人月",
    "週",
    "精算幅",
    "精算",
    "h",
    "H",
    "hr",
    "hours",
    "day",
    "days",
    "/week",
    " a week",
    "per",
    "an hour",
    "month",
    "税抜",
    "税込",
    "+税",
    "excl. tax",
    "incl tax",
    "plus VAT",
    "応相談",
    "negotiable",
    "DOE",
    "TBD",
    "up to",
    "from",
    "max",
    "min",
    "以上",
    "まで",
    "上限",
    "単価",
    "年収",
    "annual",
    "案件総額",
    "固定報酬",
    "fixed",
    "想定",
    "程度",
    "USD",
    "EUR",
    "GBP",
    "XYZ",
    "ABC",
    "ドル",
    "ユーロ",
    "yen",
    "dollars",
    "フルリモート",
    "リモート",
    "在宅",
    "出社",
    "常駐",
    "ハイブリッド",
    "一部リモート",
    "不可",
    "remote",
    "hybrid",
    "onsite",
    "on-site",
    "office",
    "フルタイム",
    "常勤",
    "full-time",
    "PMO",
    "ＰＭＯ",
    "pmo",
    "マーケティング",
    "広報",
    "PR",
    "data",
    "データ",
    "開発",
    "design",
    "\u212a",
    "\u017f",
    "\u0131",
    "\u0130",
    "\u3099",
    "\u0301",
    "ア",
    "a",
    "x",
]
# Whole phrases as listings write them, so that rare paths (stated hours, a band, hours a week,
# tax, one-sided figures) are reached often.
PHRASES = [
    "月額60万円",
    "60〜80万円",
    "時給4,500円〜",
    "160H",
    "160h想定",
    "140-180H",
    "（140〜180時間）",
    "精算幅140-180",
    "週20時間",
    "週10~20h",
    "1日8h",
    "$40-60/HR",
    "¥5000/h",
    "80万円/人月",
    "3000円/1h",
    "日給3万円",
    "〜80万円",
    "4500円以上",
    "$40+",
    "up to $60",
    "from €40",
    "案件総額50万円（100h想定）",
    "単価80万",
    "単価5万",
    "年収600万円",
    "5000~1万円",
    "80~60万円",
    "週3日",
    "週2〜3日で",
    "3 days a week",
    "4+ days/wk",
    "週1出社",
    "月2回出社",
    "週5日出社",
    "リモート不可",
    "リモート応相談",
    "remote negotiable",
    "2 days in office",
    "USD 40/h",
    "40 XYZ/hour",
    "40 ABC/h",
    "€40 - $60/h",
    "1万5千円/日",
    "2.5万円/日",
    "4.5k/month",
]
# Every alternative of the unit-word, tax and negotiable patterns, in either case, before and
# after a figure: a pre-check that forgot one of their first characters would show here.
WORDS = [
    *("時給", "時間単価", "時間給", "hourly", "per hour", "日給", "日額", "日当", "日単価", "人日"),
    *("daily", "per day", "1日", "月額", "月給", "月単価", "月収", "人月", "monthly", "per month"),
    *("月", "1ヶ月", "1か月", "案件総額", "総額", "固定報酬", "報酬総額", "一括", "成果報酬"),
    *("fixed", "fixed price", "fixed fee", "per project", "project fee", "lump sum", "1記事"),
    *("1本", "1件", "1案件", "案件あたり", "年収", "年俸", "annual", "annually", "per year"),
    *("per annum", "単価", "税抜", "税別", "外税", "+税", "+消費税", "excluding tax", "excl. VAT"),
    *("excl of tax", "plus tax", "plus VAT", "税込", "内税", "including tax", "incl. VAT"),
    *("tax incl", "応相談", "要相談", "相談可", "相談に応じ", "見合い", "スキルに応じ"),
    *("経験に応じ", "negotiable", "DOE", "TBD"),
]
WORDED = [
    case(phrase)
    for word in WORDS
    for phrase in (f"{word}5万円", f"5万円({word})", f"~{word} 40 USD")
    for case in (str, str.upper, str.title)
]
PHRASES += WORDED
# Every synonym of the taxonomy, in three cases, alone and between ASCII and Japanese.
PHRASES += [
    f"{before}{case(synonym)}{after}"
    for domain in load_taxonomy()
    for synonym in domain.synonyms
    for case in (str, str.upper, str.title)
    for before, after in (("", ""), ("x", ""), ("", "1"), ("支援", "案件"))
]
FX_TABLES: list[dict[str, float]] = [{"USD": 150.0}, {"usd": 150.0, "abc": 3.0, "": 2.0}, {}]
DAYS = [None, "週3日", "週2〜3日", "週4日以上", "フルタイム", "稼働日数応相談"]


def _pieced(rng: random.Random) -> str:
    parts: list[str] = []
    for _ in range(rng.randrange(11)):
        kind = rng.randrange(3)
        if kind == 0:
            parts.append(rng.choice(PIECES))
        elif kind == 1:
            parts.append(rng.choice(PHRASES))
        else:
            parts.append(str(rng.randrange(100_000)))
    return "".join(parts)


def _odd(rng: random.Random) -> str:
    """Short text of any code points but surrogates (what st.text() would draw)."""
    return "".join(
        chr(c)
        for c in (rng.randrange(0x110000) for _ in range(rng.randrange(20)))
        if not 0xD800 <= c <= 0xDFFF
    )


def texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = [*PHRASES]
    while len(out) < n:
        pick = rng.randrange(10)
        out.append(_odd(rng) if pick == 0 else rate_text(rng) if pick == 1 else _pieced(rng))
    return out


def _gig(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "external_id": f"g-{i}",
        "title": f"{rng.choice(TITLES)} #{i}",
        "category": rng.choice([*CATEGORIES, None, "ＰＭＯ／広報"]),
        "skills": rng.sample(["PMO", "Jira", "SEO", "広告運用", "Python"], k=rng.randrange(3)),
        "remote": rng.choice([None, "フルリモート", "週1出社", "常駐", "remote", "リモート可"]),
        "rate": rng.choice(
            [rate_text(rng), None, {"amount_min": 5000, "unit": "hour"}, rng.choice(RATES)]
        ),
        "days_per_week": rng.choice([None, *DAYS[1:], {"min": 2, "max": 3}]),
    }


def _plain(value: Any) -> Any:
    """JSON's view of a result: dataclasses and models as dicts, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, str | int | float):
        return value.value  # an enum
    return value


def answers(impl: SimpleNamespace) -> dict[str, Any]:
    """Every case and what ``impl`` (the normaliser functions) answers for it."""
    rng = random.Random(7)
    rates = []
    for text in texts(6000, seed=1):
        fx = rng.choice(FX_TABLES)
        days_text = rng.choice(DAYS)
        days = None if days_text is None else impl.parse_days(days_text)
        codes = frozenset(k.upper() for k in fx)
        rate = impl.parse_rate_text(text, days_per_week=days, fx_to_jpy=fx)
        rates.append(
            {
                "text": text,
                "fx": FX_TABLES.index(fx),
                "days": days_text,
                "prepared": impl.prepare(text),
                "read": _plain(impl.read_rate(text, codes)),
                "rate": _plain((rate.min_jpy_h, rate.max_jpy_h, rate.source)),
            }
        )
    others = [
        {
            "text": text,
            "days": _plain(impl.parse_days(text)),
            "remote": _plain(impl.parse_remote(text)),
            "domains": impl.domains_from_text(text),
            "domains3": impl.domains_from_text(text, "PMO", text[::-1]),
        }
        for text in texts(4000, seed=2)
    ]
    gigs = []
    gig_rng = random.Random(11)
    platform = Platform(uuid.UUID(int=1), "p")
    at = datetime(2026, 11, 28, tzinfo=UTC)
    for i in range(600):
        raw = _gig(gig_rng, i)
        gig = GigIn.model_validate(raw)
        body = impl.build_gig(
            gig,
            platform=platform,
            gig_id=uuid.UUID(int=i),
            received_at=at,
            fx_to_jpy={"USD": 150.0},
        )
        gigs.append({"gig": raw, "body": _plain(body)})
    return {"rates": rates, "others": others, "gigs": gigs}


def current() -> SimpleNamespace:
    from gigalert_ingest.build import build_gig
    from gigalert_ingest.normalise import parse_days, parse_rate_text, parse_remote
    from gigalert_ingest.normalise.rate_text import read_rate
    from gigalert_ingest.normalise.text import prepare
    from gigalert_shared.taxonomy import domains_from_text

    return SimpleNamespace(
        build_gig=build_gig,
        parse_days=parse_days,
        parse_rate_text=parse_rate_text,
        parse_remote=parse_remote,
        read_rate=read_rate,
        prepare=prepare,
        domains_from_text=domains_from_text,
    )


def write(impl: SimpleNamespace) -> None:
    data = json.dumps(answers(impl), ensure_ascii=False, sort_keys=True, indent=0)
    GOLDEN.write_bytes(gzip.compress(data.encode(), mtime=0))


def load() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    return loaded


if __name__ == "__main__":
    write(current())
