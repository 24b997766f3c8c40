"""Secrets handed to people (session cookies, mailed links, API tokens, LINE link codes):
random, shown once, stored only as a hash (a CSRF token is compared with
:func:`gigalert_shared.auth_guards.token_matches`). Pure."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from typing import Final

API_TOKEN_PREFIX: Final = "gt_"
# A LINE link code is typed on a phone: no 0/O, 1/I/L.
_CODE_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 6


def new_secret() -> str:
    """256 random bits, URL-safe: session ids, mailed link tokens."""
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    """SHA-256: the secrets are 256-bit random, so a fast hash is safe and one index probe
    finds the row (the lookup itself is the constant-time comparison)."""
    return hashlib.sha256(secret.encode()).digest()


def new_link_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """A LINE message as a link code (full-width and lower case forgiven), or None."""
    folded = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "").replace("-", "")
    if len(folded) == CODE_LENGTH and all(ch in _CODE_ALPHABET for ch in folded):
        return folded
    return None


def code_digest(code: str, key: str) -> bytes:
    """Link codes are short, so keyed: a leaked table alone does not give them back."""
    return hmac.new(f"gigalert-line-code:{key}".encode(), code.encode(), hashlib.sha256).digest()
