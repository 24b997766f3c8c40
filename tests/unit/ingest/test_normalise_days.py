"""Days per week as platforms write them, and as numbers."""

from __future__ import annotations

import pytest

from gigalert_ingest.normalise import DaysPerWeek, days_from_numbers, parse_days

DAYS_TEXTS: list[tuple[str | None, float | None, float | None]] = [
    ("週2〜3日", 2, 3),
    ("週5日", 5, 5),
    ("週３日", 3, 3),
    ("週２～３日程度", 2, 3),
    ("週2-3日", 2, 3),
    ("週2日〜3日", 2, 3),
    ("週 2 ～ 3 日", 2, 3),
    ("週1日～", 1, 5),  # open upper end: up to the working week
    ("週4日以上", 4, 5),
    ("週3日から", 3, 5),
    ("週3〜4日（応相談）", 3, 4),
    ("週1出社、週3日稼働", 3, 3),  # office days are not working days
    ("2-3 days/week", 2, 3),
    ("3 days a week", 3, 3),
    ("4+ days/week", 4, 5),
    ("3 days weekly", 3, 3),
    ("full-time", 5, 5),
    ("フルタイム", 5, 5),
    ("稼働日数応相談", None, None),
    ("週1出社", None, None),
    ("週20時間", None, None),
    ("週5h程度", None, None),
    ("週1回MTG", None, None),
    ("非常勤", None, None),
    ("月10日程度", None, None),
    ("週0日", None, None),
    ("週8日", None, None),
    ("", None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("text", "lo", "hi"), DAYS_TEXTS, ids=[repr(t) for t, _, _ in DAYS_TEXTS])
def test_parse_days(text: str | None, lo: float | None, hi: float | None) -> None:
    assert parse_days(text) == DaysPerWeek(lo, hi, text)


def test_days_midpoint() -> None:
    assert parse_days("週2〜3日").midpoint == 2.5
    assert parse_days("週3日").midpoint == 3
    assert parse_days("?").midpoint is None
    assert not parse_days("?").known


@pytest.mark.parametrize(
    ("lo", "hi"), [(2, 3), (0.5, 1), (7, 7), (None, 3), (3, None), (None, None)]
)
def test_days_from_numbers(lo: float | None, hi: float | None) -> None:
    assert days_from_numbers(lo, hi) == DaysPerWeek(lo, hi, None)


@pytest.mark.parametrize(("lo", "hi"), [(0, 3), (-1, None), (None, 8), (4, 3)])
def test_days_from_numbers_rejects(lo: float | None, hi: float | None) -> None:
    with pytest.raises(ValueError):
        days_from_numbers(lo, hi)


@pytest.mark.parametrize(
    "text", ["週0.0000001日", "週0." + "0" * 60 + "1日", "週0.4日", "週0.1〜1日"]
)
def test_less_than_half_a_day_a_week_is_unreadable(text: str) -> None:
    assert parse_days(text) == DaysPerWeek(None, None, text)


def test_half_a_day_a_week_is_read() -> None:
    assert parse_days("週0.5日") == DaysPerWeek(0.5, 0.5, "週0.5日")


@pytest.mark.parametrize(("lo", "hi"), [(1e-300, None), (5e-324, 1), (None, 0.49)])
def test_days_from_numbers_rejects_tiny_figures(lo: float | None, hi: float | None) -> None:
    with pytest.raises(ValueError, match=r"from 0\.5 to 7"):
        days_from_numbers(lo, hi)
