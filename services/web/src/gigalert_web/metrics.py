"""The web app's Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "gigalert_web_requests_total", "Requests answered, by route and status.", ["route", "status"]
)
REQUEST_SECONDS = Histogram(
    "gigalert_web_request_seconds",
    "Time to answer a request, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
MAILS = Counter(
    "gigalert_web_mails_total", "Account mails, by purpose and outcome.", ["purpose", "outcome"]
)
LINE_EVENTS = Counter(
    "gigalert_web_line_events_total",
    "LINE webhook events, by kind and outcome.",
    ["kind", "outcome"],
)
TABLE_ROWS = Gauge(
    "gigalert_table_rows",
    "Estimated live rows of each pruned table (Postgres statistics; refreshed hourly).",
    ["table"],
)
TABLE_BYTES = Gauge(
    "gigalert_table_bytes",
    "Size of each pruned table with its indexes and TOAST, in bytes (refreshed hourly).",
    ["table"],
)
