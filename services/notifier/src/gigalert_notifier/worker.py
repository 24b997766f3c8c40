"""Sends due deliveries. Several replicas run this loop against one database: each claims
rows with ``FOR UPDATE SKIP LOCKED`` and a lease, so no delivery is sent by two at once; a
replica killed mid-send leaves its rows ``sending`` until the lease ends, then another
replica sends them (at least once: a send cut off after the server accepted it is sent
again, and the README says so).

Once a send is done its outcome must reach Postgres, or the delivery is sent again after the
lease: a state write that fails because Postgres is unreachable (a restart, a cut
connection) is retried, on a fresh pool connection each time, until shortly before the lease
ends. The writes are fenced by the lease they were claimed with, so a write that comes too
late (another replica claimed the row again) changes nothing.

Sends that went through are recorded together: while one ``mark_sent_many`` statement is
in flight, the outcomes that arrive meanwhile queue up and the next statement writes them
all (:class:`_SentWriter`). Nothing waits for a batch to fill, so an idle worker records a
lone send at once; a busy one writes a round's outcomes in a few statements instead of a
transaction per delivery. Each row keeps its own fence and ``sent_at``.

Only channels that are on (``active``), proven (``verified_at``) and not paused by their
owner receive anything; a delivery queued for a channel that stopped being so goes
``dead`` with the reason. A failed send leaves its reason (short, without secrets) on the
channel (``last_error``, ``last_error_at``) for its owner's page; a success leaves them.

The per-address daily cap (``GIGALERT_NOTIFIER_EMAIL_DAILY_CAP``): before each alert mail
(a digest is one mail) the worker takes a slot in ``email_daily_counts`` for the lower-cased
address and the day **in Asia/Tokyo** (:data:`CAP_ZONE`: the service's home zone, so one
address has one count whichever account or zone it belongs to) with one atomic upsert, so
replicas together never pass the cap. A mail over the cap is not sent and not failed: it
and the channel's other due rows wait for the next Tokyo day's start, their attempt not
counted. A send that surely did not go out gives its slot back; a timeout keeps it (the mail
may have been delivered), so the cap errs towards fewer mails, never more."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final
from uuid import UUID

import asyncpg

from gigalert_notifier import sending
from gigalert_notifier.apprise_urls import email_url, line_url, slack_url
from gigalert_notifier.backoff import next_delay
from gigalert_notifier.deliveries import q
from gigalert_notifier.metrics import (
    CAPPED,
    DEAD,
    DUE,
    FAILED,
    OVERDUE,
    RATE_LIMITED,
    RETRIED,
    SEND_SECONDS,
    SENT,
)
from gigalert_notifier.outcome import SendOutcome
from gigalert_notifier.render import Rendered, render_alert, render_digest
from gigalert_notifier.schedule import Clock, local_day, next_day_start
from gigalert_notifier.sending import send
from gigalert_shared.crypto import SecretBox, Signer
from gigalert_shared.db import Conn
from gigalert_shared.events import AlertMatched
from gigalert_shared.settings import Settings

log = logging.getLogger(__name__)

Sender = Callable[..., Awaitable[SendOutcome]]

# Errors that mean Postgres is unreachable for now (restart, failover, cut connection,
# connection limit), not that the statement is wrong.
DB_UNAVAILABLE: Final = (
    OSError,  # refused, reset, timed out (TimeoutError is an OSError)
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, a connection closed under us
    asyncpg.exceptions.OperatorInterventionError,  # 57P01 admin shutdown, 57P03 starting up
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # seen on a connection the server had just terminated
    # Class 40 (deadlock, serialization failure): rolled back whole, so trying again is safe.
    asyncpg.exceptions.TransactionRollbackError,
)
RETRY_FIRST_DELAY: Final = 0.05
RETRY_MAX_DELAY: Final = 1.0
DIGESTS: Final = frozenset({"digest", "weekly"})
CAP_ZONE: Final = "Asia/Tokyo"  # the day of the per-address daily cap
_PROVIDER: Final = {"email": "the mail server", "line": "LINE", "slack": "Slack"}
_SLACK_CONCURRENCY: Final = 16  # posts at once to hooks.slack.com, per process
_HOLD_SLEEP_MAX: Final = 1.0  # a longer wait asked by a 429 postpones instead of sleeping


class _Pacer:
    """At most ``rate`` sends a second (slots handed out in order), and a pause for
    everyone after a 429 (``hold``). Used from the event loop thread only."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0
        self._held_until = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(self._next, now, self._held_until)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)

    def hold(self, seconds: float) -> None:
        self._held_until = max(self._held_until, time.monotonic() + seconds)

    def held_for(self) -> float:
        return max(0.0, self._held_until - time.monotonic())


