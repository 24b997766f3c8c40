"""Freelancer bearer tokens: shown once, stored as SHA-256 (256-bit random, so a fast hash
is safe and keeps each lookup to one index probe)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "gt_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
