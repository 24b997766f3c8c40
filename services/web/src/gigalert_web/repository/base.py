"""What the repository modules share: the named SQL blocks, what runs them, rows as
dataclasses."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, TypeVar

import asyncpg

from gigalert_shared.db import Queries

q = Queries("gigalert_web")

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


_NAMES: dict[type, tuple[str, ...]] = {}


def row_as(cls: type[T], record: asyncpg.Record) -> T:
    """``record`` as the dataclass ``cls``: its fields by name, other columns left out."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return cls(**{name: record[name] for name in names})
