"""The faster normalisers give exactly what the previous ones gave.

``tests.ingest.oracle_v1`` holds the normalisers as they were before the CPU work (pre-checks that
skip scans, one unit-word scan per text, caches of category, days and remote texts); every
public result is compared with it on generated text made of the pieces the patterns look for.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.gig_texts import CATEGORIES, RATES, TITLES, rate_text
from gigalert_ingest.build import Platform, build_gig
from gigalert_ingest.normalise import parse_days, parse_days_cached, parse_rate_text, parse_remote
from gigalert_ingest.normalise.rate_text import read_rate
from gigalert_ingest.normalise.text import prepare
from gigalert_ingest.schemas import GigIn
from gigalert_shared.taxonomy import domains_from_text, load_taxonomy
from tests.ingest.oracle_v1 import build as old_build
from tests.ingest.oracle_v1 import days as old_days
from tests.ingest.oracle_v1 import rate_text as old_rate_text
from tests.ingest.oracle_v1 import rates as old_rates
from tests.ingest.oracle_v1 import remote as old_remote
from tests.ingest.oracle_v1 import taxonomy as old_taxonomy
from tests.ingest.oracle_v1 import text as old_text

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
pieced = st.lists(
    st.one_of(st.sampled_from(PIECES), st.sampled_from(PHRASES), st.integers(0, 99_999).map(str)),
    max_size=10,
).map("".join)
texts = st.one_of(pieced, st.text(max_size=40), st.builds(rate_text, st.randoms()))
FX_TABLES: list[dict[str, float]] = [{"USD": 150.0}, {"usd": 150.0, "abc": 3.0, "": 2.0}, {}]
DAYS = [None, "週3日", "週2〜3日", "週4日以上", "フルタイム", "稼働日数応相談"]


def _rate(r: Any) -> tuple[Any, ...]:
    return (r.min_jpy_h, r.max_jpy_h, r.source)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=texts, fx=st.sampled_from(FX_TABLES), days=st.sampled_from(DAYS))
def test_rate_texts_read_as_before(text: str, fx: dict[str, float], days: str | None) -> None:
    codes = frozenset(k.upper() for k in fx)
    assert prepare(text) == old_text.prepare(text)
    assert dataclasses.astuple(read_rate(text, codes)) == dataclasses.astuple(
        old_rate_text.read_rate(text, codes)
    )
    new_days = None if days is None else parse_days(days)
    old = None if days is None else old_days.parse_days(days)
    assert _rate(parse_rate_text(text, days_per_week=new_days, fx_to_jpy=fx)) == _rate(
        old_rates.parse_rate_text(
            text,
            days_per_week=old,
            fx_to_jpy=fx,
        )
    )


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=texts)
def test_days_remote_and_domains_read_as_before(text: str) -> None:
    old = dataclasses.astuple(old_days.parse_days(text))
    assert dataclasses.astuple(parse_days(text)) == old
    assert dataclasses.astuple(parse_days_cached(text)) == old
    assert parse_remote(text) == old_remote.parse_remote(text)
    assert domains_from_text(text) == old_taxonomy.domains_from_text(text)
    assert domains_from_text(text, "PMO", text[::-1]) == old_taxonomy.domains_from_text(
        text, "PMO", text[::-1]
    )


@pytest.mark.parametrize("text", WORDED)
def test_every_unit_tax_and_negotiable_word_reads_as_before(text: str) -> None:
    codes = frozenset({"USD"})
    assert dataclasses.astuple(read_rate(text, codes)) == dataclasses.astuple(
        old_rate_text.read_rate(text, codes)
    )


@pytest.mark.parametrize("domain", load_taxonomy(), ids=lambda d: d.key)
def test_every_synonym_finds_the_domains_it_found_before(domain: Any) -> None:
    for synonym in domain.synonyms:
        for case in (str, str.upper, str.title):
            for text in (case(synonym), f"x{case(synonym)}", f"{case(synonym)}1", f"支援{synonym}"):
                assert domains_from_text(text) == old_taxonomy.domains_from_text(text), text


@pytest.mark.parametrize("fx", FX_TABLES)
def test_a_bad_fx_table_is_still_refused_every_time(fx: dict[str, float]) -> None:
    bad = {**fx, "EUR": -1.0}
    for _ in range(2):  # the checked table is cached: the error must not be
        with pytest.raises(ValueError, match="fx_to_jpy"):
            parse_rate_text("$40/h", fx_to_jpy=bad)


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


def test_gigs_build_as_before() -> None:
    rng = random.Random(11)
    platform = Platform(uuid.uuid4(), "p")
    now = datetime.now(UTC)
    for i in range(600):
        gig = GigIn.model_validate(_gig(rng, i))
        gig_id = uuid.uuid4()
        kwargs: dict[str, Any] = {
            "platform": platform,
            "gig_id": gig_id,
            "received_at": now,
            "fx_to_jpy": {"USD": 150.0},
        }
        assert build_gig(gig, **kwargs) == old_build.build_gig(gig, **kwargs)