@dataclass(frozen=True, slots=True)
class Claimed:
    ids: list[UUID]
    channel_id: UUID
    kind: str
    target: str
    secret: bytes | None
    ineligible: str | None  # why the channel may not receive now, None when it may
    locale: str
    alerts: list[AlertMatched]
    attempts: int
    lease_until: datetime
    write_deadline: float  # time.monotonic() after which another replica may claim them


def group_claimed(rows: list[Any], *, write_deadline: float) -> list[Claimed]:
    """Instant deliveries go one by one; digest deliveries (daily and weekly, due together)
    go one message per channel. An alert claimed for several channels is read once."""
    out: list[Claimed] = []
    digests: dict[UUID, list[Any]] = defaultdict(list)
    alerts: dict[UUID, AlertMatched] = {}
    for r in rows:
        if r["frequency"] in DIGESTS:
            digests[r["channel_id"]].append(r)
        else:
            out.append(_claimed([r], write_deadline, alerts))
    out.extend(_claimed(rs, write_deadline, alerts) for rs in digests.values())
    return out


def _alert(row: Any, seen: dict[UUID, AlertMatched]) -> AlertMatched:
    alert = seen.get(row["alert_id"])
    if alert is None:
        alert = seen[row["alert_id"]] = AlertMatched.model_validate(row["payload"])
    return alert


def _claimed(
    rows: list[Any], write_deadline: float, seen: dict[UUID, AlertMatched] | None = None
) -> Claimed:
    seen = {} if seen is None else seen
    first = rows[0]
    return Claimed(
        ids=[r["id"] for r in rows],
        channel_id=first["channel_id"],
        kind=first["kind"],
        target=first["target"],
        secret=first["secret_encrypted"],
        ineligible=ineligible_reason(
            active=first["channel_active"],
            verified=first["channel_verified"],
            paused=first["channel_paused"],
        ),
        locale=first["locale"],
        alerts=[_alert(r, seen) for r in rows],
        attempts=max(r["attempts"] for r in rows),
        lease_until=first["lease_until"],  # one claim statement: the same for every row
        write_deadline=write_deadline,
    )


def delivery_header(ids: list[UUID]) -> str:
    """Every delivery id of the mail while the header stays short (a digest of up to 20);
    beyond that the first id and how many more."""
    if len(ids) <= 20:
        return ",".join(str(i) for i in ids)
    return f"{ids[0]} +{len(ids) - 1}"


def ineligible_reason(*, active: bool, verified: bool, paused: bool) -> str | None:
    """Why a channel may not receive alerts (None: it may): it must be on, proven, unpaused."""
    if not active:
        return "channel is disabled"
    if not verified:
        return "channel is not verified"
    if paused:
        return "channel is paused by its owner"
    return None


_HTTP_CODE: Final = re.compile(r"\b([45]\d\d)\b")


def channel_error_reason(kind: str, outcome: SendOutcome, *, will_retry: bool) -> str:
    """What the channel's owner is shown about a failed send: short, from fixed phrases and
    a status code only (never the server's text, a URL or an address)."""
    who = _PROVIDER.get(kind, kind)
    error = outcome.error or ""
    if outcome.rate_limited:
        what = f"{who} asked us to slow down (HTTP 429)"
    elif outcome.http_status is not None:
        what = f"{who} answered HTTP {outcome.http_status}"
    elif "timed out" in error:
        what = f"{who} did not answer in time"
    elif error.startswith("no usable URL"):
        what = "the channel's settings could not be used"
    elif error.startswith("no valid recipient"):
        what = "the address was not accepted as valid"
    elif error.startswith(("SMTP recipient refused", "SMTP recipient deferred")):
        code = _HTTP_CODE.search(error)
        verb = "refused" if outcome.permanent else "deferred"
        what = f"the mail server {verb} the address" + (f" ({code[1]})" if code else "")
    elif error.startswith("SMTP connection failed"):
        what = "our mail server could not be reached"
    elif kind == "email":
        what = "the mail server did not take the mail"
    else:
        what = f"{who} could not be reached"
    return f"{what}; {'will retry' if will_retry else 'not retried'}"


