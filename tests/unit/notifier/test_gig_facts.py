"""The listing's own amounts in an alert, written by the same figure formatting as the match
reasons (gigalert_shared.matching.reasons.amount_num)."""

from __future__ import annotations

import pytest

from gigalert_notifier.gig_facts import amounts_en, amounts_ja
from gigalert_shared.events import RateSource, RateUnit
from gigalert_shared.matching.reasons import amount_num


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (2.5, "2.5"),
        (4500, "4,500"),
        (812.5, "812.5"),
        (1234.567, "1,234.57"),
        (float("inf"), "inf"),
    ],
)
def test_amount_num(value: float, text: str) -> None:
    assert amount_num(value) == text


@pytest.mark.parametrize(
    ("lo", "hi", "currency", "ja", "en"),
    [
        (800_000, 800_000, "JPY", "80万円", "¥800,000"),
        (812_500, None, "JPY", "81.25万円〜", "¥812,500"),
        (4500, 6000, "JPY", "4,500〜6,000円", "¥4,500–6,000"),
        (62.5, 80, "USD", "$62.5〜80", "$62.5–80"),
        # An amount no listing states, yet one the alert must still be written with.
        (float("inf"), None, "JPY", "inf万円〜", "¥inf"),
    ],
)
def test_amounts(lo: float, hi: float | None, currency: str, ja: str, en: str) -> None:
    src = RateSource(amount_min=lo, amount_max=hi, unit=RateUnit.MONTH, currency=currency)
    assert (amounts_ja(src), amounts_en(src)) == (ja, en)
