"""The matching rules, written once: what a subscription asks for and what a gig offers
(:mod:`.criteria`), the rules that define a match (:mod:`.rules`) and the reasons shown to a
freelancer (:mod:`.reasons`). Pure: the matcher's index and the web preview both use them
(prose: ``docs/matching.md``)."""

from gigalert_shared.matching.criteria import (
    ALL_REMOTE_MODES,
    Criteria,
    GigFacts,
    criteria_from_row,
    gig_search_text,
)
from gigalert_shared.matching.reasons import explain
from gigalert_shared.matching.rules import matches

__all__ = [
    "ALL_REMOTE_MODES",
    "Criteria",
    "GigFacts",
    "criteria_from_row",
    "explain",
    "gig_search_text",
    "matches",
]
