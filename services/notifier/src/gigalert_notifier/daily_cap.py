"""The per-address daily cap (``GIGALERT_NOTIFIER_EMAIL_DAILY_CAP``): before each alert mail
(a digest is one mail) the worker takes a slot in ``email_daily_counts`` for the lower-cased
address and the day **in Asia/Tokyo** (:data:`CAP_ZONE`: the service's home zone, so one
address has one count whichever account or zone it belongs to) with an atomic upsert, so
replicas together never pass the cap; the slots of the mails sent at the same moment are
taken in one statement (:class:`BatchedAsks`). A mail over the cap is not sent and not failed: it
and the channel's other due rows wait for the next Tokyo day's start, their attempt not
counted. A send that surely did not go out gives its slot back; a timeout keeps it (the mail
may have been delivered), so the cap errs towards fewer mails, never more."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from gigalert_notifier import repository
from gigalert_notifier.batched_asks import BatchedAsks
from gigalert_notifier.claims import Claimed
from gigalert_notifier.metrics import CAPPED
from gigalert_notifier.schedule import local_day, next_day_start
from gigalert_notifier.state_writes import StateWriter
from gigalert_shared.db import Conn, Pool
from gigalert_shared.db_errors import DB_UNAVAILABLE

log = logging.getLogger(__name__)

CAP_ZONE: Final = "Asia/Tokyo"  # the day of the per-address daily cap


@dataclass(frozen=True, slots=True)
class Taken:
    day: date


@dataclass(frozen=True, slots=True)
class Full:
    until: datetime  # the next day's start


class DailyCap:
    def __init__(self, pool: Pool, writer: StateWriter, cap: int) -> None:
        self._pool = pool
        self._writer = writer
        self._cap = cap
        # Addresses known to have had their day's mails: address -> the next day's start.
        self._capped: dict[str, datetime] = {}
        self._slots = BatchedAsks[tuple[str, date]](self._reserve)

    async def _reserve(self, wanted: list[tuple[str, date]]) -> set[tuple[str, date]]:
        return await repository.reserve_email_slots(self._pool, wanted=wanted, cap=self._cap)

    async def take(self, address: str, now: datetime) -> Taken | Full | None:
        """A slot of today's (Tokyo) mails to ``address`` (lower-cased); Full when the cap
        is reached; None when Postgres is unreachable."""
        until = self._capped.get(address)
        if until is not None and now < until:  # known full today: no need to ask again
            return Full(until)
        day = local_day(now, CAP_ZONE)
        try:
            taken = await self._slots.ask((address, day))
        except DB_UNAVAILABLE:
            return None
        if taken:
            return Taken(day)
        until = next_day_start(now, CAP_ZONE)
        self._capped = {a: u for a, u in self._capped.items() if now < u}  # forget old days
        self._capped[address] = until
        return Full(until)

    async def release(self, address: str, day: date) -> None:
        try:
            await repository.release_email_slot(self._pool, address=address, day=day)
        except DB_UNAVAILABLE:
            log.warning("could not give a daily-cap slot back", exc_info=True)

    async def defer(self, c: Claimed, until: datetime) -> None:
        """The claimed rows, and the channel's other due rows, wait for ``until``."""
        others = 0

        async def defer(conn: Conn) -> None:
            nonlocal others
            others = await repository.defer_capped(
                conn, ids=c.ids, lease_until=c.lease_until, until=until, channel_id=c.channel_id
            )

        if await self._writer.write(c.ids, c.write_deadline, "pending", defer):
            CAPPED.labels(kind=c.kind).inc(len(c.ids))
            log.info(
                "daily mail cap reached for the address; deliveries wait for the next day",
                extra={
                    "delivery_ids": [str(i) for i in c.ids],
                    "channel_id": str(c.channel_id),
                    "until": until.isoformat(),
                    "other_deliveries_deferred": others,
                },
            )
