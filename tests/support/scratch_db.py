"""A throwaway database with every migration applied, for benchmarks and tools that need a
schema of their own (tests use the per-test clones of tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from gigalert_shared.db import init_connection
from gigalert_shared.migrate import migrate
from tests.conftest import PG_ADMIN_DSN, drop_database


@asynccontextmanager
async def migrated_database(prefix: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection (JSON codecs set) to a new migrated database, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name)
        try:
            await init_connection(conn)
            await migrate(conn)
            yield conn
        finally:
            await conn.close()
    finally:
        await drop_database(name)
