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
