"""Days worked per week: ``週2〜3日``, ``3 days a week``, ``フルタイム``.

Rules:

* A range gives min and max; one figure gives min = max.
* An open upper end (``週4日以上``, ``週1日〜``, ``4+ days``) gives max = 5, the working week
  (or the min itself if that is more, e.g. ``週6日以上`` → 6–6).
* ``フルタイム`` / ``full-time`` / ``常勤`` give 5–5.
* ``週N出社`` and the like are office days, not working days, and are not read here; nor are
  ``週20時間`` (hours) or ``週1回`` (times).
* Anything else (``稼働日数応相談``, ``月10日``) gives min = max = None; the text is kept.
* A figure must satisfy 0.5 <= d <= 7 and min <= max, else the text counts as unreadable
  (less than half a day a week is not a working pattern; 週0.0000001日 is noise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gigalert_shared.taxonomy import normalise_text

from .text import NUMBER, prepare

__all__ = [
    "FULL_WEEK",
    "MAX_DAYS",
    "MIN_DAYS",
    "DaysPerWeek",
    "days_from_numbers",
    "parse_days",
    "parse_days_cached",
]

FULL_WEEK = 5.0
MIN_DAYS = 0.5
MAX_DAYS = 7.0

# 週2~3日 / 週2日~3日 / 週3日 / 週3 / 週1日~ / 週4日以上 (not 週1出社: office days)
_JA = re.compile(
    rf"週\s*(?P<lo>{NUMBER})\s*日?\s*(?:~\s*(?P<hi>{NUMBER})\s*日?)?"
    r"(?P<open>\s*(?:~|以上|から))?"
    r"(?!\s*日?\s*(?:出社|出勤|リモート|在宅|オンサイト|常駐|時|h|回|\d|~\s*[\d.]+\s*(?:時|h)))"
)
# 2-3 days/week, 3 days a week, 3 days per week, 4+ days/wk
_EN = re.compile(
    rf"(?P<lo>{NUMBER})\s*(?:~\s*(?P<hi>{NUMBER}))?\s*(?P<open>\+|or more)?\s*days?\s*"
    r"(?:(?:/|a|per|each|every)\s*(?:week|wk)\b|weekly)"
)
_FULL_TIME = re.compile(r"フルタイム|(?<!非)常勤|full[\s-]?time")


@dataclass(frozen=True, slots=True)
class DaysPerWeek:
    min: float | None
    max: float | None
    text: str | None = None

    @property
    def known(self) -> bool:
        return self.min is not None or self.max is not None

    @property
    def midpoint(self) -> float | None:
        """The middle of the range (or the one figure there is): used to scale 月額 rates."""
        if self.min is not None and self.max is not None:
            return (self.min + self.max) / 2
        return self.min if self.min is not None else self.max


def _valid(d: float | None) -> bool:
    return d is None or MIN_DAYS <= d <= MAX_DAYS


def days_from_numbers(
    min: float | None, max: float | None, *, text: str | None = None
) -> DaysPerWeek:
    """Days from structured numbers; raises ``ValueError`` unless 0.5 <= d <= 7 and
    min <= max."""
    for name, d in (("min", min), ("max", max)):
        if not _valid(d):
            raise ValueError(f"days per week {name} must be from 0.5 to 7, got {d}")
    if min is not None and max is not None and min > max:
        raise ValueError(f"days per week min {min} is more than max {max}")
    return DaysPerWeek(
        min=None if min is None else float(min), max=None if max is None else float(max), text=text
    )


def parse_days(text: str | None) -> DaysPerWeek:
    """Read days per week from a listing's words; unknown gives None–None with the text kept."""
    if text is None or not text.strip():
        return DaysPerWeek(None, None, text)
    s = normalise_text(prepare(text))
    # Each pattern needs its literal (週, day): without it the scan is skipped.
    m = _JA.search(s) if "週" in s else None
    if m is None and "day" in s:
        m = _EN.search(s)
    if m is None:
        if _FULL_TIME.search(s):
            return DaysPerWeek(FULL_WEEK, FULL_WEEK, text)
        return DaysPerWeek(None, None, text)
    lo = float(m["lo"])
    hi = float(m["hi"]) if m["hi"] else None
    if hi is None:
        hi = (lo if lo > FULL_WEEK else FULL_WEEK) if m["open"] else lo
    if not (_valid(lo) and _valid(hi)) or lo > hi:
        return DaysPerWeek(None, None, text)
    return DaysPerWeek(lo, hi, text)


# A listing's days text comes from a small vocabulary (週5日, 週2〜3日…) and the result is
# immutable, so the days field of a gig is read through this cache.
parse_days_cached = lru_cache(maxsize=4096)(parse_days)
