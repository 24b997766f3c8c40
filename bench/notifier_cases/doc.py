"""The markdown section the notifier bench writes (``--doc``)."""

from __future__ import annotations

import argparse
import math
import os
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
- **How Apprise is used** (`pooled_email.py`, `sending.py`): one `PooledEmail` (a `NotifyEmail` subclass) per
  SMTP configuration, its SMTP sessions kept in a pool of `GIGALERT_NOTIFIER_SMTP_CONCURRENCY`
  and reused (renewed after `GIGALERT_NOTIFIER_SMTP_MAX_MESSAGES_PER_CONNECTION` mails);
  Slack/LINE/json plugins kept per URL, posting through one keep-alive `requests.Session` per
  host; sends in our own thread pool ({pool} is the size Apprise's own pool would have had
  here, no longer used). This bench gives every webhook delivery its own URL, so a plugin is
  instantiated per post; an alert mail is assembled from the rendered text and HTML
  (`mail_message.py`), not by Apprise's `prepare_emails`.
- **What limits throughput: CPU per send, in one Python process.** Each send cost the
  notifier {email_cpu} ms of CPU for a mail and {hook_cpu} ms for a json:// POST (median of
  the "sender CPU ms" column), against {smtp_cpu} ms (smtplib) and {httpx_cpu} / {req_cpu}
  ms (httpx / requests) for the raw clients in the baselines. One process runs its Python
  code on one core at a time (the GIL; only time in system calls overlaps), so roughly
  ~{email_cap} mails/s per process is the ceiling even on an idle core; more concurrency
  only lengthens each send. A second process
  helps only as far as there is a free core (this machine has two, shared with Kafka,
  Postgres, the sink and, here, other work). Since session 18 no piece of a mail's cost
  stands out (docs/benchmarks.md has the breakdown); before the 2026-12-02 rework, a quick
  profile (py-spy 0.4.3, 250 Hz; not part of the run) of `send()` alone found no single hot spot
  but Apprise's per-send machinery spread thin: building the plugin from the URL
  (`Apprise.instantiate`: URL parsing, and CWE-312 redaction of the URL for its debug
  log), creating the `Apprise` object (its `AppriseLocale` looks up gettext catalogues on
  disk every time), the debug log records we keep on to read SMTP reply codes, Apprise's
  async dispatch (call state, thread hand-off), the MIME build, and smtplib/requests with a
  new connection per send. Attributing each sample to its deepest such frame: for email
  about a quarter in Apprise's logging and URL redaction, ~15 % each in smtplib, Apprise's
  dispatch and `instantiate`, ~11 % the MIME build, ~7 % the `Apprise` object; for
  json:// ~30 % the HTTP client (requests, urllib3), ~25 % logging, ~20 % dispatch. Inside `gigalert notifier serve` the
  worker adds about 2–3 ms per delivery: asyncpg round trips (the claim, then the
  outcomes; these were a `mark_sent` + `channel_succeeded` transaction per delivery, ~14 % of
  samples, and are now a `mark_sent_many` per handful of sends), validating
  each claimed payload into `AlertMatched` with pydantic (~11 %) and rendering (~7 %).
  Reaching 1,000/s per process would need ≤ 1 ms of CPU per delivery, all included; raw
  smtplib with a connection per mail already costs about that here, so it would take
  reused connections (one SMTP session per batch, an HTTP session per webhook host) and no
  Apprise object per message, i.e. not Apprise's per-URL `notify` for each send.
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


def notes(report: Report, pool: int) -> str:
    email = [r.cpu_ms for r in report.email if not math.isnan(r.cpu_ms)]
    hooks = [r.cpu_ms for r in report.hooks if not math.isnan(r.cpu_ms)]

    def cpu(b: Baseline | None) -> str:
        return "-" if b is None else f"{b.cpu_ms:.2f}"

    email_cpu = statistics.median(email) if email else math.nan
    return NOTES.format(
        pool=pool,
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
    pool = min(32, (os.cpu_count() or 1) + 4)
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
    parts += ["### Notes", "", notes(report, pool)]
    path.write_text("\n".join(parts).rstrip() + "\n", encoding="utf-8")
