"""Retry delays: exponential ceiling, full jitter, a floor of half the base, the cap."""

from __future__ import annotations

import random
import statistics

import pytest

from gigalert_notifier.backoff import next_delay


class Extreme(random.Random):
    """Always draws the low (or high) end, to see the exact bounds."""

    def __init__(self, high: bool) -> None:
        super().__init__(0)
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [
        (1, 15.0, 30.0),
        (2, 15.0, 60.0),
        (3, 15.0, 120.0),
        (4, 15.0, 240.0),
        (7, 15.0, 1920.0),
        (8, 15.0, 3600.0),  # 3840 capped
        (50, 15.0, 3600.0),
    ],
)
def test_bounds(attempt: int, low: float, high: float) -> None:
    kw = {"base": 30.0, "cap": 3600.0}
    assert next_delay(attempt, rng=Extreme(high=False), **kw) == low
    assert next_delay(attempt, rng=Extreme(high=True), **kw) == high


def test_draws_stay_within_bounds_and_spread_out() -> None:
    rng = random.Random(42)
    for attempt in range(1, 25):
        ceiling = min(3600.0, 30.0 * 2 ** (attempt - 1))
        for _ in range(200):
            d = next_delay(attempt, base=30.0, cap=3600.0, rng=rng)
            assert 15.0 <= d <= ceiling
    draws = [next_delay(6, base=30.0, cap=3600.0, rng=rng) for _ in range(4000)]
    assert min(draws) < 15.0 + 50  # full jitter reaches down to the floor...
    assert max(draws) > 960.0 - 50  # ...and up to the ceiling
    assert statistics.mean(draws) == pytest.approx((15.0 + 960.0) / 2, rel=0.05)
    assert len(set(draws)) == len(draws)  # no pile-up at the floor


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert next_delay(10**9, base=1.0, cap=5.0, rng=Extreme(high=True)) == 5.0
    assert next_delay(1025, base=1e300, cap=1e301, rng=Extreme(high=True)) == 1e301


def test_a_cap_below_half_the_base_still_caps() -> None:
    assert next_delay(1, base=10.0, cap=2.0, rng=Extreme(high=False)) == 2.0
    assert next_delay(3, base=10.0, cap=2.0, rng=Extreme(high=True)) == 2.0


def test_default_random_source() -> None:
    assert 0.5 <= next_delay(1, base=1.0, cap=10.0) <= 1.0


@pytest.mark.parametrize(
    ("attempt", "base", "cap"),
    [
        (0, 1.0, 1.0),
        (-1, 1.0, 1.0),
        (1, 0.0, 1.0),
        (1, 1.0, 0.0),
        (1, float("nan"), 1.0),
        (1, 1.0, float("inf")),
    ],
)
def test_bad_arguments(attempt: int, base: float, cap: float) -> None:
    with pytest.raises(ValueError):
        next_delay(attempt, base=base, cap=cap)
