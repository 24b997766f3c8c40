"""Channel secrets (webhook URLs) encrypted at rest with Fernet, and masking for display."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Encrypts and decrypts channel secrets with a key derived from the settings."""

    def __init__(self, key_material: str) -> None:
        digest = hashlib.sha256(("gigalert-channel-secrets:" + key_material).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def open(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:
            raise ValueError("channel secret cannot be decrypted with this key") from exc


SLACK_PREFIX = "https://hooks.slack.com/services/"


def mask(value: str, keep: int = 4) -> str:
    """A secret for display: the Slack prefix (if any) and the last few characters."""
    head = SLACK_PREFIX if value.startswith(SLACK_PREFIX) else ""
    if len(value) - len(head) <= keep * 2:
        return f"{head}…"
    return f"{head}…{value[-keep:]}"


class Signer:
    """Short HMAC tokens for links in mail (unsubscribe): `<value>.<signature>`."""

    def __init__(self, key_material: str, purpose: str) -> None:
        self._key = hashlib.sha256(f"gigalert-signer:{purpose}:{key_material}".encode()).digest()

    def sign(self, value: str) -> str:
        mac = hmac.new(self._key, value.encode(), hashlib.sha256).digest()[:16]
        return f"{value}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def verify(self, token: str) -> str | None:
        """The signed value, or None for any token this signer did not make."""
        value, _, _ = token.rpartition(".")
        if not value:
            return None
        try:
            expected, given = self.sign(value).encode(), token.encode()
        except UnicodeEncodeError:  # a lone surrogate: never one of ours
            return None
        # Bytes: compare_digest refuses str with non-ASCII characters (TypeError).
        return value if hmac.compare_digest(expected, given) else None
