"""How the index encodes criteria in its columns, and the small array helpers it shares."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]

# Meta column (uint8): bits 0-2 are the accepted remote modes, then two markers.
MODE_BITS: Final = {"remote": 1, "hybrid": 2, "onsite": 4}
ALL_MODES: Final = 7
HAS_LOCATIONS: Final = 8  # the subscription has locations: check them for non-remote gigs
MULTI: Final = 16  # the subscription sits in more than one posting list: deduplicate

# Day limit column (uint8): the limit in half days (週2.5日 → 5); NO_LIMIT when there is none.
# A limit that is not a whole number of half days is left to the exact rules.
NO_LIMIT: Final = 255

# Sort key of an entry: block id (posting list and rate group) above, rate floor + 1 below
# (0 = no floor). Floors outside [0, FLOOR_LIMIT) are left to the exact rules.
FLOOR_BITS: Final = 36
FLOOR_LIMIT: Final = (1 << (FLOOR_BITS - 1)) - 1
FLOOR_QUERY_MAX: Final = (1 << FLOOR_BITS) - 1
# Domain mask: bit 63 is "any domain" and is set in every gig's mask; bits 0-62 are domains.
ANY_DOMAIN_BIT: Final = -(1 << 63)
MAX_DOMAIN_BITS: Final = 63

EMPTY: Final[NDArray[np.int32]] = np.zeros(0, dtype=np.int32)


def half_days(limit: float) -> int | None:
    """A day limit as whole half days, or None when the column cannot hold it exactly."""
    if not math.isfinite(limit):
        return None
    twice = limit * 2
    if twice != int(twice) or not 0 <= twice < NO_LIMIT:
        return None
    return int(twice)


def day_threshold(days: float) -> int:
    """The least half-day code that passes a gig asking for ``days`` (``limit >= days``)."""
    if math.isnan(days) or days * 2 > NO_LIMIT - 1:
        return NO_LIMIT  # only "no limit" passes
    if days <= 0:
        return 0  # every limit passes
    return math.ceil(days * 2)


def csr(groups: list[int], values: list[int], n_groups: int) -> tuple[list[int], I64]:
    """Values grouped by group id: ``values[ptr[g]:ptr[g + 1]]`` belong to group ``g``."""
    g = np.asarray(groups, dtype=np.int64)
    v = np.asarray(values, dtype=np.int64)
    order = np.argsort(g, kind="stable")
    ptr = np.searchsorted(g[order], np.arange(n_groups + 1, dtype=np.int64), side="left")
    return [int(x) for x in ptr], v[order]


def gather(ptr: list[int], values: I64, groups: Iterable[int]) -> I64 | None:
    parts = [values[ptr[h] : ptr[h + 1]] for h in groups if ptr[h + 1] > ptr[h]]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
