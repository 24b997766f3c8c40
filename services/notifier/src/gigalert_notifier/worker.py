"""Sends due deliveries. Several replicas run this loop against one database: each claims
rows with ``FOR UPDATE SKIP LOCKED`` and a lease, so no delivery is sent by two at once; a
replica killed mid-send leaves its rows ``sending`` until the lease ends, then another
replica sends them (at least once: a send cut off after the server accepted it is sent
again, and the README says so). Outcomes reach Postgres through
:mod:`gigalert_notifier.state_writes` (retried while it is unreachable, fenced by the lease);
what an outcome means is :func:`gigalert_notifier.policy.decide`.

Only channels that are on (``active``), proven (``verified_at``) and not paused by their
owner receive anything; a delivery queued for a channel that stopped being so goes
``dead`` with the reason. A failed send leaves its reason (short, without secrets) on the
channel (``last_error``, ``last_error_at``) for its owner's page; a success leaves them.
Alert mails count against the per-address daily cap (:mod:`gigalert_notifier.daily_cap`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Final
from uuid import UUID

import asyncpg

from gigalert_notifier import repository, sending
from gigalert_notifier.claims import Claimed, group_claimed
from gigalert_notifier.daily_cap import DailyCap, Taken
from gigalert_notifier.messages import Messages
from gigalert_notifier.metrics import (
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
from gigalert_notifier.pacing import ChannelSpacing, Pacer
from gigalert_notifier.policy import ERROR_MAX, Dead, Decision, RetryAt, Sent, decide
from gigalert_notifier.rounds import run_rounds
from gigalert_notifier.schedule import Clock
from gigalert_notifier.sending import send
from gigalert_notifier.state_writes import SentWriter, StateWriter, Write
from gigalert_shared.db import Conn
from gigalert_shared.settings import Settings

log = logging.getLogger(__name__)

Sender = Callable[..., Awaitable[SendOutcome]]

_SLACK_CONCURRENCY: Final = 16  # posts at once to hooks.slack.com, per process
_HOLD_SLEEP_MAX: Final = 1.0  # a longer wait asked by a 429 postpones instead of sleeping


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
        self._clock = clock
        self._send = sender
        self.messages = Messages(settings)
        self._limits = {
            # Mails on the wire at once: as many as the pool's SMTP sessions. A mail takes
            # its daily-cap slot before it waits here.
            "email": asyncio.Semaphore(self._s.smtp_concurrency),
            "line": asyncio.Semaphore(self._s.line_concurrency),
            "slack": asyncio.Semaphore(_SLACK_CONCURRENCY),
        }
        # A lock lives while a delivery of its channel holds or awaits it (weakly kept:
        # a million channels over weeks must not leave a million locks behind).
        self._channel_locks: weakref.WeakValueDictionary[UUID, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        # Slack limits each webhook; LINE one channel access token for every push.
        self._slack_spacing = ChannelSpacing(self._s.slack_min_interval_seconds)
        self._line_pacer = Pacer(self._s.line_pushes_per_second)
        if sender is send:
            # The real sender: as many kept SMTP sessions as mails at once, as many
            # keep-alive connections per webhook host as posts at once.
            sending.configure(
                smtp_sessions=self._s.smtp_concurrency,
                smtp_max_messages=self._s.smtp_max_messages_per_connection,
                smtp_idle_seconds=self._s.smtp_idle_seconds,
                http_per_host=max(self._s.line_concurrency, _SLACK_CONCURRENCY),
            )
        self._writer = StateWriter(pool)
        self._cap = DailyCap(pool, self._writer, self._s.email_daily_cap)
        self._sent = SentWriter(self._writer)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Claim one round of due deliveries and send it; how many rows were claimed."""
        claimed = await self._claim()
        await self._deliver_round(claimed)
        return sum(len(c.ids) for c in claimed)

    async def _claim(self) -> list[Claimed]:
        if self._stopping:
            return []
        now = self._clock.now()
        # Stop writing outcomes a little before the lease ends (clocks of replicas differ).
        margin = min(2.0, self._s.lease_seconds / 5)
        write_deadline = time.monotonic() + self._s.lease_seconds - margin
        rows = await repository.claim_due(
            self._pool, now=now, batch_size=self._s.batch_size, lease_seconds=self._s.lease_seconds
        )
        return group_claimed(rows, write_deadline=write_deadline) if rows else []

    async def _deliver_round(self, claimed: list[Claimed]) -> None:
        results = await asyncio.gather(*(self._deliver(c) for c in claimed), return_exceptions=True)
        for c, result in zip(claimed, results, strict=True):
            if isinstance(result, Exception):
                log.error(
                    "delivery failed unexpectedly; it is retried after the lease",
                    exc_info=result,
                    extra={"delivery_ids": [str(i) for i in c.ids]},
                )
            elif isinstance(result, BaseException):
                raise result

    async def _deliver(self, c: Claimed) -> None:
        if c.ineligible is not None:
            await self._apply(c, Dead(c.ineligible))
            return
        try:
            message = self.messages.message(c)
        except ValueError as exc:
            unusable = Dead(str(exc)[:ERROR_MAX], "the channel's settings could not be used")
            await self._apply(c, unusable)
            return
        slot: date | None = None
        held = 0.0
        async with self._channel_lock(c.channel_id):
            # A mail's daily-cap slot is taken before it waits for an SMTP session, so the
            # sessions never idle on that statement.
            email = c.kind == "email" and not self._stopping
            if email and (slot := await self._take_slot(c)) is None:
                return  # over the cap: deferred to the next day (or given back)
            async with self._limits[c.kind]:
                # A 429 asked for a longer wait than pacing sleeps: postponed, not slept.
                held = self._held_for(c)
                if held > max(_HOLD_SLEEP_MAX, self._s.slack_min_interval_seconds):
                    outcome = None
                else:
                    held = 0.0
                    await self._pace(c)
                # No send starts once stop is requested, nor so late in the lease that
                # another replica could claim the row while it is under way.
                if held or self._stopping or not self._lease_allows_a_send(c):
                    outcome = None
                else:
                    start = time.perf_counter()
                    outcome = await self._send(
                        message.url,
                        title=message.title,
                        body=message.body,
                        body_format=message.body_format,
                        timeout=self._s.send_timeout_seconds,
                        text=message.text,
                        mail=message.mail,
                    )
                    SEND_SECONDS.labels(kind=c.kind).observe(time.perf_counter() - start)
        if outcome is None and slot is not None:
            await self._cap.release(c.target.lower(), slot)  # not sent: not counted
        if outcome is None and held:
            await self._postpone(c, held)
            return
        if outcome is None:
            await self._give_back(c)
            return
        if not outcome.ok:
            FAILED.labels(kind=c.kind).inc()
        decision = decide(
            c.kind, outcome, attempts=c.attempts, settings=self._s, now=self._clock.now()
        )
        if slot is not None and not isinstance(decision, Sent) and decision.release_slot:
            await self._cap.release(c.target.lower(), slot)
        await self._apply(c, decision)

    def _channel_lock(self, channel_id: UUID) -> asyncio.Lock:
        lock = self._channel_locks.get(channel_id)
        if lock is None:
            lock = self._channel_locks[channel_id] = asyncio.Lock()
        return lock

    async def _take_slot(self, c: Claimed) -> date | None:
        """A slot of today's (Tokyo) mails to this address; None when the cap is reached
        (the rows are then deferred) or Postgres is unreachable (they are given back)."""
        taken = await self._cap.take(c.target.lower(), self._clock.now())
        if isinstance(taken, Taken):
            return taken.day
        if taken is None:
            log.warning("could not count the mail against the daily cap; given back")
            await self._give_back(c)
        else:
            await self._cap.defer(c, taken.until)
        return None

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
            await repository.release(conn, ids=c.ids, lease_until=c.lease_until)

        if await self._write_state(c, "pending", release):
            reason = "shutdown" if self._stopping else "lease nearly over"
            log.info(
                "delivery given back unsent",
                extra={"delivery_ids": [str(i) for i in c.ids], "reason": reason},
            )

    def _held_for(self, c: Claimed) -> float:
        """How long the provider asked us to wait before this send (after a 429)."""
        if c.kind == "line":
            return self._line_pacer.held_for()
        if c.kind == "slack":
            return self._slack_spacing.held_for(c.channel_id)
        return 0.0

    async def _postpone(self, c: Claimed, seconds: float) -> None:
        """Not sent while a 429's wait runs: due again when it ends, attempt not counted."""
        when = self._clock.now() + timedelta(seconds=seconds)

        async def postpone(conn: Conn) -> None:
            await repository.postpone(conn, ids=c.ids, lease_until=c.lease_until, until=when)

        if await self._write_state(c, "pending", postpone):
            log.info(
                "delivery postponed: the provider asked us to wait",
                extra={"delivery_ids": [str(i) for i in c.ids], "retry_in": round(seconds, 1)},
            )

    async def _pace(self, c: Claimed) -> None:
        if c.kind == "line":
            await self._line_pacer.wait()
        elif c.kind == "slack":
            await self._slack_spacing.wait(c.channel_id)

    def _log_extra(self, c: Claimed) -> dict[str, object]:
        return {
            "delivery_ids": [str(i) for i in c.ids],
            "kind": c.kind,
            "alert_ids": [str(a.alert_id) for a in c.alerts],
        }

    async def _apply(self, c: Claimed, decision: Decision) -> None:
        if isinstance(decision, Sent):
            await self._sent_now(c)
        elif isinstance(decision, RetryAt):
            await self._retry(c, decision)
        else:
            await self._dead(c, decision)

    async def _sent_now(self, c: Claimed) -> None:
        recorded = await self._sent.record(c, self._clock.now())
        if recorded is None:
            return
        extra = self._log_extra(c)
        if recorded < len(c.ids):
            log.warning("delivery sent, but its lease was lost meanwhile", extra=extra)
        SENT.labels(kind=c.kind).inc(len(c.ids))
        log.info("delivery sent", extra=extra)

    async def _retry(self, c: Claimed, r: RetryAt) -> None:
        if r.rate_limited:
            RATE_LIMITED.labels(kind=c.kind).inc()
            # Honoured for what the limit covers: LINE limits the token (every push
            # waits), Slack the webhook (this channel's next post waits).
            if c.kind == "line":
                self._line_pacer.hold(r.wait)
            elif c.kind == "slack":
                self._slack_spacing.hold(c.channel_id, r.wait)

        async def failed(conn: Conn) -> None:
            await repository.mark_failed(
                conn,
                ids=c.ids,
                lease_until=c.lease_until,
                retry_at=r.at,
                error=r.error,
                refund=r.refund,
                channel_id=c.channel_id,
                channel_error=r.channel_error,
                now=self._clock.now(),
            )

        if not await self._write_state(c, "failed", failed):
            return
        RETRIED.labels(kind=c.kind).inc(len(c.ids))
        if r.rate_limited:
            log.warning("delivery rate limited", extra={**self._log_extra(c), "retry_in": r.wait})
        else:
            log.warning(
                "delivery failed; will retry",
                extra={**self._log_extra(c), "retry_in": r.wait, "error": r.error},
            )

    async def _write_state(self, c: Claimed, state: str, write: Write) -> bool:
        return await self._writer.write(c.ids, c.write_deadline, state, write)

    async def _dead(self, c: Claimed, d: Dead) -> None:
        disabled = False

        async def dead(conn: Conn) -> None:
            nonlocal disabled
            await repository.mark_dead(
                conn,
                ids=c.ids,
                lease_until=c.lease_until,
                error=d.error,
                channel_id=c.channel_id,
                channel_error=d.channel_error,
                now=self._clock.now(),
            )
            if d.disable_reason is not None:
                disabled = await repository.channel_failed_permanently(
                    conn,
                    channel_id=c.channel_id,
                    disable_after=self._s.disable_channel_after,
                    reason=d.disable_reason,
                )

        if not await self._write_state(c, "dead", dead):
            return
        if disabled:
            log.warning("channel disabled", extra={"channel_id": str(c.channel_id)})
        DEAD.labels(kind=c.kind).inc(len(c.ids))
        log.error(
            "delivery dead", extra={"delivery_ids": [str(i) for i in c.ids], "error": d.error}
        )

    async def refresh_gauges(self) -> None:
        counts = await repository.due_counts(self._pool, now=self._clock.now())
        DUE.set(counts.due)
        OVERDUE.set(counts.overdue)

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
        self._writer.stop_deadline = time.monotonic() + grace - 1.0
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
            except TimeoutError:
                log.warning("delivery round still running at shutdown; cancelling it")
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        if self._send is send:
            await sending.aclose()  # QUIT the kept SMTP sessions

    async def _run(self) -> None:
        await run_rounds(
            self._claim,
            self._deliver_round,
            stopping=lambda: self._stopping,
            wake=self._wake,
            poll_seconds=self._s.poll_interval_seconds,
            housekeeping=self.refresh_gauges,
        )