def may_have_gone_out(outcome: SendOutcome) -> bool:
    """A failed send that may still have been delivered (it timed out mid-way)."""
    return not outcome.ok and "timed out" in (outcome.error or "")


def _our_credentials_rejected(kind: str, outcome: SendOutcome) -> bool:
    """LINE answering 401/403 means our channel access token is wrong, not the user's
    channel: retry (ops will fix the token) and never disable the freelancer's channel."""
    return kind == "line" and outcome.http_status in (401, 403)


class DeliveryWorker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        *,
        clock: Clock,
        sender: Sender = send,
    ) -> None:
        self._pool = pool
        self._s = settings.notifier
        self._public_base_url = settings.web.public_base_url
        self._smtp = settings.smtp
        self._clock = clock
        self._send = sender
        self._box = SecretBox.from_settings(settings)
        self._signer = Signer.from_settings(settings, "unsubscribe")
        self._limits = {
            "email": asyncio.Semaphore(self._s.smtp_concurrency),
            "line": asyncio.Semaphore(self._s.line_concurrency),
            "slack": asyncio.Semaphore(_SLACK_CONCURRENCY),
        }
        self._channel_locks: dict[UUID, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._next_slot: dict[UUID, float] = {}
        # LINE: one channel access token for every push; its pace and its 429 pause.
        self._line_bucket = _Pacer(self._s.line_pushes_per_second)
        self._rendered: dict[tuple[tuple[UUID, ...], str], tuple[Rendered, str]] = {}
        if sender is send:
            # The real sender: as many kept SMTP sessions as mails at once, as many
            # keep-alive connections per webhook host as posts at once.
            sending.configure(
                smtp_sessions=self._s.smtp_concurrency,
                smtp_max_messages=self._s.smtp_max_messages_per_connection,
                smtp_idle_seconds=self._s.smtp_idle_seconds,
                http_per_host=max(self._s.line_concurrency, _SLACK_CONCURRENCY),
                threads=self._s.smtp_concurrency + self._s.line_concurrency + _SLACK_CONCURRENCY,
            )
        # Addresses known to have had their day's mails: address -> the next day's start.
        self._capped: dict[str, datetime] = {}
        self._sent = _SentWriter(self)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stop_deadline = math.inf  # time.monotonic() by which the round must be done

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        if self._stopping:
            return 0
        now = self._clock.now()
        # Stop writing outcomes a little before the lease ends (clocks of replicas differ).
        margin = min(2.0, self._s.lease_seconds / 5)
        write_deadline = time.monotonic() + self._s.lease_seconds - margin
        rows = await self._pool.fetch(
            q("claim_due"), now, self._s.batch_size, self._s.lease_seconds
        )
        if not rows:
            return 0
        claimed = group_claimed(list(rows), write_deadline=write_deadline)
        self._rendered = {}  # an alert claimed for several channels is rendered once
        results = await asyncio.gather(*(self._deliver(c) for c in claimed), return_exceptions=True)
        self._rendered = {}
        for c, result in zip(claimed, results, strict=True):
            if isinstance(result, Exception):
                log.error(
                    "delivery failed unexpectedly; it is retried after the lease",
                    exc_info=result,
                    extra={"delivery_ids": [str(i) for i in c.ids]},
                )
            elif isinstance(result, BaseException):
                raise result
        return len(rows)

    def unsubscribe_url(self, alert: AlertMatched) -> str:
        # Signed over the alert alone: one short id, however many searches matched.
        token = self._signer.sign(str(alert.alert_id))
        return f"{self._public_base_url.rstrip('/')}/v1/unsubscribe/{token}"

    def _render(self, c: Claimed) -> tuple[Rendered, str]:
        """The messages (every channel's form) and the unsubscribe link, made once per
        alert (or digest) and locale in a round, whichever channels it goes to."""
        key = (tuple(a.alert_id for a in c.alerts), c.locale)
        done = self._rendered.get(key)
        if done is not None:
            return done
        unsubscribe = self.unsubscribe_url(c.alerts[0])
        if len(c.alerts) == 1:
            rendered = render_alert(c.alerts[0], locale=c.locale, unsubscribe_url=unsubscribe)
        else:
            rendered = render_digest(c.alerts, locale=c.locale, unsubscribe_url=unsubscribe)
        done = self._rendered[key] = (rendered, unsubscribe)
        return done

    def _url_and_body(
        self, c: Claimed, rendered: Rendered, unsubscribe: str
    ) -> tuple[str, str, str]:
        if c.kind == "email":
            url = email_url(
                c.target,
                self._smtp,
                delivery_id=delivery_header(c.ids),
                unsubscribe_url=unsubscribe,
            )
            return url, rendered.html, "html"
        if c.kind == "slack":
            if c.secret is None:
                raise ValueError("slack channel has no webhook")
            return slack_url(self._box.open(c.secret)), rendered.markdown, "markdown"
        token = self._s.line_channel_token
        if token is None:
            raise ValueError("GIGALERT_NOTIFIER_LINE_CHANNEL_TOKEN is not configured")
        return line_url(token.get_secret_value(), c.target), rendered.line_text, "text"

    async def _deliver(self, c: Claimed) -> None:
        if c.ineligible is not None:
            await self._dead(c, c.ineligible)
            return
        try:
            rendered, unsubscribe = self._render(c)
            url, body, body_format = self._url_and_body(c, rendered, unsubscribe)
        except ValueError as exc:
            await self._dead(c, str(exc), channel_error="the channel's settings could not be used")
            return
        slot: date | None = None
        held = 0.0
        async with self._channel_locks[c.channel_id], self._limits[c.kind]:
            # A 429 asked for a longer wait than pacing sleeps: postponed, not slept.
            held = self._held_for(c)
            if held > max(_HOLD_SLEEP_MAX, self._s.slack_min_interval_seconds):
                outcome = None
            else:
                held = 0.0
                await self._pace(c)
            # No send starts once stop is requested, nor so late in the lease that another
            # replica could claim the row while it is under way.
            if held or self._stopping or not self._lease_allows_a_send(c):
                outcome = None
            elif c.kind == "email" and (slot := await self._take_slot(c)) is None:
                return  # over the address's daily cap: deferred to the next day
            else:
                start = time.perf_counter()
                outcome = await self._send(
                    url,
                    title=rendered.subject,
                    body=body,
                    body_format=body_format,
                    timeout=self._s.send_timeout_seconds,
                )
                SEND_SECONDS.labels(kind=c.kind).observe(time.perf_counter() - start)
        if outcome is None and held:
            await self._postpone(c, held)
            return
        if outcome is None:
            await self._give_back(c)
            return
        if slot is not None and not outcome.ok and not may_have_gone_out(outcome):
            await self._release_slot(c, slot)
        await self._record(c, outcome)

    async def _take_slot(self, c: Claimed) -> date | None:
        """A slot of today's (Tokyo) mails to this address; None when the cap is reached
        (the rows are then deferred) or Postgres is unreachable (they are given back)."""
        now = self._clock.now()
        day = local_day(now, CAP_ZONE)
        address = c.target.lower()
        until = self._capped.get(address)
        if until is not None and now < until:  # known full today: no need to ask again
            await self._defer_to_next_day(c, until)
            return None
        try:
            taken = await self._pool.fetchval(
                q("reserve_email_slot"), address, day, self._s.email_daily_cap
            )
        except DB_UNAVAILABLE:
            log.warning("could not count the mail against the daily cap; given back")
            await self._give_back(c)
            return None
        if taken is not None:
            return day
        until = next_day_start(now, CAP_ZONE)
        self._capped = {a: u for a, u in self._capped.items() if now < u}  # forget old days
        self._capped[address] = until
        await self._defer_to_next_day(c, until)
        return None

    async def _release_slot(self, c: Claimed, day: date) -> None:
        try:
            await self._pool.execute(q("release_email_slot"), c.target.lower(), day)
        except DB_UNAVAILABLE:
            log.warning("could not give a daily-cap slot back", exc_info=True)

    async def _defer_to_next_day(self, c: Claimed, when: datetime) -> None:
        counts: dict[str, int] = {}

        async def defer(conn: Conn) -> None:
            row = await conn.fetchrow(q("defer_capped"), c.ids, when, c.lease_until, c.channel_id)
            if row is not None:
                counts.update(claimed=row["claimed"], others=row["others"])

        if await self._write_state(c, "pending", defer):
            CAPPED.labels(kind=c.kind).inc(len(c.ids))
            log.info(
                "daily mail cap reached for the address; deliveries wait for the next day",
                extra={
                    "delivery_ids": [str(i) for i in c.ids],
                    "channel_id": str(c.channel_id),
                    "until": when.isoformat(),
                    "other_deliveries_deferred": counts.get("others", 0),
                },
            )

    def _lease_allows_a_send(self, c: Claimed) -> bool:
        """A send may take ``send_timeout_seconds`` (capped at half the lease, or a short
        lease would never send); it must end before the lease can pass to another replica.
        Rows queued behind slow sends (a round claims more than it sends at once) fail this
        and are given back instead of being sent by two replicas."""
        needed = min(self._s.send_timeout_seconds, self._s.lease_seconds / 2)
        return time.monotonic() + needed <= c.write_deadline

    async def _give_back(self, c: Claimed) -> None:
        """Claimed, not sent (the process is stopping, or the lease is nearly over): due
        again at once for any replica (not after the lease), the attempt not counted."""

        async def release(conn: Conn) -> None:
            await conn.execute(q("release"), c.ids, c.lease_until)

        if await self._write_state(c, "pending", release):
            reason = "shutdown" if self._stopping else "lease nearly over"
            log.info(
                "delivery given back unsent",
                extra={"delivery_ids": [str(i) for i in c.ids], "reason": reason},
            )

    def _held_for(self, c: Claimed) -> float:
        """How long the provider asked us to wait before this send (after a 429)."""
        if c.kind == "line":
            return self._line_bucket.held_for()
        if c.kind == "slack":
            return max(0.0, self._next_slot.get(c.channel_id, 0.0) - time.monotonic())
        return 0.0

    async def _postpone(self, c: Claimed, seconds: float) -> None:
        """Not sent while a 429's wait runs: due again when it ends, attempt not counted."""
        when = self._clock.now() + timedelta(seconds=seconds)

        async def postpone(conn: Conn) -> None:
            await conn.execute(q("postpone"), c.ids, when, c.lease_until)

        if await self._write_state(c, "pending", postpone):
            log.info(
                "delivery postponed: the provider asked us to wait",
                extra={"delivery_ids": [str(i) for i in c.ids], "retry_in": round(seconds, 1)},
            )

    async def _pace(self, c: Claimed) -> None:
        if c.kind == "line":
            await self._line_bucket.wait()
            return
        if c.kind != "slack":
            return
        now = time.monotonic()
        slot = self._next_slot.get(c.channel_id, now)
        if slot > now:
            await asyncio.sleep(slot - now)
        self._next_slot[c.channel_id] = max(slot, now) + self._s.slack_min_interval_seconds

    async def _record(self, c: Claimed, outcome: SendOutcome) -> None:
        now = self._clock.now()
        extra = {
            "delivery_ids": [str(i) for i in c.ids],
            "kind": c.kind,
            "alert_ids": [str(a.alert_id) for a in c.alerts],
        }
        if outcome.ok:
            recorded = await self._sent.record(c, now)
            if recorded is None:
                return
            if recorded < len(c.ids):
                log.warning("delivery sent, but its lease was lost meanwhile", extra=extra)
            SENT.labels(kind=c.kind).inc(len(c.ids))
            log.info("delivery sent", extra=extra)
            return
        FAILED.labels(kind=c.kind).inc()
        error = (outcome.error or "send failed")[:1000]
        if outcome.permanent and not _our_credentials_rejected(c.kind, outcome):
            await self._dead(
                c,
                error,
                permanent_channel_failure=True,
                channel_error=channel_error_reason(c.kind, outcome, will_retry=False),
            )
            return
        if not outcome.rate_limited and c.attempts >= self._s.max_attempts:
            reason = channel_error_reason(c.kind, outcome, will_retry=False)
            await self._dead(
                c, f"gave up after {c.attempts} attempts: {error}", channel_error=reason
            )
            return
        reason = channel_error_reason(c.kind, outcome, will_retry=True)
        if outcome.rate_limited:
            wait = outcome.retry_after or self._s.rate_limited_pause_seconds
            RATE_LIMITED.labels(kind=c.kind).inc()
            # Honoured for what the limit covers: LINE limits the token (every push
            # waits), Slack the webhook (this channel's next post waits).
            if c.kind == "line":
                self._line_bucket.hold(wait)
            elif c.kind == "slack":
                self._next_slot[c.channel_id] = max(
                    self._next_slot.get(c.channel_id, 0.0), time.monotonic() + wait
                )
            if await self._mark_failed(c, now + timedelta(seconds=wait), error, 1, reason):
                RETRIED.labels(kind=c.kind).inc(len(c.ids))
                log.warning("delivery rate limited", extra={**extra, "retry_in": wait})
        else:
            delay = next_delay(
                c.attempts, base=self._s.base_delay_seconds, cap=self._s.max_delay_seconds
            )
            if await self._mark_failed(c, now + timedelta(seconds=delay), error, 0, reason):
                RETRIED.labels(kind=c.kind).inc(len(c.ids))
                log.warning(
                    "delivery failed; will retry",
                    extra={**extra, "retry_in": delay, "error": error},
                )

    async def _mark_failed(
        self, c: Claimed, retry_at: datetime, error: str, refund: int, channel_error: str
    ) -> bool:
        async def failed(conn: Conn) -> None:
            await conn.execute(
                q("mark_failed"),
                c.ids,
                retry_at,
                error,
                refund,
                c.lease_until,
                c.channel_id,
                channel_error,
                self._clock.now(),
            )

        return await self._write_state(c, "failed", failed)

    async def _write_state(
        self, c: Claimed, state: str, write: Callable[[Conn], Awaitable[None]]
    ) -> bool:
        return await self.write_retrying(c.ids, c.write_deadline, state, write)

    async def write_retrying(
        self,
        ids: list[UUID],
        write_deadline: float,
        state: str,
        write: Callable[[Conn], Awaitable[None]],
    ) -> bool:
        """Run ``write`` in a transaction; while Postgres is unreachable, retry with backoff
        (each try takes a pool connection afresh) until ``write_deadline``. False when it
        never got through: the rows stay `sending` and are claimed again after the lease."""
        delay = RETRY_FIRST_DELAY
        failures = 0
        while True:
            deadline = min(write_deadline, self._stop_deadline)
            left = deadline - time.monotonic()
            try:
                # The first try may outlast the deadline: the lease fence makes it harmless.
                async with asyncio.timeout(max(left, 5.0) if failures == 0 else max(left, 0.1)):
                    async with self._pool.acquire() as conn, conn.transaction():
                        await write(conn)
            except DB_UNAVAILABLE as exc:
                failures += 1
                left = deadline - time.monotonic()
                extra = {
                    "delivery_ids": [str(i) for i in ids],
                    "state": state,
                    "error": f"{type(exc).__name__}: {exc}",
                    "failures": failures,
                }
                if left <= delay:
                    log.error(
                        "Postgres unreachable until the lease ends (or the stop's grace): "
                        "delivery outcome not recorded; the delivery will be claimed again "
                        "after its lease",
                        extra=extra,
                    )
                    return False
                if failures == 1:
                    log.warning(
                        "Postgres unreachable while recording a delivery outcome; retrying",
                        extra={**extra, "retry_for": round(left, 1)},
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_DELAY)
                continue
            if failures:
                log.warning(
                    "delivery outcome recorded after Postgres came back",
                    extra={
                        "delivery_ids": [str(i) for i in ids],
                        "state": state,
                        "failures": failures,
                    },
                )
            return True

    async def _dead(
        self,
        c: Claimed,
        error: str,
        *,
        permanent_channel_failure: bool = False,
        channel_error: str | None = None,
    ) -> None:
        """``channel_error``: the reason shown on the channel when a send failed (None when
        nothing was sent, e.g. the channel is disabled: its last failure stays as it was)."""
        disabled = False

        async def dead(conn: Conn) -> None:
            nonlocal disabled
            await conn.execute(
                q("mark_dead"),
                c.ids,
                error[:1000],
                c.lease_until,
                c.channel_id,
                channel_error,
                self._clock.now(),
            )
            if permanent_channel_failure:
                still_active = await conn.fetchval(
                    q("channel_failed_permanently"),
                    c.channel_id,
                    self._s.disable_channel_after,
                    f"disabled after repeated permanent failures: {error[:200]}",
                )
                disabled = still_active is False

        if not await self._write_state(c, "dead", dead):
            return
        if disabled:
            log.warning("channel disabled", extra={"channel_id": str(c.channel_id)})
        DEAD.labels(kind=c.kind).inc(len(c.ids))
        log.error("delivery dead", extra={"delivery_ids": [str(i) for i in c.ids], "error": error})

    async def refresh_gauges(self) -> None:
        row = await self._pool.fetchrow(q("due_counts"), self._clock.now())
        if row is not None:
            DUE.set(row["due"])
            OVERDUE.set(row["overdue"])

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self) -> None:
        """Stop claiming and starting sends; let the sends in flight finish (each within the
        send timeout) and record their outcomes; give the claimed deliveries not yet sent
        back (`pending`, due at once), then stop. Cancelling mid-send would leave mails that
        the server accepted marked `sending`, to be sent again after the lease."""
        self._stopping = True
        grace = self._s.send_timeout_seconds + 5
        # State writes still retrying give up in time for the round to end within the grace.
        self._stop_deadline = time.monotonic() + grace - 1.0
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        except TimeoutError:
            log.warning("delivery round still running at shutdown; cancelling it")
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        last_gauges = 0.0
        while not self._stopping:
            try:
                busy = await self.run_once()
                if time.monotonic() - last_gauges > 5:
                    await self.refresh_gauges()
                    last_gauges = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._s.poll_interval_seconds)
                self._wake.clear()


