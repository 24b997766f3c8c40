"""The matcher's fast path: the in-memory index (:mod:`.index`) and the SQL reference it is
tested against (:mod:`.reference_sql`). The rules themselves live in
:mod:`gigalert_shared.matching`, shared with the web preview."""

from gigalert_matcher.matching.index import SubscriptionIndex
from gigalert_shared.matching import (
    ALL_REMOTE_MODES,
    Criteria,
    GigFacts,
    explain,
    gig_search_text,
    matches,
)

__all__ = [
    "ALL_REMOTE_MODES",
    "Criteria",
    "GigFacts",
    "SubscriptionIndex",
    "explain",
    "gig_search_text",
    "matches",
]
