"""Numbered plain-SQL migrations, applied in order under an advisory lock.

Several replicas may run ``gigalert migrate`` at once: the first takes the lock and
applies what is missing, the others wait for it and then find nothing to do. Each file
runs in its own transaction; its checksum is recorded so an edited, already-applied
file is reported instead of silently ignored. A file whose first line is
``-- gigalert: no-transaction`` (``CREATE INDEX CONCURRENTLY``) runs statement by statement
outside a transaction; its statements must be safe to run again after a crash.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from gigalert_shared.db import Conn

_LOCK_KEY = 0x6A16_A1E7  # any constant shared by every replica
_FILE = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
_NO_TRANSACTION = "-- gigalert: no-transaction"
_LOCK_POLL_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def transactional(self) -> bool:
        return not self.sql.startswith(_NO_TRANSACTION)

    def statements(self) -> list[str]:
        """The file's statements one by one (for a file without a transaction: one
        multi-statement string would run in an implicit transaction)."""
        return [s.strip() for s in self.sql.split(";\n") if _has_code(s)]


def _has_code(sql: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("--") for line in sql.splitlines())


class MigrationError(RuntimeError):
    pass


def discover() -> list[Migration]:
    folder = resources.files("gigalert_shared.migrations")
    found = []
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match["version"]), match["name"], entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


async def _lock(conn: Conn) -> None:
    """Take the migration lock, polling: a replica blocked inside ``pg_advisory_lock`` would
    be a running transaction that ``CREATE INDEX CONCURRENTLY`` waits for (a deadlock)."""
    while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY):  # noqa: ASYNC110
        await asyncio.sleep(_LOCK_POLL_SECONDS)  # the holder is another process: no Event


async def migrate(conn: Conn) -> list[Migration]:
    """Apply pending migrations; return those applied by this call."""
    await _lock(conn)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   version integer PRIMARY KEY,
                   name text NOT NULL,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        applied = {
            r["version"]: r["checksum"]
            for r in await conn.fetch("SELECT version, checksum FROM schema_migrations")
        }
        done: list[Migration] = []
        for migration in discover():
            known = applied.get(migration.version)
            if known is not None:
                if known != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version}_{migration.name} changed after it "
                        "was applied; add a new migration instead"
                    )
                continue
            if migration.transactional:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await _record(conn, migration)
            else:
                for statement in migration.statements():
                    await conn.execute(statement)
                await _record(conn, migration)
            done.append(migration)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


async def _record(conn: Conn, migration: Migration) -> None:
    await conn.execute(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
        migration.version,
        migration.name,
        migration.checksum,
    )
