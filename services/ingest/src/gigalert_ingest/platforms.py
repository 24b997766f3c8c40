"""Platform API keys: created once, shown once, stored as a SHA-256 hash.

Keys are 256-bit random strings, so a fast hash is as safe as a slow one here and keeps
every request's lookup to one indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

import asyncpg

from gigalert_ingest.build import Platform
from gigalert_shared.db import Conn, load_queries

KEY_PREFIX = "gk_"


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class UnknownKey(Exception):
    pass


class RevokedKey(Exception):
    pass


def _q(name: str) -> str:
    return load_queries("gigalert_ingest")[name]


async def create_platform(conn: Conn, *, name: str) -> tuple[uuid.UUID, str]:
    key = new_api_key()
    pid = await conn.fetchval(_q("insert_platform"), name, hash_key(key), key[:10])
    return pid, key


async def revoke_platform(conn: Conn, *, name: str) -> bool:
    return await conn.fetchval(_q("revoke_platform"), name) is not None


@dataclass
class _Cached:
    platform: Platform | None
    revoked: bool
    until: float


class PlatformAuth:
    """Resolves an API key to its platform, caching answers for a few seconds."""

    def __init__(self, pool: asyncpg.Pool, ttl_seconds: float = 5.0) -> None:
        self._pool = pool
        self._ttl = ttl_seconds
        self._cache: dict[bytes, _Cached] = {}

    async def authenticate(self, key: str | None) -> Platform:
        if not key or len(key) > 200:
            raise UnknownKey
        digest = hash_key(key)
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is None or hit.until < now:
            row = await self._pool.fetchrow(_q("platform_by_key_hash"), digest)
            platform = Platform(row["id"], row["name"]) if row else None
            hit = _Cached(platform, bool(row and row["revoked_at"]), now + self._ttl)
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = hit
        if hit.platform is None:
            raise UnknownKey
        if hit.revoked:
            raise RevokedKey
        return hit.platform
