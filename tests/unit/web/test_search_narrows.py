"""Whether a search has a criterion: the form's preview runs (and is counted) only then."""

from __future__ import annotations

import pytest

from gigalert_web.schemas import SubscriptionIn
from gigalert_web.subscriptions import narrows


@pytest.mark.parametrize(
    "changes",
    [
        {"remote_modes": ["remote"]},
        {"min_rate_jpy_h": 0},
        {"domains": ["pmo"]},
        {"keywords_any": ["jira"]},
        {"keywords_none": ["常駐"]},
        {"max_days_per_week": 3},
        {"locations": ["東京"]},
    ],
)
def test_any_criterion_narrows(changes: dict[str, object]) -> None:
    assert narrows(SubscriptionIn.model_validate(changes))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"name": "PMO", "remote_modes": ["onsite", "remote", "hybrid"]},
        {"include_unknown_rate": False},  # only with a least rate
        {"frequency": "weekly", "quiet_start": "22:00", "quiet_end": "07:00"},
    ],
)
def test_the_name_and_schedule_do_not(changes: dict[str, object]) -> None:
    assert not narrows(SubscriptionIn.model_validate(changes))
