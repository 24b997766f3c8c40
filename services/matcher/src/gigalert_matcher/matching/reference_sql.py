"""The matching rules as one SQL query over ``subscriptions``: the reference, readable and
obviously right, that the in-memory index is tested against (tests and benchmarks only).

``subscriptions.keywords_any``, ``keywords_none`` and ``locations`` are stored normalised
(NFKC + casefold) by the API, and the gig's ``search_text`` and ``location`` parameters are
normalised the same way (:class:`~.criteria.GigFacts`), so comparing them is plain
``strpos`` (never ``LIKE``: a keyword may contain ``%`` or ``_``).

Day figures are passed as ``float8``: the column is ``real`` and compares widened to double
precision, exactly as the Python rules compare the same value read through asyncpg.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

import asyncpg

from gigalert_matcher import subscription_columns
from gigalert_shared.matching.criteria import Criteria, GigFacts

__all__ = [
    "CRITERIA_COLUMNS",
    "REFERENCE_MATCH_SQL",
    "criteria_row",
    "match_params",
    "match_sql",
]

# $1 remote_mode text (NULL = unknown)   $2 rate_min_jpy_h int   $3 rate_max_jpy_h int
# $4 domains text[]   $5 search_text text   $6 days_min float8   $7 days_max float8
# $8 location text (normalised; NULL = unknown)
REFERENCE_MATCH_SQL: Final = """
SELECT s.id, s.freelancer_id
FROM subscriptions AS s
WHERE s.active
  -- remote: the gig's mode is accepted; an unknown mode needs all three accepted
  AND CASE WHEN $1::text IS NULL
           THEN s.remote_modes @> ARRAY['remote', 'hybrid', 'onsite']::text[]
           ELSE $1::text = ANY (s.remote_modes)
      END
  -- rate: no floor passes; else the gig's figure (max, else min) is paid (> 0: unpaid
  -- work is 0) and reaches the floor; a gig without any figure passes iff include_unknown_rate
  AND (s.min_rate_jpy_h IS NULL
       OR CASE WHEN COALESCE($3::int, $2::int) IS NULL
               THEN s.include_unknown_rate
               ELSE COALESCE($3::int, $2::int) > 0
                    AND COALESCE($3::int, $2::int) >= s.min_rate_jpy_h
          END)
  -- domains: empty = any; else at least one in common
  AND (cardinality(s.domains) = 0 OR s.domains && $4::text[])
  -- keywords: one of keywords_any (if any) and none of keywords_none occur in the text
  AND (cardinality(s.keywords_any) = 0
       OR EXISTS (SELECT 1 FROM unnest(s.keywords_any) AS k WHERE strpos($5::text, k) > 0))
  AND NOT EXISTS (SELECT 1 FROM unnest(s.keywords_none) AS k WHERE strpos($5::text, k) > 0)
  -- days: no limit, or unknown days, pass; else the gig's least days (min, else max) fit
  AND (s.max_days_per_week IS NULL
       OR COALESCE($6::float8, $7::float8) IS NULL
       OR COALESCE($6::float8, $7::float8) <= s.max_days_per_week)
  -- locations: empty, or a fully remote gig, pass; else one is part of the gig's location
  AND (cardinality(s.locations) = 0
       OR $1::text IS NOT DISTINCT FROM 'remote'
       OR ($8::text IS NOT NULL
           AND EXISTS (SELECT 1 FROM unnest(s.locations) AS l WHERE strpos($8::text, l) > 0)))
"""


def match_params(g: GigFacts) -> tuple[Any, ...]:
    """The gig's facts as ``REFERENCE_MATCH_SQL``'s parameters ``$1``…``$8``."""
    return (
        g.remote_mode,
        g.rate_min_jpy_h,
        g.rate_max_jpy_h,
        sorted(g.domains),
        g.search_text,
        g.days_min,
        g.days_max,
        g.location,
    )


async def match_sql(conn: asyncpg.Connection, g: GigFacts) -> set[UUID]:
    """Ids of the active subscriptions ``g`` matches, by the SQL reference."""
    rows = await conn.fetch(REFERENCE_MATCH_SQL, *match_params(g))
    return {row["id"] for row in rows}


# The ``subscriptions`` columns a Criteria is stored in, for COPY: the ones it is read from
# (:func:`gigalert_shared.matching.criteria_from_row`) and its name after the two ids.
_READ = subscription_columns.CRITERIA
CRITERIA_COLUMNS: Final = (*_READ[:2], "name", *_READ[2:])


def criteria_row(c: Criteria, name: str) -> tuple[Any, ...]:
    """``c`` as values for :data:`CRITERIA_COLUMNS`."""
    return (
        c.subscription_id,
        c.freelancer_id,
        name,
        sorted(c.remote_modes),
        c.min_rate_jpy_h,
        c.include_unknown_rate,
        sorted(c.domains),
        list(c.keywords_any),
        list(c.keywords_none),
        c.max_days_per_week,
        list(c.locations),
    )
