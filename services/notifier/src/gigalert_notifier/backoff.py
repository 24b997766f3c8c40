"""Retry delays: exponential backoff with full jitter and a floor. Pure."""

from __future__ import annotations

import math
import random

__all__ = ["next_delay"]

_MAX_EXPONENT = 1000  # 2**1000 × base is still a finite float; the cap wins long before


def next_delay(attempt: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before the retry that follows failed attempt number ``attempt`` (1-based).

    "Full jitter" (AWS Architecture Blog, *Exponential Backoff And Jitter*): the ceiling is
    ``min(cap, base × 2**(attempt-1))`` and the delay is drawn uniformly below it, so
    replicas that failed together do not retry together. It is drawn from
    ``[min(base/2, ceiling), ceiling]`` rather than ``[0, ceiling]``: a retry never comes
    sooner than half the base delay (no hammering), and no probability piles up at the
    floor as clamping would do.
    """
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, got {attempt}")
    if not (math.isfinite(base) and base > 0):
        raise ValueError(f"base must be a positive number, got {base}")
    if not (math.isfinite(cap) and cap > 0):
        raise ValueError(f"cap must be a positive number, got {cap}")
    exponent = attempt - 1
    ceiling = cap if exponent > _MAX_EXPONENT else min(cap, math.ldexp(base, exponent))
    floor = min(base / 2, ceiling)
    return (rng or random).uniform(floor, ceiling)
