"""What a listing's title and description say of where the work is: remote mode and place.

Pure functions over text. :func:`gigalert_ingest.build.build_gig` asks them only for what
the structured fields leave open: where both speak, the field wins.

Rules:

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
from functools import lru_cache

from gigalert_shared.events import RemoteMode
from gigalert_shared.taxonomy import normalise_text

from .remote import remote_of_text

__all__ = ["clean_location", "read_location", "read_remote_text", "regular_visits"]

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
