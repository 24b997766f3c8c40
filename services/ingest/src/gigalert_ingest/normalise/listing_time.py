"""What a listing's title and description say of its working time: hours and days a week.

Pure functions over text. :func:`gigalert_ingest.build.build_gig` asks them only for what
the structured fields leave open: where both speak, the field wins.

Rules:

* **Hours** the pay may be divided by: a month's (``月間最大10時間``, ``最大5時間程度/月``,
  ``1か月当たり125時間``, ``20 hours per month``), a week's (``週35時間``, ``max 12 hrs a week``,
  ``10 hrs/week up to 20 hrs/week``; a working-time basis, ``週の労働時間は22.5時間``, for pay
  only, not days) and a day's (``1日7時間``, ``6 hours/day``); overtime (``残業は月平均20時間``)
  is not.
* **Days per week**: ``週2日程度`` (as :func:`.days.parse_days`), ``週に1回`` (once a week is a
  day), ``月4日`` and ``月2回勤務`` (÷ 4 weeks), ``1週間から2週間に1日`` (0.5–1), a week's hours
  ÷ the day's hours (8 unless stated: ``週35時間``, ``1日7時間`` → 5), ``40% time commitment``
  (of 5 days). ``up to``/``max`` give only the most, ``minimum of``/``at least`` only the least.
  Less than half a day a week is no working pattern (``月1回`` → unknown); dates
  (``9月27日``) are not days. ``完全週休2日制`` is 5 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gigalert_shared.events import RateUnit
from gigalert_shared.taxonomy import normalise_text

from .days import MAX_DAYS, MIN_DAYS, DaysPerWeek, parse_days
from .rates import RateHints
from .text import HOURS_WORD, NUMBER, prepare

__all__ = ["Hours", "read_days_text", "read_hours"]


@dataclass(frozen=True, slots=True)
class Hours:
    """Hours a listing states: a month's, a week's (either end may be open), a day's, and a
    week's working-time basis (``週の労働時間は22.5時間を基本``: for pay, not for days)."""

    month: tuple[float, float] | None = None
    week_min: float | None = None
    week_max: float | None = None
    day: float | None = None
    week_basis: float | None = None

    def hints(self, unit: RateUnit | None = None) -> RateHints:
        week = [h for h in (self.week_min, self.week_max) if h is not None]
        per_week = sum(week) / len(week) if week else self.week_basis
        return RateHints(hours_per_month=self.month, hours_per_week=per_week, unit=unit)


_MONTH_HOURS = re.compile(
    rf"(?:月間?|毎月|1\s*[かヶヵカケ箇]\s*月\s*(?:当たり|あたり)?)\s*(?:の)?\s*(?:稼働|作業|業務)?"
    rf"\s*(?:時間)?\s*[:：は]?\s*(?:最大|最低|約|平均|上限)?\s*(?P<lo>{NUMBER})\s*(?:~\s*(?P<hi>{NUMBER}))?\s*{HOURS_WORD}"
    rf"|(?P<lo2>{NUMBER})\s*(?:~\s*(?P<hi2>{NUMBER}))?\s*{HOURS_WORD}\s*(?:程度|ほど|前後|くらい)?\s*"
    r"(?:/\s*月|(?:per|a|each|every)\s+month|monthly)",
    re.IGNORECASE,
)
_WEEK_HOURS = re.compile(
    rf"(?P<pre>up\s+to|max(?:imum)?(?:\s+of)?|at\s+most|no\s+more\s+than|minimum\s+of|min(?:imum)?"
    rf"|at\s+least|最大|最低|上限)?\s*(?:週\s*(?:に)?\s*)"
    rf"(?P<lo>{NUMBER})\s*(?:~\s*(?P<hi>{NUMBER})\s*)?{HOURS_WORD}"
    rf"|(?P<pre2>up\s+to|max(?:imum)?(?:\s+of)?|at\s+most|no\s+more\s+than|minimum\s+of"
    rf"|min(?:imum)?|at\s+least)?\s*(?:a\s+)?(?P<lo2>{NUMBER})\s*(?:~\s*(?P<hi2>{NUMBER})\s*)?{HOURS_WORD}\s*"
    rf"(?:(?:/|per|a|each|every)\s*(?:week|wk)\b|weekly)"
    rf"(?:\s*(?:up\s+to|to)\s*(?P<hi3>{NUMBER})\s*{HOURS_WORD}\s*(?:(?:/|per|a)\s*(?:week|wk)\b))?",
    re.IGNORECASE,
)
_DAY_HOURS = re.compile(
    rf"1\s*日\s*(?:の)?\s*(?:稼働|勤務|活動)?\s*(?:時間)?\s*[:：は]?\s*(?P<h>{NUMBER})\s*{HOURS_WORD}"
    rf"|(?P<h2>{NUMBER})\s*{HOURS_WORD}\s*(?:/|per|a|each)\s*day\b",
    re.IGNORECASE,
)
_WEEK_BASIS = re.compile(
    rf"週\s*の\s*(?:労働|勤務|稼働|活動)\s*時間\s*(?:は|:)?\s*(?:約)?\s*(?P<h>{NUMBER})\s*{HOURS_WORD}"
)
# 残業は月平均20時間, みなし残業代（月20時間分）: overtime, not the hours the pay is for.
_OVERTIME = re.compile(r"残業|みなし|時間分|overtime", re.IGNORECASE)
_MAX_WORDS = re.compile(r"up\s+to|max|at\s+most|no\s+more|最大|上限", re.IGNORECASE)
_MIN_WORDS = re.compile(r"min|at\s+least|最低", re.IGNORECASE)


