"""asyncpg pool factory and named SQL blocks."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from gigalert_shared.settings import PostgresSettings

Pool = asyncpg.Pool
# A plain connection, or one borrowed from a pool: both run queries the same way.
Conn = asyncpg.Connection | PoolConnectionProxy
# What a repository function runs its statements on: the pool, or the caller's connection
# (to stay inside the caller's transaction).
Db = Pool | Conn


def _encode_json(value: Any) -> str:
    # Text that is already JSON (pydantic's fast model_dump_json) goes through as is.
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


async def init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename, encoder=_encode_json, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(settings: PostgresSettings) -> Pool:
    pool = await asyncpg.create_pool(
        dsn=settings.dsn.get_secret_value(),
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        command_timeout=settings.command_timeout,
        init=init_connection,
    )
    if pool is None:  # pragma: no cover - asyncpg types allow it, never happens
        raise RuntimeError("asyncpg returned no pool")
    return pool


_BLOCK = re.compile(r"^-- (?P<name>[a-z0-9_]+) --\s*$", re.MULTILINE)


def parse_queries(text: str) -> dict[str, str]:
    """Split a ``queries.sql`` file of ``-- name --`` blocks into a dict."""
    parts = _BLOCK.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


@cache
def load_queries(package: str, filename: str = "queries.sql") -> dict[str, str]:
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    return parse_queries(text)


class Queries:
    """A package's named SQL blocks: ``q = Queries("gigalert_web")``, then ``q("name")``."""

    __slots__ = ("package",)

    def __init__(self, package: str) -> None:
        self.package = package

    def __call__(self, name: str) -> str:
        return load_queries(self.package)[name]


def record_to_dict(record: Any) -> dict[str, Any]:
    return dict(record.items())