@dataclass(slots=True)
class _Sent:
    claimed: Claimed
    sent_at: datetime
    done: bool = False
    recorded: int | None = None  # rows written; None: never got through
    error: BaseException | None = None


class _SentWriter:
    """Records successful sends, many per statement.

    :meth:`record` queues the outcome; whoever then holds the lock writes everything
    queued so far in one ``mark_sent_many`` (retried like every state write, until the
    earliest lease deadline among them). Callers that arrive during a write wait for the
    lock and usually find their outcome written by the next holder."""

    def __init__(self, worker: DeliveryWorker) -> None:
        self._worker = worker
        self._queued: list[_Sent] = []
        self._lock = asyncio.Lock()

    async def record(self, c: Claimed, sent_at: datetime) -> int | None:
        """How many of ``c``'s rows were marked sent (fewer than ``len(c.ids)``: their
        lease was lost meanwhile); None when Postgres stayed unreachable."""
        item = _Sent(c, sent_at)
        self._queued.append(item)
        async with self._lock:
            if not item.done:
                batch, self._queued = self._queued, []
                await self._write(batch)
        if item.error is not None:
            raise item.error
        return item.recorded

    async def _write(self, batch: list[_Sent]) -> None:
        ids = [i for s in batch for i in s.claimed.ids]
        written: set[UUID] = set()

        async def sent(conn: Conn) -> None:
            rows = await conn.fetch(
                q("mark_sent_many"),
                ids,
                [s.claimed.lease_until for s in batch for _ in s.claimed.ids],
                [s.sent_at for s in batch for _ in s.claimed.ids],
                sorted({s.claimed.channel_id for s in batch}),
            )
            written.clear()
            written.update(r["id"] for r in rows)

        deadline = min(s.claimed.write_deadline for s in batch)
        try:
            ok = await self._worker.write_retrying(ids, deadline, "sent", sent)
        except BaseException as exc:
            # Cancelled (the round is being torn down): not recorded, like a write that
            # never got through. A bug: every caller of the batch reports it.
            for s in batch:
                s.done, s.error = True, exc if isinstance(exc, Exception) else None
            raise
        for s in batch:
            s.done = True
            s.recorded = sum(1 for i in s.claimed.ids if i in written) if ok else None
