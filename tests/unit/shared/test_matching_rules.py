"""The matching rules, one criterion and one edge at a time. Every case starts from a
subscription that accepts anything and a gig that says nothing, and changes one thing."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from gigalert_shared.events import GigBody, RateSource, RateUnit, RemoteMode
from gigalert_shared.matching import Criteria, GigFacts, explain, matches, rules
from gigalert_shared.taxonomy import normalise_text

ALL = frozenset({"remote", "hybrid", "onsite"})
REMOTE = frozenset({"remote"})

BASE_CRITERIA = Criteria(
    subscription_id=uuid.UUID(int=1),
    freelancer_id=uuid.UUID(int=2),
    remote_modes=ALL,
    min_rate_jpy_h=None,
    include_unknown_rate=True,
    domains=frozenset(),
    keywords_any=(),
    keywords_none=(),
    max_days_per_week=None,
    locations=(),
)
BASE_GIG = GigFacts(
    gig_id=uuid.UUID(int=3),
    remote_mode=None,
    rate_min_jpy_h=None,
    rate_max_jpy_h=None,
    domains=frozenset(),
    search_text="",
    days_min=None,
    days_max=None,
    location=None,
)


def crit(**changes: Any) -> Criteria:
    return dataclasses.replace(BASE_CRITERIA, **changes)


def gig(**changes: Any) -> GigFacts:
    return dataclasses.replace(BASE_GIG, **changes)


def case(name: str, c: dict[str, Any], g: dict[str, Any], expected: bool) -> Any:
    return pytest.param(c, g, expected, id=name)


CASES = [
    case("anything matches an unconstrained subscription", {}, {}, True),
    # remote mode
    case("remote gig, remote-only", {"remote_modes": REMOTE}, {"remote_mode": "remote"}, True),
    case("hybrid is not remote", {"remote_modes": REMOTE}, {"remote_mode": "hybrid"}, False),
    case("onsite is not remote", {"remote_modes": REMOTE}, {"remote_mode": "onsite"}, False),
    case(
        "hybrid accepted when asked",
        {"remote_modes": frozenset({"remote", "hybrid"})},
        {"remote_mode": "hybrid"},
        True,
    ),
    case("unknown mode, all accepted", {"remote_modes": ALL}, {"remote_mode": None}, True),
    case(
        "unknown mode, remote+hybrid",
        {"remote_modes": frozenset({"remote", "hybrid"})},
        {"remote_mode": None},
        False,
    ),
    case("empty remote modes accept nothing", {"remote_modes": frozenset()}, {}, False),
    # rate
    case("no floor, no rate", {"min_rate_jpy_h": None, "include_unknown_rate": False}, {}, True),
    case("no floor, low rate", {"min_rate_jpy_h": None}, {"rate_min_jpy_h": 1}, True),
    case("rate equal to the floor", {"min_rate_jpy_h": 4500}, {"rate_min_jpy_h": 4500}, True),
    case("rate one yen below", {"min_rate_jpy_h": 4500}, {"rate_min_jpy_h": 4499}, False),
    case(
        "range whose max reaches the floor",
        {"min_rate_jpy_h": 4500},
        {"rate_min_jpy_h": 4000, "rate_max_jpy_h": 5000},
        True,
    ),
    case(
        "range whose max falls short",
        {"min_rate_jpy_h": 4500},
        {"rate_min_jpy_h": 3000, "rate_max_jpy_h": 4000},
        False,
    ),
    case("only a max (〜5,000円)", {"min_rate_jpy_h": 4500}, {"rate_max_jpy_h": 5000}, True),
    case(
        "unknown rate, include_unknown_rate",
        {"min_rate_jpy_h": 4500, "include_unknown_rate": True},
        {},
        True,
    ),
    case(
        "unknown rate, not include_unknown_rate",
        {"min_rate_jpy_h": 4500, "include_unknown_rate": False},
        {},
        False,
    ),
    case(
        "include_unknown_rate does not admit a known low rate",
        {"min_rate_jpy_h": 4500, "include_unknown_rate": True},
        {"rate_min_jpy_h": 3000},
        False,
    ),
    # unpaid work (無報酬) is a known 0: it passes no floor, and it is not "unknown"
    case(
        "unpaid, no floor",
        {"min_rate_jpy_h": None},
        {"rate_min_jpy_h": 0, "rate_max_jpy_h": 0},
        True,
    ),
    case(
        "unpaid, a floor of 0 (paid work only)",
        {"min_rate_jpy_h": 0, "include_unknown_rate": True},
        {"rate_min_jpy_h": 0, "rate_max_jpy_h": 0},
        False,
    ),
    case(
        "unpaid is not unknown: include_unknown_rate does not admit it",
        {"min_rate_jpy_h": 1000, "include_unknown_rate": True},
        {"rate_min_jpy_h": 0, "rate_max_jpy_h": 0},
        False,
    ),
    case("paid work, a floor of 0", {"min_rate_jpy_h": 0}, {"rate_min_jpy_h": 1000}, True),
    # domains
    case("any domain, gig without domain", {"domains": frozenset()}, {}, True),
    case(
        "domain in common",
        {"domains": frozenset({"pmo", "data"})},
        {"domains": frozenset({"data", "engineering"})},
        True,
    ),
    case(
        "no domain in common",
        {"domains": frozenset({"pmo"})},
        {"domains": frozenset({"marketing"})},
        False,
    ),
    case("domain asked, gig without domain", {"domains": frozenset({"pmo"})}, {}, False),
    # keywords
    case("keyword found", {"keywords_any": ("pmo",)}, {"search_text": "大手pmo支援"}, True),
    case(
        "one of several keywords is enough",
        {"keywords_any": ("sap", "python")},
        {"search_text": "python エンジニア"},
        True,
    ),
    case("keyword missing", {"keywords_any": ("pmo",)}, {"search_text": "seo記事"}, False),
    case(
        "width-insensitive: ＰＭＯ = PMO",
        {"keywords_any": (normalise_text("PMO"),)},
        {"search_text": normalise_text("ＰＭＯ支援")},
        True,
    ),
    case(
        "Japanese keyword, no word boundary needed",
        {"keywords_any": ("広報",)},
        {"search_text": "スタートアップの広報担当"},
        True,
    ),
    case(
        "keyword with % and _ is literal",
        {"keywords_any": ("100%_remote",)},
        {"search_text": "100% remote"},
        False,
    ),
    case("excluded keyword", {"keywords_none": ("常駐",)}, {"search_text": "常駐あり"}, False),
    case("excluded keyword absent", {"keywords_none": ("常駐",)}, {"search_text": "在宅"}, True),
    case(
        "excluded keyword wins over wanted keyword",
        {"keywords_any": ("pmo",), "keywords_none": ("営業",)},
        {"search_text": "pmo 兼 営業"},
        False,
    ),
    # days
    case("unknown days match any limit", {"max_days_per_week": 1.0}, {}, True),
    case(
        "週2〜3日 fits a 2-day limit",
        {"max_days_per_week": 2.0},
        {"days_min": 2.0, "days_max": 3.0},
        True,
    ),
    case(
        "週3〜5日 exceeds a 2-day limit",
        {"max_days_per_week": 2.0},
        {"days_min": 3.0, "days_max": 5.0},
        False,
    ),
    case("only a max: 週3日まで", {"max_days_per_week": 2.0}, {"days_max": 3.0}, False),
    case("only a max within the limit", {"max_days_per_week": 3.0}, {"days_max": 3.0}, True),
    case("no limit, 週5日", {"max_days_per_week": None}, {"days_min": 5.0}, True),
    # locations
    case(
        "location contained",
        {"locations": ("東京",)},
        {"remote_mode": "onsite", "location": "東京都渋谷区"},
        True,
    ),
    case(
        "location elsewhere",
        {"locations": ("東京",)},
        {"remote_mode": "hybrid", "location": "大阪府大阪市"},
        False,
    ),
    case(
        "locations do not apply to remote gigs",
        {"locations": ("東京",)},
        {"remote_mode": "remote", "location": "大阪府"},
        True,
    ),
    case(
        "non-remote gig without location",
        {"locations": ("東京",)},
        {"remote_mode": "onsite", "location": None},
        False,
    ),
    case(
        "unknown mode counts as not remote",
        {"locations": ("東京",)},
        {"remote_mode": None, "location": "福岡"},
        False,
    ),
]


@pytest.mark.parametrize(("c", "g", "expected"), CASES)
def test_rule(c: dict[str, Any], g: dict[str, Any], expected: bool) -> None:
    assert matches(crit(**c), gig(**g)) is expected


def test_enough_cases() -> None:
    assert len(CASES) >= 25


def test_gig_figures() -> None:
    assert rules.gig_rate(gig(rate_min_jpy_h=4000, rate_max_jpy_h=5000)) == 5000
    assert rules.gig_rate(gig(rate_min_jpy_h=4000)) == 4000
    assert rules.gig_days(gig(days_min=2.0, days_max=3.0)) == 2.0
    assert rules.gig_days(gig(days_max=3.0)) == 3.0


def _gig_body(**changes: Any) -> GigBody:
    fields: dict[str, Any] = {
        "gig_id": uuid.uuid4(),
        "platform_id": uuid.uuid4(),
        "platform_name": "board",
        "external_id": "x1",
        "title": "【ＰＭＯ】大手SIerのPMO支援",
        "description": "週2〜3日、フルリモート",
        "skills": ["Excel", "ＪＩＲＡ"],
        "domains": ["pmo"],
        "remote_mode": RemoteMode.REMOTE,
        "location": "東京都　港区",
        "rate_min_jpy_h": 4000,
        "rate_max_jpy_h": 5000,
        "days_per_week_min": 2.0,
        "days_per_week_max": 3.0,
        "received_at": datetime(2025, 1, 1, tzinfo=UTC),
        "content_hash": "h",
    }
    fields.update(changes)
    return GigBody(**fields)


def test_facts_from_gig() -> None:
    facts = GigFacts.from_gig(_gig_body())
    assert facts.remote_mode == "remote"
    assert facts.domains == frozenset({"pmo"})
    assert "【pmo】大手sierのpmo支援" in facts.search_text
    assert "jira" in facts.search_text
    assert facts.location == "東京都 港区"
    assert (facts.rate_min_jpy_h, facts.rate_max_jpy_h) == (4000, 5000)
    assert (facts.days_min, facts.days_max) == (2.0, 3.0)
    assert GigFacts.from_gig(_gig_body(remote_mode=None, location=None)).remote_mode is None


def _texts(c: Criteria, g: GigFacts, rs: RateSource | None = None) -> list[tuple[str, str, bool]]:
    return [(r.text_ja, r.text_en, r.ok) for r in explain(c, g, rs or RateSource())]


def test_explain_only_constrained_criteria() -> None:
    assert explain(BASE_CRITERIA, BASE_GIG, RateSource()) == []


def test_explain_a_full_match() -> None:
    c = crit(
        remote_modes=REMOTE,
        min_rate_jpy_h=4500,
        domains=frozenset({"pmo"}),
        keywords_any=("pmo",),
        max_days_per_week=2.0,
        locations=("東京",),
    )
    g = gig(
        remote_mode="remote",
        rate_min_jpy_h=5000,
        rate_max_jpy_h=5000,
        domains=frozenset({"pmo", "data"}),
        search_text="大手pmo支援",
        days_min=2.0,
        days_max=3.0,
        location="東京都",
    )
    rs = RateSource(
        amount_min=800_000, amount_max=800_000, unit=RateUnit.MONTH, hours_divisor=160.0
    )
    assert matches(c, g)
    assert _texts(c, g, rs) == [
        ("フルリモート ✓", "fully remote ✓", True),
        (
            "¥5,000/h ≥ ¥4,500 (月額80万円 ÷ 160h)",
            "¥5,000/h ≥ ¥4,500 (¥800,000/month ÷ 160h)",
            True,
        ),
        ("分野: PMO ✓", "domain: pmo ✓", True),
        ("キーワード: pmo ✓", "keyword: pmo ✓", True),
        ("週2〜3日 ≤ 週2日", "2–3 days/week ≤ 2 days/week", True),
        ("フルリモートのため勤務地不問 ✓", "fully remote, so location does not matter ✓", True),
    ]


def test_explain_unknown_rate_admitted_and_misses() -> None:
    c = crit(min_rate_jpy_h=4500, include_unknown_rate=True, keywords_none=("常駐",))
    reasons = explain(c, gig(), RateSource(negotiable=True))
    assert [r.criterion for r in reasons] == ["rate", "keyword"]
    assert reasons[0].ok and "時給不明（応相談）" in reasons[0].text_ja
    assert "accept gigs without a rate" in reasons[0].text_en
    miss = crit(
        remote_modes=REMOTE, min_rate_jpy_h=4500, max_days_per_week=2.0, locations=("東京",)
    )
    g = gig(remote_mode="onsite", rate_min_jpy_h=3000, days_min=3.0, location="大阪")
    assert [(r.criterion, r.ok) for r in explain(miss, g, RateSource())] == [
        ("remote_mode", False),
        ("rate", False),
        ("days", False),
        ("location", False),
    ]
    assert not matches(miss, g)


def test_explain_range_daily_and_location() -> None:
    c = crit(min_rate_jpy_h=3000, locations=("東京",))
    g = gig(remote_mode="hybrid", rate_min_jpy_h=3750, rate_max_jpy_h=5000, location="東京都港区")
    rs = RateSource(amount_min=30_000, amount_max=40_000, unit=RateUnit.DAY, hours_divisor=8.0)
    assert _texts(c, g, rs) == [
        (
            "最大¥5,000/h ≥ ¥3,000 (日給4万円 ÷ 8h)",
            "up to ¥5,000/h ≥ ¥3,000 (¥40,000/day ÷ 8h)",
            True,
        ),
        ("勤務地: 東京 ✓", "location: 東京 ✓", True),
    ]


def test_explain_unpaid_says_so_in_words() -> None:
    c = crit(min_rate_jpy_h=1000, include_unknown_rate=True)
    g = gig(rate_min_jpy_h=0, rate_max_jpy_h=0)
    (reason,) = explain(c, g, RateSource(unpaid=True, convention="unpaid"))
    assert not reason.ok
    assert "無償" in reason.text_ja and "unpaid" in reason.text_en
    assert "¥0" not in reason.text_ja + reason.text_en


def test_explain_yearly_pay_is_shown_as_yearly() -> None:
    c = crit(min_rate_jpy_h=4500, include_unknown_rate=True)
    rs = RateSource(amount_min=4_500_000, amount_max=4_500_000, unit=RateUnit.YEAR)
    (reason,) = explain(c, gig(), rs)
    assert reason.ok
    assert "年収450万円、時給換算なし" in reason.text_ja
    assert "¥4,500,000 per year, no hourly figure" in reason.text_en
    usd = RateSource(amount_min=40_000, amount_max=55_000, unit=RateUnit.YEAR, currency="USD")
    assert "USD 40,000–55,000 per year" in explain(c, gig(), usd)[0].text_en


def test_explain_implausible_figure_shows_the_listing_amount_only() -> None:
    c = crit(min_rate_jpy_h=1000, include_unknown_rate=False)
    rs = RateSource(
        amount_min=50_000, amount_max=50_000, unit=RateUnit.MONTH, implausible_min_jpy_h=313
    )
    (reason,) = explain(c, gig(), rs)
    assert not reason.ok
    assert "月額5万円" in reason.text_ja and "313" not in reason.text_ja
