"""Text fields the APIs check the same way: whitespace stripped, not empty, at most N
characters, and storable (:data:`gigalert_shared.text_rules.STORABLE`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from gigalert_shared.text_rules import STORABLE

__all__ = ["Line50", "Line100", "Line200"]


def _line(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Line200 = Annotated[str, _line(200), STORABLE]
Line100 = Annotated[str, _line(100), STORABLE]
Line50 = Annotated[str, _line(50), STORABLE]
