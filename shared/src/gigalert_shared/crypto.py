"""Channel secrets (webhook URLs) encrypted at rest with Fernet, mail-link signatures, and
masking for display.

Key rotation: the current key seals and signs; old keys (``GIGALERT_CHANNEL_SECRET_KEY_OLD``,
a comma list) still open what they sealed (``MultiFernet``) and verify unsubscribe links
until ``GIGALERT_CHANNEL_SECRET_KEY_OLD_LINKS_UNTIL``. ``gigalert keys reencrypt`` re-seals
every stored channel secret with the current key (docs/operations.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from gigalert_shared.db import Conn
from gigalert_shared.settings import Settings


def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(("gigalert-channel-secrets:" + key_material).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def old_keys(settings: Settings) -> list[str]:
    """The former channel keys of a rotation, newest first as listed."""
    raw = settings.channel_secret_key_old
    if raw is None:
        return []
    return [k.strip() for k in raw.get_secret_value().split(",") if k.strip()]


class SecretBox:
    """Encrypts channel secrets with the current key; decrypts with it or an old one."""

    def __init__(self, key_material: str, old: Sequence[str] = ()) -> None:
        self._fernet = MultiFernet([_fernet(key_material), *(_fernet(k) for k in old)])

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        return cls(settings.channel_secret_key.get_secret_value(), old_keys(settings))

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def open(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:
            raise ValueError("channel secret cannot be decrypted with this key") from exc

    def reseal(self, token: bytes) -> bytes:
        """The same secret sealed with the current key (ValueError if no key opens it)."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise ValueError("channel secret cannot be decrypted with any key") from exc


async def reencrypt_channel_secrets(
    conn: Conn, box: SecretBox, *, batch: int = 500
) -> tuple[int, int]:
    """Re-seal ``channels.secret_encrypted`` with the box's current key, in batches of short
    transactions (a row changed meanwhile is left for the next run). (re-sealed, unreadable)."""
    done = failed = 0
    after = UUID(int=0)
    while True:
        rows = await conn.fetch(
            "SELECT id, secret_encrypted FROM channels "
            "WHERE secret_encrypted IS NOT NULL AND id > $1 ORDER BY id LIMIT $2",
            after,
            batch,
        )
        if not rows:
            return done, failed
        after = rows[-1]["id"]
        ids: list[UUID] = []
        new: list[bytes] = []
        old: list[bytes] = []
        for r in rows:
            try:
                new.append(box.reseal(bytes(r["secret_encrypted"])))
            except ValueError:
                failed += 1
                continue
            ids.append(r["id"])
            old.append(bytes(r["secret_encrypted"]))
        if ids:
            status = await conn.execute(
                "UPDATE channels c SET secret_encrypted = n.secret "
                "FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS n(id, secret, old) "
                "WHERE c.id = n.id AND c.secret_encrypted = n.old",
                ids,
                new,
                old,
            )
            done += int(status.rsplit(" ", 1)[-1])


SLACK_PREFIX = "https://hooks.slack.com/services/"


def mask(value: str, keep: int = 4) -> str:
    """A secret for display: the Slack prefix (if any) and the last few characters."""
    head = SLACK_PREFIX if value.startswith(SLACK_PREFIX) else ""
    if len(value) - len(head) <= keep * 2:
        return f"{head}…"
    return f"{head}…{value[-keep:]}"


def shown_target(kind: str, target: str | None) -> str | None:
    """A channel's target as shown to its owner: a LINE user id masked; an address as is; a
    Slack webhook is stored masked already."""
    return mask(target) if kind == "line" and target else target


def _signer_key(key_material: str, purpose: str) -> bytes:
    return hashlib.sha256(f"gigalert-signer:{purpose}:{key_material}".encode()).digest()


def _now() -> datetime:
    return datetime.now(UTC)


class Signer:
    """Short HMAC tokens for links in mail (unsubscribe): `<value>.<signature>`.

    Signs with the current key; verifies with it, and with ``old`` keys while
    ``old_until`` (if given) is in the future."""

    def __init__(
        self,
        key_material: str,
        purpose: str,
        *,
        old: Sequence[str] = (),
        old_until: datetime | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._key = _signer_key(key_material, purpose)
        self._old = [_signer_key(k, purpose) for k in old]
        self._old_until = old_until
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, purpose: str) -> Signer:
        return cls(
            settings.channel_secret_key.get_secret_value(),
            purpose,
            old=old_keys(settings),
            old_until=settings.channel_secret_key_old_links_until,
        )

    @staticmethod
    def _mac(key: bytes, value: str) -> str:
        mac = hmac.new(key, value.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def sign(self, value: str) -> str:
        return f"{value}.{self._mac(self._key, value)}"

    def _keys(self) -> list[bytes]:
        until = self._old_until
        if until is not None and until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        if self._old and (until is None or self._clock() < until):
            return [self._key, *self._old]
        return [self._key]

    def verify(self, token: str) -> str | None:
        """The signed value, or None for any token this signer did not make."""
        value, _, _ = token.rpartition(".")
        if not value:
            return None
        try:
            given = token.encode()
            for key in self._keys():
                expected = f"{value}.{self._mac(key, value)}".encode()
                # Bytes: compare_digest refuses str with non-ASCII characters (TypeError).
                if hmac.compare_digest(expected, given):
                    return value
        except UnicodeEncodeError:  # a lone surrogate: never one of ours
            return None
        return None
