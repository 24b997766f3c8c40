"""Prometheus metrics of ingest."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

GIGS = Counter(
    "gigalert_ingest_gigs_total",
    "Gigs received, by outcome (created, duplicate, updated, rejected).",
    ["outcome"],
)
RAW_REJECTED = Counter(
    "gigalert_ingest_raw_rejected_total",
    "Raw messages sent to gigs.rejected, by reason.",
    ["reason"],
)
IMPLAUSIBLE_RATES = Counter(
    "gigalert_ingest_implausible_rate_total",
    "Gigs stored (created or updated) whose derived hourly figure lies outside the plausible "
    "band (¥1,000–50,000/h): kept in rate_source only, a sign of a misreading; by platform.",
    ["platform"],
)
REQUEST_SECONDS = Histogram(
    "gigalert_ingest_request_seconds",
    "HTTP request latency, by route and status.",
    ["route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
