"""No table grows forever: published outbox rows go after an hour (never an unpublished
one), and gigs, alerts, sent/dead deliveries, unsubscribe records and the short-lived rate,
link, session and count rows go past retention; what is recent, or still needed, stays.
Every DELETE takes at most a batch and commits on its own (no long locks). The pruned
tables' sizes come from statistics and the catalog.
Also ``gigalert keys reencrypt``: every channel secret re-sealed with the current key."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import asyncpg
import pytest

from gigalert_shared.crypto import SecretBox, reencrypt_channel_secrets
from gigalert_shared.outbox import OutboxMessage, OutboxRelay, enqueue
from gigalert_shared.retention import (
    PRUNE_LOCK,
    TABLES,
    prune,
    prune_once_across_replicas,
    prune_outbox,
    table_stats,
)

pytestmark = [pytest.mark.postgres]

OLD = "now() - interval '100 days'"
RECENT = "now() - interval '10 days'"


async def _outbox(db: asyncpg.Connection, published: str | None, created: str = "now()") -> int:
    pub = "NULL" if published is None else published
    row_id: int = await db.fetchval(
        f"INSERT INTO outbox (topic, payload, created_at, published_at) "
        f"VALUES ('t', 'x', {created}, {pub}) RETURNING id"
    )
    return row_id


async def test_outbox_prunes_published_rows_after_an_hour_never_unpublished_ones(
    db: asyncpg.Connection,
) -> None:
    old_published = [await _outbox(db, "now() - interval '2 hours'") for _ in range(7)]
    fresh_published = await _outbox(db, "now() - interval '10 minutes'")
    old_unpublished = await _outbox(db, None, created="now() - interval '30 days'")
    assert await prune_outbox(db, batch=3) == 7  # in batches of 3: 3 + 3 + 1
    left = {r["id"] for r in await db.fetch("SELECT id FROM outbox")}
    assert left == {fresh_published, old_unpublished}
    assert not left & set(old_published)


class _NoPublish:
    async def publish_batch(self, messages: Any) -> None:
        raise AssertionError("nothing pending here")


async def test_the_relay_prunes_on_its_own(db: asyncpg.Connection, db_dsn: str) -> None:
    pool = await asyncpg.create_pool(db_dsn, min_size=1, max_size=3)
    assert pool is not None
    try:
        await _outbox(db, "now() - interval '2 hours'")
        keep = await _outbox(db, "now()")
        relay = OutboxRelay(pool, _NoPublish(), prune_interval=0.0, poll_interval=0.05)
        await relay.start()
        try:
            for _ in range(100):
                if relay.pruned:
                    break
                await asyncio.sleep(0.05)
        finally:
            await relay.stop()
        assert relay.pruned == 1
        assert [r["id"] for r in await db.fetch("SELECT id FROM outbox")] == [keep]
        # ...and an unpublished row written now is never pruned, however old.
        await enqueue(db, [OutboxMessage("t", b"x")])
        await db.execute("UPDATE outbox SET created_at = now() - interval '1 year'")
        assert await relay.prune() == 0
    finally:
        await pool.close()


async def _world(db: asyncpg.Connection) -> dict[str, Any]:
    """A platform, a freelancer with a channel, and gigs/alerts/deliveries of every age."""
    platform = await db.fetchval(
        "INSERT INTO platforms (name, api_key_hash, api_key_prefix) "
        "VALUES ('p', '\\x01', 'gk_') RETURNING id"
    )
    freelancer = await db.fetchval(
        "INSERT INTO freelancers (display_name) VALUES ('f') RETURNING id"
    )
    channel = await db.fetchval(
        "INSERT INTO channels (freelancer_id, kind, target) VALUES ($1, 'email', 'a@b.jp') "
        "RETURNING id",
        freelancer,
    )

    async def gig(name: str, age: str) -> uuid.UUID:
        gid = uuid.uuid4()
        await db.execute(
            f"INSERT INTO gigs (id, platform_id, external_id, title, content_hash, body, "
            f"received_at, updated_at) VALUES ($1, $2, $3, $3, 'h', '{{}}', {age}, {age})",
            gid,
            platform,
            name,
        )
        return gid

    async def alert(gig_id: uuid.UUID, age: str) -> uuid.UUID:
        aid = uuid.uuid4()
        await db.execute(
            f"INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons, "
            f"created_at) VALUES ($1, $2, $3, '{{}}', '[]', {age})",
            aid,
            freelancer,
            gig_id,
        )
        return aid

    async def delivery(alert_id: uuid.UUID, status: str, age: str) -> uuid.UUID:
        did: uuid.UUID = await db.fetchval(
            f"INSERT INTO deliveries (alert_id, channel_id, freelancer_id, status, payload, "
            f"created_at) VALUES ($1, $2, $3, $4, '{{}}', {age}) RETURNING id",
            alert_id,
            channel,
            freelancer,
            status,
        )
        return did

    w: dict[str, Any] = {}
    # Old and done: pruned entirely.
    w["old_gig"] = await gig("old", OLD)
    w["old_alert"] = await alert(w["old_gig"], OLD)
    w["old_sent"] = await delivery(w["old_alert"], "sent", OLD)
    w["old_gig2"] = await gig("old2", OLD)
    w["old_alert2"] = await alert(w["old_gig2"], OLD)
    w["old_dead"] = await delivery(w["old_alert2"], "dead", OLD)
    await db.execute(
        f"INSERT INTO unsubscribe_uses (alert_id, freelancer_id, subscription_ids, used_at) "
        f"VALUES ($1, $2, '{{}}', {OLD})",
        w["old_alert"],
        freelancer,
    )
    # Old but still being retried: the delivery, its alert and its gig stay.
    w["stuck_gig"] = await gig("stuck", OLD)
    w["stuck_alert"] = await alert(w["stuck_gig"], OLD)
    w["stuck_failed"] = await delivery(w["stuck_alert"], "failed", OLD)
    # An old gig named by a recent alert stays.
    w["old_gig_recent_alert"] = await gig("old-but-alerted", OLD)
    w["recent_alert"] = await alert(w["old_gig_recent_alert"], RECENT)
    w["recent_sent"] = await delivery(w["recent_alert"], "sent", RECENT)
    # An old gig updated recently stays; an old gig nobody was alerted of goes.
    w["updated_gig"] = await gig("updated", OLD)
    await db.execute("UPDATE gigs SET updated_at = now() WHERE id = $1", w["updated_gig"])
    w["lonely_old_gig"] = await gig("lonely", OLD)
    w["recent_gig"] = await gig("recent", RECENT)
    # Short-lived rows.
    await db.execute(
        "INSERT INTO rate_events (bucket, at) VALUES ('b', now() - interval '2 days'), ('b', now())"
    )
    await db.execute(
        "INSERT INTO email_daily_counts (address, day) "
        "VALUES ('a@b.jp', current_date - 5), ('a@b.jp', current_date)"
    )
    await db.execute(
        "INSERT INTO web_sessions (id_hash, freelancer_id, csrf_token, expires_at) "
        "VALUES ('\\x01', $1, 'c', now() - interval '1 hour'), "
        "('\\x02', $1, 'c', now() + interval '1 day')",
        freelancer,
    )
    await db.execute(
        "INSERT INTO subscription_changes (subscription_id, changed_at) "
        "VALUES ($1, now() - interval '8 days'), ($1, now())",
        uuid.uuid4(),
    )
    return w


async def _ids(db: asyncpg.Connection, table: str) -> set[uuid.UUID]:
    return {r["id"] for r in await db.fetch(f"SELECT id FROM {table}")}


async def test_prune_removes_what_is_past_retention_and_keeps_the_rest(
    db: asyncpg.Connection,
) -> None:
    w = await _world(db)
    counts = await prune(db, retention_days=90, batch=1)
    assert await _ids(db, "deliveries") == {w["stuck_failed"], w["recent_sent"]}
    assert await _ids(db, "alerts") == {w["stuck_alert"], w["recent_alert"]}
    assert await _ids(db, "gigs") == {
        w["stuck_gig"],
        w["old_gig_recent_alert"],
        w["updated_gig"],
        w["recent_gig"],
    }
    assert await db.fetchval("SELECT count(*) FROM unsubscribe_uses") == 0
    assert await db.fetchval("SELECT count(*) FROM rate_events") == 1
    assert await db.fetchval("SELECT count(*) FROM email_daily_counts") == 1
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 1
    assert await db.fetchval("SELECT count(*) FROM subscription_changes") == 1
    assert counts["deliveries"] == 2 and counts["alerts"] == 2 and counts["gigs"] == 3
    # Again: nothing more to do.
    assert not any((await prune(db, retention_days=90)).values())
    # A shorter retention reaches the 10-day-old rows (the stuck delivery stays whatever).
    await prune(db, retention_days=5)
    assert await _ids(db, "deliveries") == {w["stuck_failed"]}
    assert await _ids(db, "gigs") == {w["stuck_gig"], w["updated_gig"]}


class _Recording:
    """The connection, recording each DELETE's row count and whether a transaction was
    open around it."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self.deletes: list[tuple[int, bool]] = []

    def is_in_transaction(self) -> bool:
        return self._conn.is_in_transaction()

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._conn.fetchval(query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        status = await self._conn.execute(query, *args)
        if status.startswith("DELETE"):
            assert "LIMIT $1" in query
            self.deletes.append((int(status.rsplit(" ", 1)[-1]), self._conn.is_in_transaction()))
        return status


async def test_prune_deletes_in_small_batches_each_committed_on_its_own(
    db: asyncpg.Connection,
) -> None:
    await _world(db)
    for _ in range(7):
        await _outbox(db, "now() - interval '2 hours'")
    await db.execute(
        "INSERT INTO rate_events (bucket, at) "
        "SELECT 'x', now() - interval '3 days' FROM generate_series(1, 11)"
    )
    rec = _Recording(db)
    counts = await prune(rec, retention_days=90, batch=2)  # type: ignore[arg-type]
    assert counts["outbox"] == 7 and counts["rate_events"] == 12
    # Never more than a batch per statement, never inside a surrounding transaction; a
    # table's loop ends at its first short batch.
    assert all(n <= 2 and not in_tx for n, in_tx in rec.deletes)
    assert sum(n for n, _ in rec.deletes) == sum(counts.values())
    assert len(rec.deletes) == sum(c // 2 + 1 for c in counts.values())
    # One transaction around it all would hold every lock to the end: refused.
    async with db.transaction():
        with pytest.raises(RuntimeError, match="outside a transaction"):
            await prune(db, retention_days=90)


async def test_table_stats_come_from_statistics_and_the_catalog(db: asyncpg.Connection) -> None:
    for _ in range(3):
        await _outbox(db, None)
    await db.execute("SELECT pg_stat_force_next_flush()")
    stats = await table_stats(db)
    assert set(stats) == set(TABLES)
    assert all(size > 0 and rows >= 0 for rows, size in stats.values())
    assert stats["outbox"][0] == 3


async def test_one_pruner_at_a_time(db: asyncpg.Connection, db_dsn: str) -> None:
    other = await asyncpg.connect(db_dsn)
    try:
        await other.execute("SELECT pg_advisory_lock($1)", PRUNE_LOCK)
        assert await prune_once_across_replicas(db, 90) is None
        await other.execute("SELECT pg_advisory_unlock($1)", PRUNE_LOCK)
        assert await prune_once_across_replicas(db, 90) is not None
    finally:
        await other.close()


async def test_reencrypt_reseals_every_channel_secret_with_the_new_key(
    db: asyncpg.Connection,
) -> None:
    freelancer = await db.fetchval(
        "INSERT INTO freelancers (display_name) VALUES ('f') RETURNING id"
    )
    old, older = SecretBox("old key"), SecretBox("older key")
    secrets = {}
    for i, box in enumerate([old, older, old, SecretBox("lost key")]):
        url = f"https://hooks.slack.com/services/T/B/{i}"
        cid = await db.fetchval(
            "INSERT INTO channels (freelancer_id, kind, target, secret_encrypted) "
            "VALUES ($1, 'slack', 'slack', $2) RETURNING id",
            freelancer,
            box.seal(url),
        )
        secrets[cid] = url
    rotating = SecretBox("new key", ["old key", "older key"])
    assert await reencrypt_channel_secrets(db, rotating, batch=2) == (3, 1)
    new_only = SecretBox("new key")
    rows = await db.fetch("SELECT id, secret_encrypted FROM channels")
    opened = {}
    for r in rows:
        with contextlib.suppress(ValueError):
            opened[r["id"]] = new_only.open(bytes(r["secret_encrypted"]))
    assert len(opened) == 3 and all(secrets[k] == v for k, v in opened.items())
    # Idempotent: a second run re-seals the same three (Fernet tokens differ each time).
    assert await reencrypt_channel_secrets(db, rotating) == (3, 1)
