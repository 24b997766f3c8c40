"""Pruning: no table grows forever.

- ``outbox``: published rows older than an hour, by the relay that published them (every
  minute, in batches; an unpublished row is never touched).
- Past ``GIGALERT_RETENTION_DAYS`` (90): sent and dead deliveries; alerts with no delivery
  left (a pending or failing delivery keeps its alert); the unsubscribe records of pruned
  alerts; gigs neither received nor updated within the period and named by no alert kept.
- Short-lived rows: rate-limit events after a day, expired mail links after a day, expired
  sessions, daily mail counts after two days, subscription changes after a week (a running
  matcher has applied them; a starting one loads the subscriptions themselves).

``prune(conn, retention_days)`` does it all in batches: every DELETE takes at most
``batch`` rows (a ``LIMIT`` in its subquery) and commits on its own, looping until a batch
comes back short, so no statement holds many row locks or runs long. It must not be called
inside a transaction (it refuses). The web app's hourly housekeeping runs it on one replica
at a time (advisory lock), and ``gigalert prune`` runs it by hand.

``table_stats(conn)`` reads each pruned table's estimated live rows and total size
(statistics and catalog only, no ``count(*)``) for web's ``gigalert_table_*`` gauges.
"""

from __future__ import annotations

import logging
from typing import Final

from gigalert_shared.db import Conn

log = logging.getLogger(__name__)

BATCH: Final = 5000
OUTBOX_KEEP_SECONDS: Final = 3600
PRUNE_LOCK: Final = 0x6769_6761_7072  # pg_try_advisory_lock key: one pruner at a time

# table -> (the key its batch is chosen by, which rows go: `t` is the table, $2 the outbox's
# age in seconds or the retention in days where used). Deliveries before alerts before
# unsubscribe records and gigs: each step frees the next.
_RULES: Final = {
    "outbox": (
        "id",
        "t.published_at IS NOT NULL AND t.published_at < now() - make_interval(secs => $2)",
    ),
    "deliveries": (
        "id",
        "t.status IN ('sent', 'dead') AND t.created_at < now() - make_interval(days => $2)",
    ),
    "alerts": (
        "id",
        "t.created_at < now() - make_interval(days => $2)"
        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = t.id)",
    ),
    "unsubscribe_uses": (
        "alert_id",
        "t.used_at < now() - make_interval(days => $2)"
        " AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.id = t.alert_id)",
    ),
    "gigs": (
        "id",
        "t.received_at < now() - make_interval(days => $2)"
        " AND t.updated_at < now() - make_interval(days => $2)"
        " AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.gig_id = t.id)",
    ),
    "rate_events": ("ctid", "t.at < now() - interval '1 day'"),
    "mail_links": ("ctid", "t.expires_at < now() - interval '1 day'"),
    "web_sessions": ("ctid", "t.expires_at < now()"),
    "email_daily_counts": ("ctid", "t.day < current_date - 2"),
    "subscription_changes": ("id", "t.changed_at < now() - interval '7 days'"),
}


def _batch_delete(table: str, key: str, where: str) -> str:
    """The DELETE of at most $1 rows of ``table`` that match ``where``."""
    return (
        f"DELETE FROM {table} WHERE {key} IN (SELECT t.{key} FROM {table} t WHERE {where} LIMIT $1)"
    )


_DELETES: Final = {table: _batch_delete(table, *rule) for table, rule in _RULES.items()}
ORDER: Final = tuple(_DELETES)
_WITH_DAYS: Final = frozenset({"deliveries", "alerts", "unsubscribe_uses", "gigs"})


async def _delete_all(conn: Conn, name: str, arg: int | None, batch: int) -> int:
    if conn.is_in_transaction():
        # One transaction around the loop would hold every deleted row's lock to the end.
        raise RuntimeError("prune deletes in batches of their own; call it outside a transaction")
    total = 0
    while True:
        args: tuple[int, ...] = (batch,) if arg is None else (batch, arg)
        status = await conn.execute(_DELETES[name], *args)
        n = int(status.rsplit(" ", 1)[-1])
        total += n
        if n < batch:
            return total


async def prune_outbox(
    conn: Conn, keep_seconds: int = OUTBOX_KEEP_SECONDS, batch: int = BATCH
) -> int:
    """Delete published outbox rows older than ``keep_seconds``; never an unpublished one."""
    return await _delete_all(conn, "outbox", keep_seconds, batch)


async def prune(conn: Conn, retention_days: int, *, batch: int = BATCH) -> dict[str, int]:
    """Delete what is past retention (module docstring); rows deleted per table."""
    counts: dict[str, int] = {}
    for name in ORDER:
        if name == "outbox":
            counts[name] = await prune_outbox(conn, batch=batch)
        else:
            arg = retention_days if name in _WITH_DAYS else None
            counts[name] = await _delete_all(conn, name, arg, batch)
    return counts


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
