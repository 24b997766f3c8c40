"""Prometheus metrics of the notifier."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELIVERIES_CREATED = Counter(
    "gigalert_notifier_deliveries_created_total", "Deliveries made durable from alerts."
)
SENT = Counter("gigalert_notifier_sent_total", "Deliveries sent.", ["kind"])
FAILED = Counter("gigalert_notifier_failed_total", "Send attempts that failed.", ["kind"])
RETRIED = Counter("gigalert_notifier_retried_total", "Deliveries scheduled for a retry.", ["kind"])
DEAD = Counter("gigalert_notifier_dead_total", "Deliveries given up on.", ["kind"])
SEND_SECONDS = Histogram(
    "gigalert_notifier_send_seconds",
    "Time of one send through Apprise.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DUE = Gauge("gigalert_notifier_deliveries_due", "Deliveries due now.")
OVERDUE = Gauge("gigalert_notifier_deliveries_overdue", "Deliveries due for over 5 minutes.")
CAPPED = Counter(
    "gigalert_notifier_capped_total",
    "Deliveries held until the next day by the per-address daily mail cap.",
    ["kind"],
)
RATE_LIMITED = Counter(
    "gigalert_notifier_rate_limited_total",
    "Sends answered 429 (LINE: the token, every push pauses; Slack: the webhook pauses).",
    ["kind"],
)
LINE_QUOTA_LIMIT = Gauge(
    "gigalert_notifier_line_quota_limit",
    "LINE's monthly push limit of the channel (-1: the plan has none), as last read.",
)
LINE_QUOTA_USED = Gauge(
    "gigalert_notifier_line_quota_used",
    "LINE pushes counted against this month's quota, as LINE last reported.",
)
LINE_QUOTA_READS = Counter(
    "gigalert_notifier_line_quota_reads_total", "Reads of LINE's push quota.", ["result"]
)
