"""The markdown section the notifier bench writes (``--doc``)."""

from __future__ import annotations

import argparse
import math
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from bench.notifier_cases.baseline import Baseline
from bench.notifier_cases.deliveries import Throughput
from bench.notifier_cases.e2e import EndToEnd
from bench.notifier_cases.summary import _find, summary
from bench.notifier_cases.tables import baseline_table, e2e_table, throughput_table


@dataclass
class Report:
    info: dict[str, str]
    email: list[Throughput]
    hooks: list[Throughput]
    base: list[Baseline]
    e2e: EndToEnd | None
    elapsed: float


NOTES: Final = """\
- **What each number includes.** Email rows: the real `gigalert notifier serve` processes
  (claim with `FOR UPDATE SKIP LOCKED`, render, Apprise, SMTP to the sink, `mark_sent_many`), the
  sink in its own process. Webhook rows: the real `DeliveryWorker` and `sending.send`, with
  Slack channels (decrypting the webhook, markdown rendering, per-channel pacing, the worker's
  fixed Slack semaphore of 16) but the URL swapped for Apprise's `json://` plugin on a local
  uvicorn endpoint: worker + Apprise + HTTP, **not Slack** (no TLS, no Slack latency, no
  Slack rate limit of ~1 message/s per webhook). "due → sent" is measured from the moment the
  whole backlog was made due, so it is mostly queueing (p99 ≈ the time to drain N); the
  per-send time is the `gigalert_notifier_send_seconds` histogram (email; interpolated in
  its buckets 5, 10, 25, 50, 100, 250 ms …) or exact timings around `send()` (webhook).
- **How Apprise is used** (`pooled_email.py`, `sending.py`, `http_pool.py`,
  `greenlet_bridge.py`): no thread per send. Email goes through one `PooledEmail` (a
  `NotifyEmail` subclass) per SMTP configuration, awaited through its `async_notify()`: its
  aiosmtplib sessions are kept in a pool of `GIGALERT_NOTIFIER_SMTP_CONCURRENCY`, reused, and
  renewed after `GIGALERT_NOTIFIER_SMTP_MAX_MESSAGES_PER_CONNECTION` mails; an alert mail is
  assembled from the rendered text and HTML (`mail_message.py`). Slack/LINE/json plugins are
  kept per URL and their `notify()` runs in a greenlet of the event loop's thread, each
  request they make awaited on one keep-alive aiohttp session. This bench gives every webhook
  delivery its own URL, so a plugin is instantiated per post.
- **CPU per send, in one Python process.** Each send cost the
  notifier {email_cpu} ms of CPU for a mail and {hook_cpu} ms for a json:// POST (median of
  the "sender CPU ms" column), against {smtp_cpu} ms (smtplib) and {httpx_cpu} / {req_cpu}
  ms (httpx / requests) for the raw clients in the baselines, all included: the claim,
  parsing the alert, rendering, Apprise, the wire, the daily-cap slot and recording. One
  process runs its Python code on one core at a time, so about {email_cap} mails/s per
  process is the ceiling even on an idle core; on this machine email stays below it (the
  process is half idle, waiting on the sink's round trips: docs/benchmarks.md). A second process helps only as far as there
  is a free core (this machine has two, shared with Kafka, Postgres, the sink and the bench).
- **End to end.** Each probe gig gives one mail per probe freelancer, so the mails of one
  gig are correlated: with 4 probe freelancers the p99 of the mails is about the slowest
  probe gig. The notifier's worker is woken by its consumer when deliveries are created, so
  its 0.5 s poll is not on this path; the stages (from `gigs.received_at`,
  `alerts.created_at`, `deliveries.created_at` and the sink's receive time) show where the
  time went. The index checks `keywords_none` last, on the subscriptions that passed remote
  mode, rate, domain and days, so the background subscriptions cost it the full work of a
  real match and are dropped only at that step: the lookup time is close to what these
  gigs would cost if those subscriptions matched (without building the alerts). The tail
  follows the machine's load: the services, Kafka, Postgres and the
  bench driver share two cores, and a short stall anywhere (a Kafka fetch wait, a consumer
  batch, a GC pause, the scheduler) delays every gig in flight, so expect run-to-run spread
  on a busy machine.
- **The worker claims in rounds of `batch_size` rows**, the next while the previous one
  still sends (`rounds.run_rounds`, two in flight); an idle worker notices new due rows only
  at its next poll (`poll_interval_seconds` 0.5 s) unless the consumer wakes it.
"""


def notes(report: Report) -> str:
    email = [r.cpu_ms for r in report.email if not math.isnan(r.cpu_ms)]
    hooks = [r.cpu_ms for r in report.hooks if not math.isnan(r.cpu_ms)]

    def cpu(b: Baseline | None) -> str:
        return "-" if b is None else f"{b.cpu_ms:.2f}"

    email_cpu = statistics.median(email) if email else math.nan
    return NOTES.format(
        email_cpu=f"{email_cpu:.1f}",
        hook_cpu=f"{statistics.median(hooks):.1f}" if hooks else "-",
        smtp_cpu=cpu(_find(report.base, "email floor: smtplib")),
        httpx_cpu=cpu(_find(report.base, "webhook floor: httpx")),
        req_cpu=cpu(_find(report.base, "webhook: `requests.post`")),
        email_cap=f"{1000 / email_cpu:,.0f}" if email else "-",
    )


def write_doc(path: Path, command: str, report: Report, args: argparse.Namespace) -> None:
    info, email, hooks, base = report.info, report.email, report.hooks, report.base
    e, elapsed = report.e2e, report.elapsed
    parts = [
        "## Notifier",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in one run of {elapsed / 60:.1f} min "
        f"(`bench/notifier_bench.py`; its docstring describes the method).",
        "",
        "Machine: `nproc` = " + info["nproc"] + f", CPU {info['cpu']}, Python {info['python']}, "
        f"Linux {info['kernel']}; Kafka, Postgres, the SMTP sink, the webhook endpoint and every "
        "service share these cores with the bench driver. In the 3 s before the bench started "
        f"anything the machine was already {info['busy_before']} busy (load average "
        f"{info['loadavg']}): other work was running on it, so absolute rates are lower than on "
        "an idle machine; the CPU milliseconds per message are the steadier figure. `free -h`:",
        "",
        "```",
        info["free"],
        "```",
        "",
        "Command:",
        "",
        "```sh",
        command,
        "```",
        "",
        "### Summary",
        "",
        *summary(email, hooks, base, e),
        "",
        "### Deliveries per second to local endpoints",
        "",
        throughput_table(email + hooks),
        "",
        "### Baselines (same run, same endpoints)",
        "",
        baseline_table(base),
        "",
    ]
    if e is not None:
        parts += [
            "### End-to-end latency (ingest request → SMTP receipt)",
            "",
            e2e_table(e, args),
            "",
        ]
    parts += ["### Notes", "", notes(report)]
    path.write_text("\n".join(parts).rstrip() + "\n", encoding="utf-8")
