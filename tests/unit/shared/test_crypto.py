"""Signed unsubscribe tokens: a token verifies only if this signer made it; anything else,
whatever its characters, is refused without an exception."""

from __future__ import annotations

import pytest

from gigalert_shared.crypto import Signer


def test_a_signed_value_verifies_and_a_changed_one_does_not() -> None:
    signer = Signer("key", "unsubscribe")
    token = signer.sign("a,b")
    assert signer.verify(token) == "a,b"
    assert signer.verify("a,c" + token[3:]) is None
    assert signer.verify(token[:-1]) is None
    assert Signer("other key", "unsubscribe").verify(token) is None
    assert Signer("key", "other purpose").verify(token) is None


def test_a_value_with_non_ascii_characters_verifies() -> None:
    signer = Signer("key", "unsubscribe")
    assert signer.verify(signer.sign("購読")) == "購読"


@pytest.mark.parametrize(
    "token",
    ["", ".", "x", ".sig", "é.AAAA", "購読.停止", "\x80.x", "a.\ud800", "\udfff.x", "a.b.c"],
)
def test_foreign_tokens_are_refused(token: str) -> None:
    assert Signer("key", "unsubscribe").verify(token) is None


# ------------------------------------------------------------------------- key rotation


def test_an_old_key_still_opens_and_reseals_with_the_new_one() -> None:
    from gigalert_shared.crypto import SecretBox

    sealed_old = SecretBox("old key").seal("https://hooks.slack.com/services/T/B/x")
    box = SecretBox("new key", ["older key", "old key"])
    assert box.open(sealed_old) == "https://hooks.slack.com/services/T/B/x"
    resealed = box.reseal(sealed_old)
    assert SecretBox("new key").open(resealed) == "https://hooks.slack.com/services/T/B/x"
    with pytest.raises(ValueError):
        SecretBox("old key").open(resealed)  # sealed with the new key only
    with pytest.raises(ValueError):
        SecretBox("unrelated").reseal(sealed_old)
    assert SecretBox("new key").open(box.seal("x")) == "x"  # new seals use the new key


def test_old_key_links_are_accepted_until_the_date() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 1, tzinfo=UTC)
    clock = [now]
    old_token = Signer("old key", "unsubscribe").sign("alert-1")
    signer = Signer(
        "new key",
        "unsubscribe",
        old=["old key"],
        old_until=now + timedelta(days=30),
        clock=lambda: clock[0],
    )
    assert signer.verify(old_token) == "alert-1"
    assert signer.sign("alert-1") == Signer("new key", "unsubscribe").sign("alert-1")
    clock[0] = now + timedelta(days=30)
    assert signer.verify(old_token) is None  # the date passed
    assert signer.verify(signer.sign("alert-1")) == "alert-1"
    # No date: accepted as long as the old key is configured.
    assert Signer("new key", "unsubscribe", old=["old key"]).verify(old_token) == "alert-1"
    assert Signer("new key", "unsubscribe").verify(old_token) is None


def test_rotation_settings() -> None:
    from pydantic import SecretStr

    from gigalert_shared.crypto import SecretBox, old_keys
    from gigalert_shared.settings import Settings

    cfg = Settings(
        channel_secret_key=SecretStr("new"),
        channel_secret_key_old=SecretStr("old-1, old-2,"),
        channel_secret_key_old_links_until="2030-01-01T00:00:00+09:00",  # type: ignore[arg-type]
    )
    assert old_keys(cfg) == ["old-1", "old-2"]
    assert SecretBox.from_settings(cfg).open(SecretBox("old-2").seal("s")) == "s"
    token = Signer("old-1", "unsubscribe").sign("a")
    assert Signer.from_settings(cfg, "unsubscribe").verify(token) == "a"
