"""Test harness: real Kafka, Postgres and SMTP, started when missing; a database cloned
from a migrated template and unique topics for every test, so order never matters."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from gigalert_shared.db import init_connection
from gigalert_shared.kafka_admin import create_topics
from gigalert_shared.migrate import migrate
from gigalert_shared.settings import KafkaSettings, PostgresSettings, Settings, get_settings
from gigalert_shared.topics import Topics


def pytest_configure(config: pytest.Config) -> None:
    """The developer's shell must not leak into tests: settings are built in fixtures."""
    for name in [n for n in os.environ if n.startswith("GIGALERT_")]:
        if not name.startswith("GIGALERT_LOCAL_") and name not in (
            "GIGALERT_STATE_DIR",
            "GIGALERT_CACHE_DIR",
        ):
            del os.environ[name]


ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("GIGALERT_STATE_DIR", ROOT / "deploy/local/.state"))
KAFKA = f"127.0.0.1:{os.environ.get('GIGALERT_LOCAL_KAFKA_PORT', '19092')}"
PG_PORT = os.environ.get("GIGALERT_LOCAL_PG_PORT", "15432")
PG_ADMIN_DSN = f"postgresql://gigalert:gigalert@127.0.0.1:{PG_PORT}/gigalert"
SMTP_PORT = int(os.environ.get("GIGALERT_LOCAL_SMTP_PORT", "8025"))
MAILDIR = STATE / "mail"


def _dsn(database: str) -> str:
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + database


@pytest.fixture(scope="session")
def infrastructure() -> None:
    """Start Kafka, Postgres and the SMTP sink unless they are running (idempotent)."""
    subprocess.run([str(ROOT / "deploy/local/infra.sh"), "up"], check=True)


@pytest.fixture(scope="session")
def template_db(infrastructure: None) -> Iterator[str]:
    name = f"gigalert_tpl_{os.getpid()}"

    async def create() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        conn = await asyncpg.connect(_dsn(name))
        try:
            await migrate(conn)
        finally:
            await conn.close()

    asyncio.run(create())
    yield name

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture
async def db_dsn(template_db: str) -> AsyncIterator[str]:
    """A fresh, migrated database for this test alone."""
    name = f"gigalert_t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    finally:
        await conn.close()
    yield _dsn(name)
    await drop_database(name)


async def drop_database(name: str, admin_dsn: str = PG_ADMIN_DSN, attempts: int = 20) -> None:
    """Drop ``name`` even while a backend (an autovacuum worker, a closing pool) is still
    on it: FORCE ends them; a backend that cannot be ended yet is waited for."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        for attempt in range(attempts):
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except (asyncpg.InsufficientPrivilegeError, asyncpg.ObjectInUseError):
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.25)
    finally:
        await conn.close()


@pytest.fixture
async def db(db_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(db_dsn)
    await init_connection(conn)
    yield conn
    await conn.close()


@pytest.fixture
async def topics(infrastructure: None) -> AsyncIterator[Topics]:
    """This test's own topics (unique prefix), created with 6 partitions, deleted after it
    (the local broker would otherwise carry thousands of partitions)."""
    t = Topics(prefix=f"t{uuid.uuid4().hex[:12]}.")
    await create_topics(KafkaSettings(bootstrap_servers=KAFKA, partitions=6), t)
    yield t
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    try:
        await admin.start()
        await admin.delete_topics(t.all())
    except KafkaError:
        pass  # best effort: a leftover topic harms nothing but disk
    finally:
        await admin.close()


@pytest.fixture
def settings(db_dsn: str, topics: Topics) -> Iterator[Settings]:
    """Settings pointing at this test's database and topics."""
    s = Settings(
        kafka=KafkaSettings(bootstrap_servers=KAFKA, topic_prefix=topics.prefix),
        postgres=PostgresSettings(dsn=db_dsn, pool_min_size=1, pool_max_size=5),  # type: ignore[arg-type]
    )
    get_settings.cache_clear()
    yield s
    get_settings.cache_clear()


@pytest.fixture
def maildir(infrastructure: None) -> Path:
    return MAILDIR
