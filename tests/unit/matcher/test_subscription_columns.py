"""One list of the subscriptions columns a Criteria lives in: what criteria_from_row reads,
what both of the matcher's subscription queries select, and what the reference's COPY
writes (in criteria_row's order)."""

from __future__ import annotations

import uuid
from typing import Any

from gigalert_matcher.matching.reference_sql import CRITERIA_COLUMNS, criteria_row
from gigalert_matcher.repository import criteria_query
from gigalert_matcher.subscription_columns import CRITERIA
from gigalert_shared.matching import Criteria, criteria_from_row


class ReadRecorder(dict[str, Any]):
    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__(row)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


CRITERIA_EXAMPLE = Criteria(
    subscription_id=uuid.uuid4(),
    freelancer_id=uuid.uuid4(),
    remote_modes=frozenset({"remote", "hybrid"}),
    min_rate_jpy_h=4500,
    include_unknown_rate=False,
    domains=frozenset({"pmo"}),
    keywords_any=("jira",),
    keywords_none=("常駐",),
    max_days_per_week=3.0,
    locations=("東京",),
)


def test_the_list_is_what_criteria_from_row_reads_and_the_copy_writes() -> None:
    row = ReadRecorder(
        dict(zip(CRITERIA_COLUMNS, criteria_row(CRITERIA_EXAMPLE, "PMO"), strict=True))
    )
    assert criteria_from_row(row) == CRITERIA_EXAMPLE
    assert row.read == set(CRITERIA)
    assert set(CRITERIA_COLUMNS) == {*CRITERIA, "name"}


def test_both_subscription_queries_select_the_list() -> None:
    columns = ", ".join(f"s.{c}" for c in CRITERIA)
    for name in ("active_subscriptions", "subscription_changes_after"):
        sql = criteria_query(name)
        assert "{criteria}" not in sql
        assert columns in sql
