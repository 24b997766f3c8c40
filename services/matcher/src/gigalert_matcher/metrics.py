"""Prometheus metrics of the matcher."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

GIGS_MATCHED = Counter("gigalert_matcher_gigs_total", "Gigs matched against the index.")
ALERTS = Counter(
    "gigalert_matcher_alerts_total", "Alerts made durable (new; replays are not counted)."
)
DEAD_LETTERS = Counter(
    "gigalert_matcher_dead_letters_total", "Gigs sent to the dead-letter topic.", ["reason"]
)
MATCH_SECONDS = Histogram(
    "gigalert_matcher_match_seconds",
    "Index lookup time per gig.",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
)
INDEX_SIZE = Gauge("gigalert_matcher_index_subscriptions", "Active subscriptions in the index.")
INDEX_AGE = Gauge(
    "gigalert_matcher_index_age_seconds", "Seconds since the index last caught up with Postgres."
)
