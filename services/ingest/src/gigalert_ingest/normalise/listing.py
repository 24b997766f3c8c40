"""What a listing's title and description say beside its structured fields: pay, hours,
days, remote mode, place, and whether the work is unpaid.

Pure functions over text. :func:`gigalert_ingest.build.build_gig` asks them only for what
the structured fields leave open: where both speak, the field wins.

Rules:

* **Pay**: the title, then each sentence of the description (split at ``。``, ``▽``, ``…``,
  ``|``, line ends and English full stops) holding money, read by :func:`.rate_text.read_rate`;
  the first one that gives an amount *and* a unit wins, else the first that gives an amount.
  Trial-work pay (``テストライティング``) is skipped. A total (``…の計100万円``) wins over the
  parts before it. When the title names a work pattern the description prices separately
  (``月2回勤務の職種``), the pay after that pattern is read first.
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
* **Unpaid**: ``無報酬``, ``無償``, ``謝礼なし``, ``ボランティア``, ``プロボノ``, ``unpaid``,
  ``volunteer basis``, ``$0``, unless the listing also says it is paid (``有償``, ``paid
  position``) or states an amount.
* **Remote mode**: :func:`.remote.parse_remote`'s rules, plus what descriptions say: online
  work (``原則オンライン``, ``オンラインで完結``, ``電話で…回答``,
  ``be based anywhere``), no office (``登庁の必要は無い``, ``出勤する必要はなく``);
  relocation or residence (``移住``, ``地域おこし協力隊``, ``島内に居住``,
  ``在住の方``), a base (``活動拠点``, ``名古屋をベースとした``), work inside a
  place (``福井県内で月2回程度勤務``), an overnight programme (``2泊3日``) and a
  place of work (``勤務地 | 白子町内``, ``勤務地 東京都品川区…``,
  ``勤務地 取引先企業``, ``勤務場所``) → on-site, ``in-person and virtual`` →
  hybrid; a remote option only some roles have (``在宅勤務が可能な職種もある``),
  a condition (``リモートワークの場合は``) and online meetings (``オンラインMTG``,
  ``オンライン任命式``) say nothing. Living in the town (``市内に在住``) is no
  work mode.
* **Place**: a location field without its remote words (``Remote, Texas`` → ``Texas``;
  ``Remote`` → none; ``白子町内`` → ``白子町``; time zones are no place); else a Japanese place
  named in the title (``長野県佐久市``, ``神戸市``, ``鳥取県``), else in the description; else a
  country the description confines the work to (``within the U.S.``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gigalert_shared.events import RateUnit, RemoteMode
from gigalert_shared.taxonomy import normalise_text

from .days import MAX_DAYS, MIN_DAYS, DaysPerWeek, parse_days
from .rate_text import read_rate
from .rates import RateHints
from .remote import remote_of_text
from .text import prepare

__all__ = [
    "clean_location",
    "fee_unit",
    "find_pay_text",
    "read_days_text",
    "read_hours",
    "read_location",
    "read_remote_text",
    "regular_visits",
    "says_unpaid",
]

_N = r"\d+(?:\.\d+)?"
_HR = r"(?:hours?|hrs?|時間|h)(?![a-z])"

# ------------------------------------------------------------------------------------ pay

_SENTENCE = re.compile(r"[。\n▽■●◆★|｜]|…|・・・|(?<=[a-z)\d]\.)\s+(?=[A-Z])|(?<=[!?])\s+")
_MONEY_CHARS = frozenset("円万$€£¥")
_CODE = re.compile(r"\b(?:USD|EUR|GBP|CAD|AUD|JPY)\b")
_TRIAL = re.compile(r"テスト|トライアル|試用|trial", re.IGNORECASE)
_TOTAL = re.compile(r"(?:の)?(?:合計|計|総額|totaling|totalling|in total)\s*(?=[\d¥$€£])")
_PATTERN_IN_TITLE = re.compile(rf"[週月]\s*{_N}\s*[日回]\s*勤務")


def _has_money(s: str) -> bool:
    return not _MONEY_CHARS.isdisjoint(s) or _CODE.search(s) is not None


def _total_first(s: str) -> str:
    """``年間で固定給50万円、企画・運用費50万円の計100万円`` → the total, with the words
    before the first figure kept (they carry the unit)."""
    total = _TOTAL.search(s)
    if total is None:
        return s
    first = re.search(r"[\d¥$€£]", s)
    if first is None or first.start() >= total.start():
        return s
    return s[: first.start()] + s[total.end() :]


def find_pay_text(title: str, description: str, fx_codes: frozenset[str]) -> str | None:
    """The part of the title or description that states the pay, or None."""
    texts: list[str] = []
    if _has_money(title):
        texts.append(title)
    if _has_money(description):
        pattern = _PATTERN_IN_TITLE.search(title)
        if pattern is not None:
            at = description.find(pattern.group(0))
            if at >= 0:
                texts.append(description[at:])
        texts.extend(_SENTENCE.split(description))
    fallback: str | None = None
    for text in texts:
        if not _has_money(text) or _TRIAL.search(text):
            continue
        text = _total_first(text)
        read = read_rate(text, fx_codes)
        if read.amount_min is None and read.amount_max is None:
            continue
        if read.unit is not None:
            return text
        if fallback is None:
            fallback = text
    return fallback


_UNIT_HINT = re.compile(
    r"(?P<project>stipend|honorarium|謝金|一括|予算)|(?P<year>salary|per\s+(?:year|annum)|annual|年収|年俸)",
    re.IGNORECASE,
)


_FEE_UNIT = re.compile(
    r"(?P<project>固定報酬|案件総額|fixed[\s-](?:price|fee))|(?P<piece>文字単価|記事単価|per\s+(?:article|word))"
    r"|(?P<hour>時給|hourly)",
    re.IGNORECASE,
)


def fee_unit(text: str) -> RateUnit | None:
    """The kind of pay a pay text names without an amount (``固定報酬制 契約金額は相談`` →
    project, ``基本報酬（時給）: 時給換算で`` → hour), or None."""
    m = _FEE_UNIT.search(text)
    return None if m is None or m.lastgroup is None else RateUnit(m.lastgroup)


def unit_hint(text: str) -> RateUnit | None:
    """The unit a listing's words give pay that has none of its own (``A stipend will be
    provided`` → project)."""
    m = _UNIT_HINT.search(text)
    return None if m is None or m.lastgroup is None else RateUnit(m.lastgroup)


# ----------------------------------------------------------------------------- unpaid

_UNPAID = re.compile(
    r"無報酬|無償|無給|報酬\s*(?:は)?\s*(?:なし|無し|ありません|ございません)"
    r"|謝礼\s*(?:は)?\s*(?:なし|無し|ありません|ございません)|ボランティア|プロボノ"
    r"|\bunpaid\b|\bpro[\s-]?bono\b|\bno\s+(?:pay|compensation|remuneration)\b"
    r"|\bvolunteer(?:ing)?\s+(?:basis|position|role|only|opportunity|work)"
    r"|\b(?:a|as\s+a|to)\s+volunteer\b|\bvolunteer\s+(?:/|or)\s+unpaid|\$\s*0(?![\d.,])",
    re.IGNORECASE,
)
_PAID = re.compile(r"有償|有給|\bpaid\s+(?:position|role|internship|job|work)\b", re.IGNORECASE)


def says_unpaid(*texts: str | None) -> bool:
    """Whether the listing says the work pays nothing (and nowhere that it is paid)."""
    joined = " \n".join(t for t in texts if t)
    return _UNPAID.search(joined) is not None and _PAID.search(joined) is None


# ------------------------------------------------------------------------------ hours


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
    rf"\s*(?:時間)?\s*[:：は]?\s*(?:最大|最低|約|平均|上限)?\s*(?P<lo>{_N})\s*(?:~\s*(?P<hi>{_N}))?\s*{_HR}"
    rf"|(?P<lo2>{_N})\s*(?:~\s*(?P<hi2>{_N}))?\s*{_HR}\s*(?:程度|ほど|前後|くらい)?\s*"
    r"(?:/\s*月|(?:per|a|each|every)\s+month|monthly)",
    re.IGNORECASE,
)
_WEEK_HOURS = re.compile(
    rf"(?P<pre>up\s+to|max(?:imum)?(?:\s+of)?|at\s+most|no\s+more\s+than|minimum\s+of|min(?:imum)?"
    rf"|at\s+least|最大|最低|上限)?\s*(?:週\s*(?:に)?\s*)"
    rf"(?P<lo>{_N})\s*(?:~\s*(?P<hi>{_N})\s*)?{_HR}"
    rf"|(?P<pre2>up\s+to|max(?:imum)?(?:\s+of)?|at\s+most|no\s+more\s+than|minimum\s+of"
    rf"|min(?:imum)?|at\s+least)?\s*(?:a\s+)?(?P<lo2>{_N})\s*(?:~\s*(?P<hi2>{_N})\s*)?{_HR}\s*"
    rf"(?:(?:/|per|a|each|every)\s*(?:week|wk)\b|weekly)"
    rf"(?:\s*(?:up\s+to|to)\s*(?P<hi3>{_N})\s*{_HR}\s*(?:(?:/|per|a)\s*(?:week|wk)\b))?",
    re.IGNORECASE,
)
_DAY_HOURS = re.compile(
    rf"1\s*日\s*(?:の)?\s*(?:稼働|勤務|活動)?\s*(?:時間)?\s*[:：は]?\s*(?P<h>{_N})\s*{_HR}"
    rf"|(?P<h2>{_N})\s*{_HR}\s*(?:/|per|a|each)\s*day\b",
    re.IGNORECASE,
)
_WEEK_BASIS = re.compile(
    rf"週\s*の\s*(?:労働|勤務|稼働|活動)\s*時間\s*(?:は|:)?\s*(?:約)?\s*(?P<h>{_N})\s*{_HR}"
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
    rf"週\s*(?:に)?\s*(?P<n>{_N})\s*(?:回|度)(?!\s*(?:程度\s*)?(?:の)?\s*(?:出社|出勤|登庁))"
    # 週に1度、オンラインで定例会議に出席: a meeting, not a working day
    r"(?![^。]{0,12}?(?:会議|ミーティング|mtg)\s*(?:に|へ)?\s*(?:出席|参加))"
)
_MONTHLY_DAYS = re.compile(
    rf"(?<![\d年])月\s*(?:に)?\s*(?P<n>{_N})\s*(?:日|回)(?!\s*[(（]|\s*[~～]\s*\d)\s*"
    r"(?P<max>以内|まで|以下)?\s*(?:程度|ほど|前後)?\s*(?:の)?\s*"
    r"(?!出社|出勤|登庁|開催|の会議|会議|ミーティング|MTG|面談)"
)
_WEEKLY_REST = re.compile(rf"週休\s*(?P<n>{_N})\s*日")
_EVERY_WEEKS = re.compile(
    rf"(?P<a>{_N})\s*週間\s*(?:~\s*(?P<b>{_N})\s*週間)?\s*に\s*(?P<n>{_N})\s*日"
)
_PERCENT_TIME = re.compile(
    rf"(?P<p>{_N})\s*%\s*(?:time|FTE|of\s+full[\s-]?time|time\s+commitment|commitment)"
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


# ----------------------------------------------------------------------------- remote

_ONLINE = re.compile(
    r"(?:原則|基本的?に?|すべて|全て|完全|主に)\s*(?:として)?\s*[、,]?\s*(?:オンライン|リモート|在宅|テレワーク)"
    r"|オンライン\s*(?:で|に|によって|により|上で)\s*(?:の)?\s*(?:完結|対応|業務|勤務|作業|実施|遂行|定期的)"
    r"|オンラインでの\s*(?:業務|対応|勤務|作業|稼働)|オンライン\s*(?:完結|勤務|業務)"
    r"|電話で[^。]{0,12}?(?:回答|対応|相談)|(?:be\s+based|work\s+from)\s+anywhere"
)
_RELOCATE = re.compile(
    r"移住(?!を?(?:促進|支援|相談|施策|政策|者))|relocat(?:e|ion)\s+(?:to|required)"
    r"|地域おこし協力隊|集落支援員|(?:内に|に)居住|居住する必要|在住の方|勤務場所|活動地域"
    r"|を拠点に(?:活動|勤務)|活動拠点|をベースと(?:した|して)|市役所で働|must\s+(?:live|reside)\s+in"
    r"|\d\s*泊\s*\d\s*日"
    r"|[都道府県市区町村]内で[^。]{0,20}?(?:勤務|活動|実施|滞在|乗務)",
    re.IGNORECASE,
)
_WORKPLACE = re.compile(
    r"勤務地\s*[|｜:：]?\s*(?:[^\s|｜。、]{1,12}?[都道府県市区町村]内"
    r"|北海道|東京都|京都府|大阪府|[一-龥]{2,3}県|取引先|客先)"
)
_SOME_ROLES = re.compile(
    r"(?:リモート|在宅|テレワーク|remote)[^。.]{0,12}(?:職種|場合|ポジション|こと)\s*もある"
    # リモートワークの場合は下記オフィスにて勤務: a condition, not the work's mode
    r"|(?:リモート|在宅|テレワーク)[^。、]{0,4}の場合"
    # オンラインMTG, オンラインで定例会議, オンライン任命式: meetings, not the work
    r"|オンライン\s*(?:で|の|での)?\s*(?:mtg|会議|ミーティング|面談|面接|任命式|説明会|定例)"
)
# Work that can only be done in person, though no office word says so: driving, guiding,
# venues, polling stations, patients, going out to interviews.
_IN_PERSON_WORK = re.compile(
    r"運転|乗務|添乗|(?:観光|道|館内|会場)案内|会場|来場|投票所|開票|設営|取材に(?:行|伺|出向)"
    r"|\bdriv(?:er|ers|ing)\b|\bpatients?\b|\bon\s+location\b"
    r"|\b(?:tour|goodwill|local)\s+guides?\b|\bguide\s+(?:\w+\s+){0,2}(?:visitors|tourists|guests)\b"
)
# Remote work with a regular presence somewhere: Monthly paid 1hr meeting in Mountain View.
_REGULAR_VISIT = re.compile(
    r"\b(?:monthly|weekly|every\s+(?:month|week))\b[^.;]{0,30}?\b(?:meeting|meet[\s-]?up|visit)s?\s+"
    r"(?:in|at)\s+(?!the\s+cloud)(?!zoom|online|video)"
)
_IN_PERSON_AND_VIRTUAL = re.compile(
    r"in[\s-]person\s+(?:and|&|or)\s+(?:virtual|remote|online)"
    r"|(?:virtual|remote|online)\s+(?:and|&|or)\s+in[\s-]person"
)
_REMOTE_HINT_CHARS = frozenset(
    "リ在テオ出勤登通移常客現地拠住内泊派対電ベ運乗添案会来投開設取rRvViIdDpPgG"
)


def read_remote_text(text: str | None) -> RemoteMode | None:
    """The remote mode a title or description states, or None."""
    if not text or _REMOTE_HINT_CHARS.isdisjoint(text):
        return None
    s = normalise_text(text)
    if _IN_PERSON_AND_VIRTUAL.search(s):
        return RemoteMode.HYBRID
    s = _SOME_ROLES.sub(" ", s)
    mode = remote_of_text(s)
    if mode is RemoteMode.REMOTE or mode is RemoteMode.HYBRID:
        return mode
    if _ONLINE.search(s):
        return RemoteMode.HYBRID if mode is RemoteMode.ONSITE else RemoteMode.REMOTE
    if mode is None and (_RELOCATE.search(s) or _WORKPLACE.search(s) or _IN_PERSON_WORK.search(s)):
        return RemoteMode.ONSITE
    return mode


def regular_visits(text: str | None) -> bool:
    """Whether remote work also has a stated regular presence somewhere (``Monthly paid 1hr
    meeting in Mountain View``, ``月1回現地でミーティング``)."""
    if not text or ("月" not in text and "eet" not in text and "isit" not in text):
        return False
    s = normalise_text(text)
    if ("meet" in s or "visit" in s) and _REGULAR_VISIT.search(s):
        return True
    return "月" in s and remote_of_text(s) is RemoteMode.HYBRID


# ------------------------------------------------------------------------------ place

_REMOTE_PLACE = re.compile(
    r"^(?:remote|fully\s+remote|anywhere|worldwide|リモート|フルリモート|在宅|全国|不問|なし)$",
    re.IGNORECASE,
)
_TIMEZONE = re.compile(r"time\s*zones?|timezones?", re.IGNORECASE)
_INSIDE = re.compile(r"^(?P<place>.+?[都道府県市区町村])内(?:を拠点.*|で.*)?$")
_JA_PLACE = re.compile(
    r"(?<![一-龥ァ-ヶぁ-ゖ])(?:(?P<pref>北海道|東京都|京都府|大阪府|[一-龥]{2,3}?県)"
    r"(?P<city>(?:[一-龥ァ-ヶ]{1,4}?|[ぁ-ゖ]{3,6})[市区町村](?![場民長役議政会内外街道営販立部町村]))?"
    r"|(?P<city2>(?:[一-龥ァ-ヶ]{1,4}?|[ぁ-ゖ]{3,6})[市区町村](?![場民長役議政会内外街道営販立部町村])))"
)
# 市町, 市町村, 農山漁村: kinds of place, not a place
_NO_PLACE = re.compile(r"[市区町村]+|.*(?:市町村|市町|町村|漁村|農村|山村)")
_COUNTRY = re.compile(
    r"(?:within|anywhere\s+in|from\s+any|based\s+in|reside\s+in|located\s+in|in\s+the)\s+"
    r"(?:the\s+)?(?P<c>U\.S\.|US|USA|United\s+States|UK|United\s+Kingdom|Canada|Japan|EU)"
    r"(?=[\s.,;)]|$)"
)


@lru_cache(maxsize=4096)  # location fields repeat across listings (東京都, Remote…)
def clean_location(text: str | None) -> tuple[str | None, bool]:
    """A location field without its remote words, and whether it had any
    (``Remote, Texas`` → ``("Texas", True)``)."""
    if text is None or not text.strip():
        return None, False
    if _TIMEZONE.search(text):
        return None, False
    parts = [p.strip() for p in re.split(r"[,、/]", text)]
    kept = [p for p in parts if p and not _REMOTE_PLACE.match(p)]
    remote = len(kept) < len([p for p in parts if p])
    if not kept:
        return None, remote
    place = ", ".join(kept)
    if m := _INSIDE.match(place):
        place = m["place"]
    return place, remote


def _ja_place(text: str) -> str | None:
    if not ("県" in text or "都" in text or "府" in text or "道" in text) and not (
        "市" in text or "区" in text or "町" in text or "村" in text
    ):
        return None
    for m in _JA_PLACE.finditer(text):
        place = m.group(0)
        if len(place) >= 2 and not _NO_PLACE.fullmatch(place):
            return place
    return None


def read_location(title: str, description: str) -> str | None:
    """A place the title or description names (see the module's rules), or None."""
    place = _ja_place(title)
    if place is None and description:
        place = _ja_place(description)
        if place is None and (m := _COUNTRY.search(description)):
            place = m["c"]
    return place
