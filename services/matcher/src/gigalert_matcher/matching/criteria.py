"""The two sides of a match, as plain immutable values: what a subscription asks for
(:class:`Criteria`) and what a gig offers (:class:`GigFacts`).

Both are already normalised: text fields went through
:func:`gigalert_shared.taxonomy.normalise_text` (NFKC + casefold), so matching is plain
substring and set arithmetic. The rules that compare them live in :mod:`.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

from gigalert_shared.events import GigBody
from gigalert_shared.taxonomy import normalise_text

__all__ = ["ALL_REMOTE_MODES", "Criteria", "GigFacts", "gig_search_text"]

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
