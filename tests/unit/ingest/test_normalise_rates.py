"""Pay texts as platforms write them, to JPY per hour with the source and convention kept."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigalert_ingest.normalise import (
    DaysPerWeek,
    days_from_numbers,
    normalise_structured_rate,
    parse_days,
    parse_rate_text,
)
from gigalert_ingest.normalise.hourly import MAX_JPY_PER_HOUR
from gigalert_shared.events import RateUnit, TaxBasis

FX = {"USD": 150.0, "EUR": 160.0}
H, D, M, P = RateUnit.HOUR, RateUnit.DAY, RateUnit.MONTH, RateUnit.PROJECT
Y, PC = RateUnit.YEAR, RateUnit.PIECE
STD = "month ÷ 160h (standard)"
BAND = "month ÷ 160h (midpoint of 精算幅 140–180h)"


def case(
    text: str,
    lo: int | None,
    hi: int | None,
    unit: RateUnit | None,
    convention: str,
    **facts: Any,
) -> Any:
    return pytest.param(text, lo, hi, {"unit": unit, "convention": convention, **facts}, id=text)


RATE_TEXTS = [
    # hourly
    case("時給4,500円〜6,000円", 4500, 6000, H, "hour", amount_min=4500, amount_max=6000),
    case("時給４，５００円～６，０００円", 4500, 6000, H, "hour"),
    case("時給：4500〜5500円", 4500, 5500, H, "hour"),
    case("時給4500ー6000円", 4500, 6000, H, "hour"),
    case("¥4,500/h", 4500, 4500, H, "hour", currency="JPY", fx_rate_to_jpy=None),
    case("4500円/時", 4500, 4500, H, "hour"),
    case("5,000 JPY/hour", 5000, 5000, H, "hour"),
    case("7,500 yen per hour", 7500, 7500, H, "hour"),
    case("3,000円/1h", 3000, 3000, H, "hour"),
    case("時給4500", 4500, 4500, H, "hour"),
    case("時給 ４５００ 円", 4500, 4500, H, "hour"),
    case("時給1万円", 10000, 10000, H, "hour"),
    case("5000〜1万円/h", 5000, 10000, H, "hour"),
    case("時給 4,500円以上", 4500, None, H, "hour", amount_max=None),
    case("時給４５００円～", 4500, None, H, "hour"),
    case("最低時給3000円", 3000, None, H, "hour"),
    case("〜時給5,000円", None, 5000, H, "hour", amount_min=None),
    case("時給4500円（税抜）", 4500, 4500, H, "hour", tax_basis=TaxBasis.EXCLUDED),
    case(
        "時給4,500円〜6,000円（税込）／週2〜3日", 4500, 6000, H, "hour", tax_basis=TaxBasis.INCLUDED
    ),
    case(
        "時給2,000円～4,000円（経験・スキルにより応相談）", 2000, 4000, H, "hour", negotiable=True
    ),
    case("時給3,000円〜（スキル見合い）", 3000, None, H, "hour", negotiable=True),
    case("時給4,500円〜（月額72万円相当）", 4500, None, H, "hour"),
    # daily
    case("日給3万円", 3750, 3750, D, "day ÷ 8h", amount_min=30000, hours_divisor=8.0),
    case("日当25,000円", 3125, 3125, D, "day ÷ 8h"),
    case("日額2.5万円（1日8h）", 3125, 3125, D, "day ÷ 8h", hours_per_month_min=None),
    case("1日3万円", 3750, 3750, D, "day ÷ 8h"),
    case("4万5千円/日", 5625, 5625, D, "day ÷ 8h", amount_min=45000),
    # monthly
    case(
        "月額60〜80万円（140-180h）",
        3750,
        5000,
        M,
        BAND,
        amount_min=600000,
        amount_max=800000,
        hours_per_month_min=140,
        hours_per_month_max=180,
        hours_divisor=160,
    ),
    case("月額80万円（精算幅140h〜180h）", 5000, 5000, M, BAND),
    case("月単価70万円 精算幅：140〜180時間", 4375, 4375, M, BAND),
    case("月額80万円(精算140-180)", 5000, 5000, M, BAND),
    case("80万円/月（税抜・精算幅140〜180h）", 5000, 5000, M, BAND, tax_basis=TaxBasis.EXCLUDED),
    case(
        "月額65万円（160h想定）",
        4063,
        4063,
        M,
        "month ÷ 160h (listing's hours)",
        hours_per_month_min=160,
        hours_per_month_max=160,
    ),
    case("〜80万円/月", None, 5000, M, STD, amount_min=None, amount_max=800000),
    case("上限80万円/月", None, 5000, M, STD),
    case("月額上限80万円", None, 5000, M, STD),
    case("月額 〜80万円", None, 5000, M, STD),
    case("月額80万円まで", None, 5000, M, STD),
    case("60万円〜/月", 3750, None, M, STD),
    case("月額60万〜", 3750, None, M, STD),
    case("60 - 80万円/月", 3750, 5000, M, STD),
    case("60万円~80万円/月（税込）", 3750, 5000, M, STD, tax_basis=TaxBasis.INCLUDED),
    case("月額70万円 税別", 4375, 4375, M, STD, tax_basis=TaxBasis.EXCLUDED),
    case("月給50万円", 3125, 3125, M, STD),
    case("月40万円", 2500, 2500, M, STD),
    case("1ヶ月50万円", 3125, 3125, M, STD),
    case("月80万円×3ヶ月", 5000, 5000, M, STD),
    case("¥600,000/month", 3750, 3750, M, STD),
    case("1,200,000円/人月", 7500, 7500, M, STD),
    case("単価80万円", 5000, 5000, M, STD),
    # monthly scaled by the days written beside it: 160h × midpoint days / 5
    case("週3日 月額48万円", 5000, 5000, M, "month ÷ 96h (160h × 3/5 days)", hours_divisor=96),
    case("週3日で月40〜50万円", 4167, 5208, M, "month ÷ 96h (160h × 3/5 days)"),
    case("月額60〜80万円（週2〜3日）", 7500, 10000, M, "month ÷ 80h (160h × 2.5/5 days)"),
    case("40万円～60万円／月（週3日～）", 3125, 4688, M, "month ÷ 128h (160h × 4/5 days)"),
    case("月額60万円（140〜180h）週3日", 3750, 3750, M, BAND),  # the listing's band wins
    # hours the listing gives beside monthly pay
    case("月額10万円（月20h程度）", 5000, 5000, M, "month ÷ 20h (listing's hours)"),
    case("月額30万円 週20時間", 3750, 3750, M, "month ÷ 80h (160h × 20/40h a week)"),
    case("月額20〜30万円（週10〜20時間）", 3333, 5000, M, "month ÷ 60h (160h × 15/40h a week)"),
    case("月額60万円（24時間対応）", 3750, 3750, M, STD, hours_per_month_min=None),
    # project / fixed price
    case(
        "案件総額50万円（100h想定）",
        5000,
        5000,
        P,
        "project ÷ 100h (listing's hours)",
        hours_divisor=100,
        hours_per_month_min=None,
    ),
    case("固定報酬30万円", None, None, P, "project: no hourly rate", amount_min=300000),
    case("1記事5,000円", None, None, PC, "piece: no hourly rate"),  # per article: a piece
    case("Fixed price: $2,000", None, None, P, "project: no hourly rate", currency="USD"),
    case(
        "Fixed price $2,000 (est. 40 hours)",
        7500,
        7500,
        P,
        "project ÷ 40h (listing's hours); USD × 150 JPY",
    ),
    # other currencies
    case(
        "$40-60/hr",
        6000,
        9000,
        H,
        "hour; USD × 150 JPY",
        currency="USD",
        amount_min=40,
        amount_max=60,
        fx_rate_to_jpy=150,
    ),
    case("$40 to $60 per hour", 6000, 9000, H, "hour; USD × 150 JPY"),
    case("USD 40-60/h", 6000, 9000, H, "hour; USD × 150 JPY"),
    case("ＵＳ＄５０/ｈ", 7500, 7500, H, "hour; USD × 150 JPY"),
    case("$50 an hour", 7500, 7500, H, "hour; USD × 150 JPY"),
    case("$40+/hr", 6000, None, H, "hour; USD × 150 JPY"),
    case("up to $60 per hour", None, 9000, H, "hour; USD × 150 JPY"),
    case("€50/h", 8000, 8000, H, "hour; EUR × 160 JPY", currency="EUR"),
    case("from €40/hour", 6400, None, H, "hour; EUR × 160 JPY"),
    case(
        "€45-€55 per hour excl. VAT",
        7200,
        8800,
        H,
        "hour; EUR × 160 JPY",
        tax_basis=TaxBasis.EXCLUDED,
    ),
    case("$5k/month", 4688, 4688, M, "month ÷ 160h (standard); USD × 150 JPY", amount_min=5000),
    case(
        "SGD 50/h",
        None,
        None,
        H,
        "no fx rate for SGD: no JPY figure",
        currency="SGD",
        amount_min=50,
        fx_rate_to_jpy=None,
    ),
    # what real listings write (tests/data/corpus)
    case("最大5時間拘束で4000円ほど", 800, 800, P, "project ÷ 5h (listing's hours)"),
    case("報酬は2万円(1時間程度)", 20000, 20000, P, "project ÷ 1h (listing's hours)"),
    case("月10時間ほど働き、報酬は10万~20万円", 10000, 20000, M, "month ÷ 10h (listing's hours)"),
    case("月四万円前後の謝礼", 250, 250, M, STD, amount_min=40000),
    case("1回の勤務あたり報償費として2万5千円", 3125, 3125, D, "day ÷ 8h"),
    case("1つの記事につき3千円~2万円", None, None, PC, "piece: no hourly rate"),
    case("$50 for their posts", None, None, PC, "piece: no hourly rate"),
    case("at least $100 for each original piece", None, None, PC, "piece: no hourly rate"),
    case("between $20 and $25 per hour", 3000, 3750, H, "hour; USD × 150 JPY", amount_max=25),
    # no figure, and we say why
    case("応相談", None, None, None, "negotiable (応相談): no figure", negotiable=True),
    case("報酬：応相談", None, None, None, "negotiable (応相談): no figure", negotiable=True),
    case("50万円", None, None, None, "unit unknown: no hourly rate", amount_min=500000),
    case("50万〜70万", None, None, None, "unit unknown: no hourly rate", amount_max=700000),
    case("単価5,000円", None, None, None, "unit unknown: no hourly rate"),  # too small for 月単価
    case("年収600万円", None, None, Y, "annual pay: no hourly rate", amount_min=6_000_000),
    case("高単価！", None, None, None, "unreadable", amount_min=None, negotiable=False),
    case("80〜60万円/月", None, None, None, "unreadable", amount_min=None),
    case("0円", None, None, None, "unreadable"),
    case("4500", None, None, None, "unreadable"),
    case("", None, None, None, "unreadable"),
]


@pytest.mark.parametrize(("text", "lo", "hi", "facts"), RATE_TEXTS)
def test_parse_rate_text(text: str, lo: int | None, hi: int | None, facts: dict[str, Any]) -> None:
    rate = parse_rate_text(text, fx_to_jpy=FX)
    assert (rate.min_jpy_h, rate.max_jpy_h) == (lo, hi)
    assert rate.source.text == text
    for name, expected in facts.items():
        assert getattr(rate.source, name) == expected, name


def test_enough_rate_cases() -> None:
    assert len(RATE_TEXTS) >= 45


@pytest.mark.parametrize(
    ("days", "lo", "hi", "convention"),
    [
        (parse_days("週3日"), 5000, 6250, "month ÷ 96h (160h × 3/5 days)"),
        (parse_days("週2〜3日"), 6000, 7500, "month ÷ 80h (160h × 2.5/5 days)"),
        (parse_days("週4日以上"), 3333, 4167, "month ÷ 144h (160h × 4.5/5 days)"),
        (parse_days("フルタイム"), 3000, 3750, "month ÷ 160h (160h × 5/5 days)"),
        (parse_days("稼働日数応相談"), 3000, 3750, STD),
        (None, 3000, 3750, STD),
    ],
    ids=["3 days", "2-3 days", "4+ days", "full time", "unknown days", "no days"],
)
def test_monthly_rate_scales_with_days(
    days: DaysPerWeek | None, lo: int, hi: int, convention: str
) -> None:
    rate = parse_rate_text("月額48〜60万円", days_per_week=days, fx_to_jpy=FX)
    assert (rate.min_jpy_h, rate.max_jpy_h, rate.source.convention) == (lo, hi, convention)


def test_given_days_win_over_days_in_the_text() -> None:
    rate = parse_rate_text("週3日 月額48万円", days_per_week=parse_days("週2日"), fx_to_jpy=FX)
    assert (rate.min_jpy_h, rate.source.hours_divisor) == (7500, 64)


def test_hours_settings() -> None:
    day = parse_rate_text("日給3万円", hours_per_day=7.5, fx_to_jpy=FX)
    assert (day.min_jpy_h, day.source.convention) == (4000, "day ÷ 7.5h")
    month = parse_rate_text("月額70万円", standard_hours_per_month=140, fx_to_jpy=FX)
    assert (month.min_jpy_h, month.source.convention) == (5000, "month ÷ 140h (standard)")


def test_text_rate_rejects_impossible_settings() -> None:
    with pytest.raises(ValueError):
        parse_rate_text("日給3万円", hours_per_day=0, fx_to_jpy=FX)
    with pytest.raises(ValueError):
        parse_rate_text("$40/hr", fx_to_jpy={"USD": -1})


def test_fx_table_keys_are_case_insensitive() -> None:
    assert parse_rate_text("$40/hr", fx_to_jpy={"usd": 150}).min_jpy_h == 6000


def test_halves_round_up() -> None:
    assert parse_rate_text("月額40万0080円", fx_to_jpy=FX).min_jpy_h == 2501  # 2500.5


def structured(**overrides: Any) -> Any:
    args: dict[str, Any] = {
        "amount_min": 600_000,
        "amount_max": 800_000,
        "unit": M,
        "currency": "JPY",
        "tax_basis": TaxBasis.EXCLUDED,
        "hours_per_month_min": None,
        "hours_per_month_max": None,
        "days_per_week": None,
        "fx_to_jpy": FX,
    }
    return normalise_structured_rate(**(args | overrides))


@pytest.mark.parametrize(
    ("overrides", "lo", "hi", "convention"),
    [
        ({}, 3750, 5000, STD),
        ({"hours_per_month_min": 140, "hours_per_month_max": 180}, 3750, 5000, BAND),
        ({"hours_per_month_min": 150}, 4000, 5333, "month ÷ 150h (listing's hours)"),
        ({"days_per_week": days_from_numbers(3, 3)}, 6250, 8333, "month ÷ 96h (160h × 3/5 days)"),
        ({"unit": H, "amount_min": 4500, "amount_max": None}, 4500, None, "hour"),
        ({"unit": D, "amount_min": 30000, "amount_max": 40000}, 3750, 5000, "day ÷ 8h"),
        (
            {"unit": P, "amount_min": 500_000, "amount_max": None},
            None,
            None,
            "project: no hourly rate",
        ),
        (
            {"unit": P, "amount_min": 500_000, "amount_max": None, "project_hours": 100},
            5000,
            None,
            "project ÷ 100h (listing's hours)",
        ),
        (
            {"unit": H, "currency": "usd", "amount_min": 40, "amount_max": 60},
            6000,
            9000,
            "hour; USD × 150 JPY",
        ),
        ({"currency": "GBP"}, None, None, "no fx rate for GBP: no JPY figure"),
        (
            {"amount_min": None, "amount_max": None, "negotiable": True},
            None,
            None,
            "negotiable (応相談): no figure",
        ),
        ({"amount_min": None, "amount_max": None}, None, None, "no amount"),
    ],
)
def test_normalise_structured_rate(
    overrides: dict[str, Any], lo: int | None, hi: int | None, convention: str
) -> None:
    rate = structured(**overrides)
    assert (rate.min_jpy_h, rate.max_jpy_h, rate.source.convention) == (lo, hi, convention)
    assert rate.source.tax_basis is TaxBasis.EXCLUDED


def test_structured_source_keeps_the_band_and_fx() -> None:
    rate = structured(
        unit=M,
        currency="USD",
        amount_min=5000,
        amount_max=None,
        hours_per_month_min=140,
        hours_per_month_max=180,
    )
    src = rate.source
    assert (src.hours_per_month_min, src.hours_per_month_max, src.hours_divisor) == (140, 180, 160)
    assert (src.currency, src.fx_rate_to_jpy, rate.min_jpy_h) == ("USD", 150, 4688)


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount_min": 0},
        {"amount_min": -1},
        {"amount_min": float("nan")},
        {"amount_min": 900_000},
        {"hours_per_month_min": 200, "hours_per_month_max": 100},
        {"hours_per_month_min": 0},
        {"hours_per_month_max": 800},
        {"hours_per_day": 0},
        {"currency": "円"},
        {"fx_to_jpy": {"USD": 0}},
    ],
    ids=[
        "zero",
        "negative",
        "nan",
        "min above max",
        "band reversed",
        "zero hours",
        "hours beyond a month",
        "zero hours a day",
        "currency not a code",
        "zero fx rate",
    ],
)
def test_structured_rate_rejects_impossible_input(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        structured(**overrides)


# ------------------------------------------------------------------ absurd figures: total


@pytest.mark.parametrize(
    "text",
    [
        "時給99999999999999999999999円",
        "時給" + "9" * 400 + "円",  # float() gives inf
        "月額" + "9" * 300 + "万円",  # a finite float, far over the limit
        "$1000000000/h",
        "時給1,000,001円",
        "月額80万円（0.0001-1h）",
        "月額80万円（週0.0000001時間）",
    ],
)
def test_an_absurd_figure_is_unknown_never_a_crash(text: str) -> None:
    rate = parse_rate_text(text, fx_to_jpy=FX)
    assert (rate.min_jpy_h, rate.max_jpy_h) == (None, None)
    assert rate.source.text == text
    assert rate.source.model_dump_json()  # no inf or nan left in the source


def test_the_largest_plausible_figure_is_kept() -> None:
    assert parse_rate_text("時給1,000,000円", fx_to_jpy=FX).min_jpy_h == 1_000_000


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount_min": 1e9, "currency": "USD"},
        {"amount_min": 1e9, "unit": M, "hours_per_month_min": 1e-300},
        {"amount_min": 1e308, "currency": "EUR"},
    ],
    ids=repr,
)
def test_an_absurd_structured_rate_is_unknown(overrides: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "amount_min": 4500.0,
        "amount_max": None,
        "unit": H,
        "currency": "JPY",
        "tax_basis": TaxBasis.UNKNOWN,
        "hours_per_month_min": None,
        "hours_per_month_max": None,
        "days_per_week": None,
        "fx_to_jpy": FX,
        **overrides,
    }
    rate = normalise_structured_rate(**args)
    assert not rate.known
    assert "implausible" in rate.source.convention


@given(st.text(max_size=60), st.floats(min_value=0.5, max_value=7))
def test_any_text_normalises_to_a_storable_figure_or_none(text: str, days: float) -> None:
    for given_days in (None, days_from_numbers(days, days)):
        rate = parse_rate_text(text, days_per_week=given_days, fx_to_jpy=FX)
        for x in (rate.min_jpy_h, rate.max_jpy_h):
            assert x is None or 0 <= x <= MAX_JPY_PER_HOUR


@given(
    st.tuples(
        st.sampled_from(["時給", "日給", "月額", "$", ""]),
        st.one_of(st.integers(0, 10**40).map(str), st.sampled_from(["9" * 400, "1e308"])),
        st.sampled_from(["円", "万円", "億円", "千円", "/h", "円（0.0001-1h）"]),
    ).map("".join)
)
def test_any_figure_normalises_to_a_storable_figure_or_none(text: str) -> None:
    rate = parse_rate_text(text, fx_to_jpy=FX)
    for x in (rate.min_jpy_h, rate.max_jpy_h):
        assert x is None or 0 <= x <= MAX_JPY_PER_HOUR
