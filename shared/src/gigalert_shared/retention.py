"""Pruning: no table grows forever.

- ``outbox``: published rows older than an hour, by the relay that published them (every
  minute, in batches; an unpublished row is never touched).
- Past ``GIGALERT_RETENTION_DAYS`` (90): sent and dead deliveries; alerts with no delivery
  left (a pending or failing delivery keeps its alert); the unsubscribe records of pruned
  alerts; gigs neither received nor updated within the period and named by no alert kept.
- Short-lived rows: rate-limit events after a day, expired mail links after a day, expired
  sessions, daily mail counts after two days, subscription changes after a week (a running
  matcher has applied them; a starting one loads the subscriptions themselves).

``RULES`` says it once, as data: each table, which of its rows go and after how long.
``prune(conn, retention_days)`` applies them all in batches: every DELETE takes at most
``batch`` rows (a ``LIMIT`` in its subquery) and commits on its own, looping until a batch
comes back short, so no statement holds many row locks or runs long. It must not be called
inside a transaction (it refuses). The web app's hourly housekeeping runs it on one replica
at a time (advisory lock), and ``gigalert prune`` runs it by hand.

``table_stats(conn)`` reads each pruned table's estimated live rows and total size
(statistics and catalog only, no ``count(*)``) for web's ``gigalert_table_*`` gauges.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Literal

from gigalert_shared.db import Conn

log = logging.getLogger(__name__)

BATCH: Final = 5000
OUTBOX_KEEP_SECONDS: Final = 3600
PRUNE_LOCK: Final = 0x6769_6761_7072  # pg_try_advisory_lock key: one pruner at a time

RETENTION: Final = "retention"
Keep = timedelta | Literal["retention"]


@dataclass(frozen=True, slots=True)
class Rule:
    """Rows of ``table`` that ``where`` selects go once older than ``keep`` (``RETENTION``:
    ``GIGALERT_RETENTION_DAYS``). In ``where``, ``t`` is the table and ``$2`` that age as an
    interval; ``key`` is the column each batch is chosen by."""

    table: str
    key: str
    where: str
    keep: Keep


# Deliveries before alerts before unsubscribe records and gigs: each step frees the next.
RULES: Final = (
    Rule(
        "outbox",
        "id",
        "t.published_at IS NOT NULL AND t.published_at < now() - $2::interval",
        timedelta(seconds=OUTBOX_KEEP_SECONDS),
    ),
    Rule(
        "deliveries",
        "id",
        "t.status IN ('sent', 'dead') AND t.created_at < now() - $2::interval",
        RETENTION,
    ),
    Rule(
        "alerts",
        "id",
        "t.created_at < now() - $2::interval"
        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = t.id)",
        RETENTION,
    ),
    Rule(
        "unsubscribe_uses",
        "alert_id",
        "t.used_at < now() - $2::interval"
        " AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.id = t.alert_id)",
        RETENTION,
    ),
    Rule(
        "gigs",
        "id",
        "t.received_at < now() - $2::interval AND t.updated_at < now() - $2::interval"
        " AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.gig_id = t.id)",
        RETENTION,
    ),
    Rule("rate_events", "ctid", "t.at < now() - $2::interval", timedelta(days=1)),
    Rule("mail_links", "ctid", "t.expires_at < now() - $2::interval", timedelta(days=1)),
    Rule("web_sessions", "ctid", "t.expires_at < now() - $2::interval", timedelta(0)),
    Rule("email_daily_counts", "ctid", "t.day < current_date - $2::interval", timedelta(days=2)),
    Rule("subscription_changes", "id", "t.changed_at < now() - $2::interval", timedelta(days=7)),
)


def _batch_delete(rule: Rule) -> str:
    """The DELETE of at most $1 rows the rule selects, $2 older than its age."""
    table, key = rule.table, rule.key
    return (
        f"DELETE FROM {table} WHERE {key} IN "
        f"(SELECT t.{key} FROM {table} t WHERE {rule.where} LIMIT $1)"
    )


_DELETES: Final = {rule.table: _batch_delete(rule) for rule in RULES}
ORDER: Final = tuple(_DELETES)


async def _delete_all(conn: Conn, table: str, age: timedelta, batch: int) -> int:
    if conn.is_in_transaction():
        # One transaction around the loop would hold every deleted row's lock to the end.
        raise RuntimeError("prune deletes in batches of their own; call it outside a transaction")
    total = 0
    while True:
        status = await conn.execute(_DELETES[table], batch, age)
        n = int(status.rsplit(" ", 1)[-1])
        total += n
        if n < batch:
            return total


async def prune_outbox(
    conn: Conn, keep_seconds: int = OUTBOX_KEEP_SECONDS, batch: int = BATCH
) -> int:
    """Delete published outbox rows older than ``keep_seconds``; never an unpublished one."""
    return await _delete_all(conn, "outbox", timedelta(seconds=keep_seconds), batch)


async def prune(conn: Conn, retention_days: int, *, batch: int = BATCH) -> dict[str, int]:
    """Delete what is past retention (``RULES``, in order); rows deleted per table."""
    retention = timedelta(days=retention_days)
    return {
        rule.table: await _delete_all(
            conn, rule.table, retention if rule.keep == RETENTION else rule.keep, batch
        )
        for rule in RULES
    }


async def prune_once_across_replicas(conn: Conn, retention_days: int) -> dict[str, int] | None:
    """``prune`` unless another process is pruning now (then None)."""
    if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", PRUNE_LOCK):
        return None
    try:
        counts = await prune(conn, retention_days)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", PRUNE_LOCK)
    if any(counts.values()):
        log.info("pruned old rows", extra={"deleted": counts})
    return counts


# Every table pruned here, for the size gauges.
TABLES: Final = ORDER

_STATS: Final = """
    SELECT t.name, coalesce(s.n_live_tup, 0) AS rows, pg_total_relation_size(c.oid) AS bytes
    FROM unnest($1::text[]) AS t(name)
    JOIN pg_class c ON c.oid = to_regclass(t.name)
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
"""


async def table_stats(conn: Conn) -> dict[str, tuple[int, int]]:
    """Table name -> (estimated live rows, bytes with indexes and TOAST) for ``TABLES``.

    Rows are the statistics' ``n_live_tup`` (kept current by inserts and deletes, no scan);
    bytes ``pg_total_relation_size``. Both cost a catalog lookup per table."""
    rows = await conn.fetch(_STATS, list(TABLES))
    return {r["name"]: (int(r["rows"]), int(r["bytes"])) for r in rows}
