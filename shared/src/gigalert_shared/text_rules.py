"""Text we can store: Postgres ``text`` and ``jsonb`` refuse U+0000, and a lone surrogate
(``"\\ud800"`` is valid JSON) cannot be encoded as UTF-8. Both are refused at validation, so
the client gets a 422 naming the field instead of a 500 from the database."""

from __future__ import annotations

import re
from typing import Final

from pydantic import AfterValidator

__all__ = ["STORABLE", "check_storable_text", "encodable"]

_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def encodable(value: str) -> str:
    """``value`` with what UTF-8 cannot carry (lone surrogates) written out as ``\\udxxx``:
    for text we echo to a client, such as an error's location or message."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def check_storable_text(value: str) -> str:
    """``value`` unchanged; ``ValueError`` if it holds U+0000 or a lone surrogate."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (U+0000)")
    if _SURROGATE.search(value):
        raise ValueError("must not contain a lone surrogate (U+D800 to U+DFFF)")
    return value


STORABLE: Final = AfterValidator(check_storable_text)
"""Metadata for ``Annotated``, after any ``StringConstraints`` (so their messages stay
about characters): ``Annotated[str, StringConstraints(max_length=200), STORABLE]``."""
