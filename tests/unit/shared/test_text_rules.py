"""Text Postgres and UTF-8 can take: U+0000 and lone surrogates are refused, naming the field."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, StringConstraints, ValidationError

from gigalert_shared.text_rules import STORABLE, check_storable_text, encodable


class _M(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5), STORABLE]


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "x\ud800", "\udfff", "\udbff\udc00"])
def test_unstorable_text_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        check_storable_text(value)
    with pytest.raises(ValidationError) as caught:
        _M(name=value)
    assert [e["loc"] for e in caught.value.errors()] == [("name",)]


@pytest.mark.parametrize("value", ["", "時給", "😀", "\u202e\u200b\ufeff", "\x7f\t\r\n", "%00"])
def test_storable_text_passes_unchanged(value: str) -> None:
    assert check_storable_text(value) == value


def test_constraints_keep_their_own_messages() -> None:
    with pytest.raises(ValidationError) as caught:
        _M(name="abcdefg")
    assert "at most 5 characters" in caught.value.errors()[0]["msg"]
    assert _M(name=" ab ").name == "ab"


def test_encodable_writes_lone_surrogates_out() -> None:
    assert encodable("a\ud800b") == "a\\ud800b"
    assert encodable("😀ｱ") == "😀ｱ"
    encodable("\udfff").encode("utf-8")
