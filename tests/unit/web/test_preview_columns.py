"""The preview's column-wise matching returns exactly what the rules say, gig by gig."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gigalert_shared.events import GigBody
from gigalert_shared.matching import Criteria, GigFacts, matches
from gigalert_web.preview import GigColumns, RecentGig, run_preview
from tests.unit.matcher.test_index_property import criteria, gigs

NOW = datetime.now(UTC)
BODY = GigBody.model_validate(
    {
        "gig_id": str(uuid.UUID(int=99)),
        "platform_id": str(uuid.UUID(int=1)),
        "platform_name": "p",
        "external_id": "x",
        "title": "t",
        "received_at": NOW.isoformat(),
        "content_hash": "h",
    }
)


def recent(facts: GigFacts, age_days: float) -> RecentGig:
    return RecentGig(NOW - timedelta(days=age_days), BODY, facts)


@settings(max_examples=300, deadline=None)
@given(
    c=criteria,
    batch=st.lists(st.tuples(gigs, st.sampled_from([0.1, 5.0, 29.0, 31.0, 45.0])), max_size=25),
)
def test_preview_counts_what_the_rules_match(
    c: Criteria, batch: list[tuple[GigFacts, float]]
) -> None:
    items = sorted((recent(f, age) for f, age in batch), key=lambda g: g.received_at)
    preview = run_preview(c, GigColumns.of(items), days=30, shown=5)
    expected = [
        g
        for g in reversed(items)
        if g.received_at >= NOW - timedelta(days=30) and matches(c, g.facts)
    ]
    assert preview.count == len(expected)
    assert len(preview.gigs) == min(5, len(expected))
