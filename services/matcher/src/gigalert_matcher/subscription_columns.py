"""The ``subscriptions`` columns a :class:`~gigalert_shared.matching.Criteria` is read from
(:func:`gigalert_shared.matching.criteria_from_row`): the one list the matcher's queries
select and the SQL reference's COPY writes."""

from __future__ import annotations

from typing import Final

CRITERIA: Final = (
    "id",
    "freelancer_id",
    "remote_modes",
    "min_rate_jpy_h",
    "include_unknown_rate",
    "domains",
    "keywords_any",
    "keywords_none",
    "max_days_per_week",
    "locations",
)
