"""asyncpg round trip, migrations that match the reference, and concurrent migrate."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from gigalert_shared.migrate import discover, migrate
from tests.support.schema_snapshot import snapshot

REFERENCE = Path(__file__).parent / "schema_reference.txt"


async def test_row_round_trips_through_asyncpg(db: asyncpg.Connection) -> None:
    pid = await db.fetchval(
        "INSERT INTO platforms (name, api_key_hash, api_key_prefix) VALUES ($1, $2, $3) "
        "RETURNING id",
        "求人ボード",
        b"\x01" * 32,
        "gk_abcd",
    )
    row = await db.fetchrow("SELECT name, api_key_hash FROM platforms WHERE id = $1", pid)
    assert row is not None
    assert row["name"] == "求人ボード"
    assert row["api_key_hash"] == b"\x01" * 32


async def test_duplicates_are_impossible(db: asyncpg.Connection) -> None:
    fid = await db.fetchval(
        "INSERT INTO freelancers (display_name, token_hash) VALUES ('taro', $1) RETURNING id",
        b"t" * 32,
    )
    gig = uuid.uuid4()
    insert = (
        "INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons) "
        "VALUES ($1, $2, $3, '{}', '{}')"
    )
    await db.execute(insert, uuid.uuid4(), fid, gig)
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute(insert, uuid.uuid4(), fid, gig)


async def test_migrated_schema_matches_reference(db: asyncpg.Connection) -> None:
    """Regenerate the reference with `uv run python -m tests.support.schema_snapshot` on purpose."""
    assert await snapshot(db) == REFERENCE.read_text(encoding="utf-8")


async def test_concurrent_migrate_applies_each_migration_once(db_dsn: str) -> None:
    # db_dsn is already migrated (cloned from the template); start from an empty database.
    admin = await asyncpg.connect(db_dsn)
    try:
        name = f"gigalert_m_{uuid.uuid4().hex[:12]}"
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = db_dsn.rsplit("/", 1)[0] + "/" + name
    conns = [await asyncpg.connect(dsn) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        applied = [m.version for r in results for m in r]
        assert sorted(applied) == [m.version for m in discover()]
        versions = await conns[0].fetch("SELECT version FROM schema_migrations ORDER BY 1")
        assert [r["version"] for r in versions] == [m.version for m in discover()]
        assert await migrate(conns[0]) == []
    finally:
        for c in conns:
            await c.close()
        admin = await asyncpg.connect(db_dsn)
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def test_a_migration_without_transaction_finishes_after_a_crash(
    db: asyncpg.Connection,
) -> None:
    """0004 builds its indexes CONCURRENTLY, outside a transaction: a crash after its first
    statement leaves that index built and the file unrecorded; the next migrate completes it."""
    (retention,) = [m for m in discover() if m.version == 4]
    assert not retention.transactional
    assert len(retention.statements()) == 3
    await db.execute("DELETE FROM schema_migrations WHERE version = 4")
    await db.execute("DROP INDEX deliveries_finished_created_at_idx")
    await db.execute("DROP INDEX unsubscribe_uses_used_at_idx")

    assert [m.version for m in await migrate(db)] == [4]

    indexes = {
        r["indexname"]
        for r in await db.fetch(
            "SELECT indexname FROM pg_indexes WHERE indexname = ANY($1::text[])",
            [
                "alerts_created_at_idx",
                "deliveries_finished_created_at_idx",
                "unsubscribe_uses_used_at_idx",
            ],
        )
    }
    assert len(indexes) == 3
    invalid = await db.fetchval("SELECT count(*) FROM pg_index WHERE NOT indisvalid")
    assert invalid == 0


async def test_retention_prunes_old_deliveries_through_the_index(db: asyncpg.Connection) -> None:
    """With sequential scans priced out, the prune's age filter can use an index: it exists
    and matches the query's predicate."""
    await db.execute("SET enable_seqscan = off")
    plan = "\n".join(
        r[0]
        for r in await db.fetch(
            "EXPLAIN SELECT id FROM deliveries WHERE status IN ('sent', 'dead') "
            "AND created_at < now() - make_interval(days => 90) LIMIT 1000"
        )
    )
    assert "deliveries_finished_created_at_idx" in plan
    plan = "\n".join(
        r[0]
        for r in await db.fetch(
            "EXPLAIN SELECT id FROM alerts WHERE created_at < now() - make_interval(days => 90)"
        )
    )
    assert "alerts_created_at_idx" in plan
