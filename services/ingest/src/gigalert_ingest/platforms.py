"""Platform API keys: created once, shown once, stored as a SHA-256 hash.

Keys are 256-bit random strings, so a fast hash is as safe as a slow one here and keeps
every request's lookup to one indexed equality.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from gigalert_ingest import repository
from gigalert_ingest.build import Platform
from gigalert_shared.db import Conn

KEY_PREFIX = "gk_"


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class UnknownKey(Exception):
    pass


class RevokedKey(Exception):
    pass


async def create_platform(conn: Conn, *, name: str) -> tuple[uuid.UUID, str]:
    """A new platform and its API key (the key is shown once: only its hash is stored)."""
    key = new_api_key()
    pid = await repository.insert_platform(
        conn, name=name, key_hash=hash_key(key), key_prefix=key[:10]
    )
    return pid, key


REVOKED_CHANNEL = "platform_revoked"


@dataclass
class _Cached:
    platform: Platform
    until: float


class PlatformAuth:
    """Resolves an API key to its platform.

    Only valid keys are cached, for at most ``ttl_seconds`` (1 s): an unknown or revoked key
    is looked up every time. ``start()`` LISTENs on ``platform_revoked`` (sent by
    ``revoke_platform`` at commit), so a revocation empties the cache of every running
    replica at once; the TTL bounds it when a notification is missed (a reconnect, a
    revocation by hand in SQL)."""

    def __init__(self, pool: asyncpg.Pool, ttl_seconds: float = 1.0) -> None:
        self._pool = pool
        self._ttl = min(ttl_seconds, 1.0)
        self._cache: dict[bytes, _Cached] = {}
        self._listen_conn: Any = None

    async def start(self) -> None:
        self._listen_conn = await self._pool.acquire()
        await self._listen_conn.add_listener(REVOKED_CHANNEL, self._on_revoked)

    async def stop(self) -> None:
        if self._listen_conn is not None:
            with contextlib.suppress(Exception):
                await self._listen_conn.remove_listener(REVOKED_CHANNEL, self._on_revoked)
            await self._pool.release(self._listen_conn)
            self._listen_conn = None

    def _on_revoked(self, *_: object) -> None:
        self.forget()

    def forget(self) -> None:
        """Drop every cached key (a platform was revoked)."""
        self._cache.clear()

    async def authenticate(self, key: str | None) -> Platform:
        if not key or len(key) > 200:
            raise UnknownKey
        digest = hash_key(key)
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and hit.until >= now:
            return hit.platform
        found = await repository.platform_by_key_hash(self._pool, key_hash=digest)
        if found is None:
            self._cache.pop(digest, None)
            raise UnknownKey
        if found.revoked:
            self._cache.pop(digest, None)
            raise RevokedKey
        platform = Platform(found.id, found.name)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = _Cached(platform, now + self._ttl)
        return platform
