"""Percentiles of measured samples and of Prometheus histograms."""

from __future__ import annotations

import math
from collections.abc import Sequence

from prometheus_client.parser import text_string_to_metric_families


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank; NaN when empty."""
    if not len(values):
        return math.nan
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))])


def bucket_quantile(buckets: Sequence[tuple[float, float]], q: float) -> float:
    """Prometheus ``histogram_quantile``: cumulative (le, count) pairs, linear within a
    bucket; the lower bound of the first bucket is 0."""
    if not buckets or buckets[-1][1] <= 0:
        return math.nan
    rank = q * buckets[-1][1]
    prev_le, prev_c = 0.0, 0.0
    for le, c in buckets:
        if c >= rank:
            if math.isinf(le):
                return prev_le
            if c == prev_c:
                return le
            return prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
        prev_le, prev_c = le, c
    return prev_le


def parse_histogram(text: str, name: str, labels: dict[str, str]) -> dict[float, float]:
    """Cumulative bucket counts (le → count) of one histogram series in /metrics text."""
    out: dict[float, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != name:
            continue
        for s in family.samples:
            if s.name == name + "_bucket" and all(s.labels.get(k) == v for k, v in labels.items()):
                out[float(s.labels["le"])] = float(s.value)
    return out


def diff_buckets(
    before: Sequence[dict[float, float]], after: Sequence[dict[float, float]]
) -> list[tuple[float, float]]:
    """Sum over processes of (after − before), per bucket, sorted by le."""
    total: dict[float, float] = {}
    for b, a in zip(before, after, strict=True):
        for le, c in a.items():
            total[le] = total.get(le, 0.0) + c - b.get(le, 0.0)
    return sorted(total.items())
