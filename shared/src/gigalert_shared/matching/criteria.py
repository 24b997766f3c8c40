"""The two sides of a match, as plain immutable values: what a subscription asks for
(:class:`Criteria`) and what a gig offers (:class:`GigFacts`).

Both are already normalised: text fields went through
:func:`gigalert_shared.taxonomy.normalise_text` (NFKC + casefold), so matching is plain
substring and set arithmetic. The rules that compare them live in :mod:`.rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Protocol
from uuid import UUID

from gigalert_shared.events import GigBody
from gigalert_shared.taxonomy import normalise_text

__all__ = ["ALL_REMOTE_MODES", "Criteria", "GigFacts", "criteria_from_row", "gig_search_text"]

ALL_REMOTE_MODES: Final[frozenset[str]] = frozenset({"remote", "hybrid", "onsite"})


@dataclass(frozen=True, slots=True)
class Criteria:
    """One active subscription's criteria, as stored (keywords and locations normalised)."""

    subscription_id: UUID
    freelancer_id: UUID
    remote_modes: frozenset[str]  # subset of {"remote", "hybrid", "onsite"}
    min_rate_jpy_h: int | None
    include_unknown_rate: bool
    domains: frozenset[str]  # canonical taxonomy keys; empty = any
    keywords_any: tuple[str, ...]  # normalise_text()-ed, non-empty strings
    keywords_none: tuple[str, ...]
    max_days_per_week: float | None
    locations: tuple[str, ...]  # normalise_text()-ed


def gig_search_text(title: str, description: str, skills: list[str] | tuple[str, ...]) -> str:
    """What keywords are matched against: title, description and skills, width- and
    case-folded. The same text ingest stores in ``gigs.search_text`` (joined by ``" \\n"``),
    so a query over stored gigs and the matcher see identical text."""
    return normalise_text(" \n".join([title, description, *skills]))


@dataclass(frozen=True, slots=True)
class GigFacts:
    """What matching needs to know about one gig."""

    gig_id: UUID
    remote_mode: str | None
    rate_min_jpy_h: int | None
    rate_max_jpy_h: int | None
    domains: frozenset[str]
    search_text: str  # see gig_search_text()
    days_min: float | None
    days_max: float | None
    location: str | None  # normalise_text()-ed

    @classmethod
    def from_gig(cls, gig: GigBody) -> GigFacts:
        return cls(
            gig_id=gig.gig_id,
            remote_mode=None if gig.remote_mode is None else gig.remote_mode.value,
            rate_min_jpy_h=gig.rate_min_jpy_h,
            rate_max_jpy_h=gig.rate_max_jpy_h,
            domains=frozenset(gig.domains),
            search_text=gig_search_text(gig.title, gig.description, gig.skills),
            days_min=gig.days_per_week_min,
            days_max=gig.days_per_week_max,
            location=None if gig.location is None else normalise_text(gig.location),
        )


# A million subscriptions share a handful of distinct mode and domain sets: keep one each.
_SETS: dict[tuple[str, ...], frozenset[str]] = {}
_SETS_MAX: Final = 65_536


def _frozen(values: Iterable[str] | None) -> frozenset[str]:
    key = tuple(sorted(values or ()))
    found = _SETS.get(key)
    if found is None:
        if len(_SETS) >= _SETS_MAX:
            _SETS.clear()
        found = _SETS[key] = frozenset(key)
    return found


class Row(Protocol):
    """An ``asyncpg.Record`` or a dict: columns by name."""

    def __getitem__(self, key: str, /) -> Any: ...


def criteria_from_row(row: Row) -> Criteria:
    """A ``subscriptions`` row (any query selecting its columns) as :class:`Criteria`."""
    max_days = row["max_days_per_week"]
    return Criteria(
        subscription_id=row["id"],
        freelancer_id=row["freelancer_id"],
        remote_modes=_frozen(row["remote_modes"]),
        min_rate_jpy_h=row["min_rate_jpy_h"],
        include_unknown_rate=bool(row["include_unknown_rate"]),
        domains=_frozen(row["domains"]),
        keywords_any=tuple(row["keywords_any"] or ()),
        keywords_none=tuple(row["keywords_none"] or ()),
        max_days_per_week=None if max_days is None else float(max_days),
        locations=tuple(row["locations"] or ()),
    )
