"""Matching gigs against subscriptions: the criteria (:mod:`.criteria`), the rules that
define a match (:mod:`.rules`), the reasons shown to a freelancer (:mod:`.reasons`), the
in-memory fast path (:mod:`.index`) and the SQL reference (:mod:`.reference_sql`).

The semantics are written once, in :mod:`.rules` (and ``docs/matching.md``); the index and
the SQL reference are tested to return exactly what the rules say.
"""

from gigalert_matcher.matching.criteria import ALL_REMOTE_MODES, Criteria, GigFacts, gig_search_text
from gigalert_matcher.matching.index import SubscriptionIndex
from gigalert_matcher.matching.reasons import explain
from gigalert_matcher.matching.rules import matches

__all__ = [
    "ALL_REMOTE_MODES",
    "Criteria",
    "GigFacts",
    "SubscriptionIndex",
    "explain",
    "gig_search_text",
    "matches",
]