def read_hours(text: str) -> Hours:
    """The hours ``text`` states (see the module's rules); nothing stated gives ``Hours()``."""
    if "時間" not in text and "h" not in text and "H" not in text:
        return Hours()
    s = prepare(text)
    month = None
    m = next(
        (
            m
            for m in _MONTH_HOURS.finditer(s)
            if not _OVERTIME.search(s, max(0, m.start() - 8), m.end() + 2)
        ),
        None,
    )
    if m is not None:
        lo = float(m["lo"] or m["lo2"])
        hi = float(m["hi"] or m["hi2"] or lo)
        if 0 < lo <= hi <= 744:
            month = (lo, hi)
    week_min = week_max = None
    if w := _WEEK_HOURS.search(s):
        lo = float(w["lo"] or w["lo2"])
        hi_text = w["hi"] or w["hi2"] or w["hi3"]
        hi = float(hi_text) if hi_text else lo
        pre = w["pre"] or w["pre2"] or ""
        if 0 < lo <= hi <= 168:
            week_min, week_max = lo, hi
            if hi_text is None and _MAX_WORDS.match(pre):
                week_min = None
            elif hi_text is None and _MIN_WORDS.match(pre):
                week_max = None
    day = None
    if d := _DAY_HOURS.search(s):
        h = float(d["h"] or d["h2"])
        day = h if 0 < h <= 24 else None
    basis = None
    if week_min is None and week_max is None and (b := _WEEK_BASIS.search(s)):
        h = float(b["h"])
        basis = h if 0 < h <= 168 else None
    return Hours(month, week_min, week_max, day, basis)


# ------------------------------------------------------------------------------- days

_WEEKLY_TIMES = re.compile(
    rf"週\s*(?:に)?\s*(?P<n>{NUMBER})\s*(?:回|度)(?!\s*(?:程度\s*)?(?:の)?\s*(?:出社|出勤|登庁))"
    # 週に1度、オンラインで定例会議に出席: a meeting, not a working day
    r"(?![^。]{0,12}?(?:会議|ミーティング|mtg)\s*(?:に|へ)?\s*(?:出席|参加))"
)
_MONTHLY_DAYS = re.compile(
    rf"(?<![\d年])月\s*(?:に)?\s*(?P<n>{NUMBER})\s*(?:日|回)(?!\s*[(（]|\s*[~～]\s*\d)\s*"
    r"(?P<max>以内|まで|以下)?\s*(?:程度|ほど|前後)?\s*(?:の)?\s*"
    r"(?!出社|出勤|登庁|開催|の会議|会議|ミーティング|MTG|面談)"
)
_WEEKLY_REST = re.compile(rf"週休\s*(?P<n>{NUMBER})\s*日")
_EVERY_WEEKS = re.compile(
    rf"(?P<a>{NUMBER})\s*週間\s*(?:~\s*(?P<b>{NUMBER})\s*週間)?\s*に\s*(?P<n>{NUMBER})\s*日"
)
_PERCENT_TIME = re.compile(
    rf"(?P<p>{NUMBER})\s*%\s*(?:time|FTE|of\s+full[\s-]?time|time\s+commitment|commitment)"
    rf"|(?P<fte>0?\.\d+)\s*FTE",
    re.IGNORECASE,
)


def _days(lo: float | None, hi: float | None, text: str) -> DaysPerWeek | None:
    lo = None if lo is None else round(lo, 3)
    hi = None if hi is None else round(hi, 3)
    for d in (lo, hi):
        if d is not None and not MIN_DAYS <= d <= MAX_DAYS:
            return None
    if lo is not None and hi is not None and lo > hi:
        return None
    return DaysPerWeek(lo, hi, text)


def read_days_text(text: str | None, hours: Hours | None = None) -> DaysPerWeek:
    """Days per week from free text (see the module's rules); ``hours`` are the listing's."""
    if not text:
        return DaysPerWeek(None, None, text)
    days = parse_days(text)
    if days.known:
        return days
    s = normalise_text(prepare(text))
    if "週" in s:
        if m := _WEEKLY_TIMES.search(s):
            n = float(m["n"])
            if found := _days(n, n, text):
                return found
        if m := _EVERY_WEEKS.search(s):
            a, n = float(m["a"]), float(m["n"])
            b = float(m["b"]) if m["b"] else a
            if found := _days(n / b, n / a, text):
                return found
    if "月" in s and (m := _MONTHLY_DAYS.search(s)):
        n = float(m["n"]) / 4
        if found := _days(None if m["max"] else n, n, text):
            return found
    if "週休" in s and (m := _WEEKLY_REST.search(s)):
        n = 7 - float(m["n"])
        if found := _days(n, n, text):
            return found
    if ("%" in s or "fte" in s) and (m := _PERCENT_TIME.search(s)):
        share = float(m["p"]) / 100 if m["p"] else float(m["fte"])
        if found := _days(share * 5, share * 5, text):
            return found
    if hours is None:
        hours = read_hours(text)
    if hours.week_min is not None or hours.week_max is not None:
        per_day = hours.day or 8.0
        lo = None if hours.week_min is None else hours.week_min / per_day
        hi = None if hours.week_max is None else hours.week_max / per_day
        if found := _days(lo, hi, text):
            return found
    return DaysPerWeek(None, None, text)
