"""Remote mode from a listing's words: ``フルリモート`` → REMOTE, ``週1出社`` → HYBRID,
``常駐`` → ONSITE.

The first rule that matches wins:

1. The enum values themselves (``remote``, ``hybrid``, ``onsite``, also ``on-site``).
2. Remote ruled out (``リモート不可``, ``在宅なし``, ``no remote``) → ONSITE.
3. A stated mix (``ハイブリッド``, ``リモート併用``, ``一部リモート``, ``週1出社``, ``月2回出社``,
   ``2 days in office``), monthly visits (``月1回現地でミーティング``, ``月一回の出張面談``) or
   remote beside something else (``リモートワークも可``, ``オンラインでの参加も可``) → HYBRID.
   ``週5日出社`` is every day in the office → ONSITE.
4. Remote left open (``リモート応相談``, ``remote negotiable``) or for a while only (``Remote
   During COVID``) → None: we don't claim it.
5. Fully remote (``フルリモート``, ``完全在宅``, ``fully remote``, ``原則オンライン``,
   ``オンラインで完結``) or no office (``出社不要``, ``出勤不要``, ``出社の必要はありません``,
   ``登庁をともなわない``) → REMOTE, even beside a bare ``出社`` (``フルリモート（初日のみ出社）``).
6. Some remote word (``リモート可``, ``在宅``, ``オンライン``, ``remote``, ``telecommute``) *and*
   some office word (``出社``, ``常駐``, ``通勤``, ``来庁``, ``派遣``, ``対面``, ``on-site``,
   ``in person``) → HYBRID (``基本出社（リモート可）``,
   ``通勤とリモートの組み合わせ``).
7. A remote word alone → REMOTE (``リモート可`` means remote is allowed).
8. An office word alone → ONSITE.
9. Nothing recognised → None.
"""

from __future__ import annotations

import re
from functools import lru_cache

from gigalert_shared.events import RemoteMode
from gigalert_shared.taxonomy import normalise_text

__all__ = ["parse_remote", "remote_of_text"]

_ENUM = {m.value: m for m in RemoteMode} | {
    "on-site": RemoteMode.ONSITE,
    "on_site": RemoteMode.ONSITE,
}

_REMOTE_WORD = (
    r"(?:リモート|在宅|テレワーク|オンライン|remote(?:ly)?|wfh|work from home|telecommut(?:e|ing))"
)

_NO_REMOTE = re.compile(
    rf"{_REMOTE_WORD}\s*(?:勤務|ワーク)?\s*(?:は|:)?\s*(?:不可|なし|無し|ng|不可能)"
    r"|\b(?:no|not|non)[\s-]?remote|remote\s*(?:is\s*)?not\s*(?:possible|available|allowed)"
)
_OFFICE_DAYS = re.compile(
    r"(?:週|月)\s*(?P<n>\d+(?:\.\d+)?)?\s*(?:日|回|度)?\s*(?:程度|ほど)?\s*(?:の)?\s*(?:出社|出勤)"
    r"|(?P<en>\d+)\s*days?\s*(?:a\s*week\s*)?(?:in|at)\s*(?:the\s*)?office"
    # 月1回現地でミーティング, 月一回の出張面談, 月に数回程度三浦半島を訪れて: visits, the rest away
    r"|月\s*(?:に)?\s*(?:\d+|[一二三四]|数)\s*(?:日|回|度)\s*(?:程度|ほど)?\s*(?:の)?\s*[^。、\s]{0,8}?"
    r"(?:現地|出張|来庁|登庁|来社|訪問|訪れ)"
)
_HYBRID = re.compile(
    r"ハイブリッド|hybrid|併用|一部(?:リモート|在宅)|一部出社|部分(?:リモート|在宅)"
    r"|出社\s*(?:あり|有り|有)|partial(?:ly)?\s*remote|office\s*visits?"
    # リモートワークも可, オンラインでの参加も可: remote beside something else
    r"|(?:リモート|在宅|テレワーク|オンライン)[^。、\s]{0,6}も\s*(?:可|ok|可能)"
)
_OPEN = re.compile(
    rf"{_REMOTE_WORD}\s*(?:勤務)?\s*(?:は|:)?\s*(?:応相談|要相談|相談)|remote\s*(?:negotiable|tbd)"
    r"|remote\s*(?:during|due\s+to|because\s+of)\s*(?:covid|the\s+pandemic)"
)
# No office: 出社不要, 出勤不要, 出社の必要はありません, 登庁をともなわない, 出勤する必要はなく.
_OFFICE = r"(?:出社|出勤|登庁|通勤|来社|通所)"
_NO_OFFICE = (
    rf"{_OFFICE}\s*(?:は|が)?\s*(?:なし|無し|不要|ありません)"
    rf"|{_OFFICE}\s*(?:する)?\s*(?:の)?\s*(?:必要|義務)\s*(?:は|が|も)?\s*(?:なし|無し|ない|無い|ありません"
    r"|ございません|なく|無く)"
    rf"|{_OFFICE}\s*(?:を)?\s*(?:ともなわ|伴わ)(?:ない|ず)"
    r"|no\s*(?:need\s+to\s+(?:come\s+)?(?:in|to\s+the\s+office)|office|commut(?:e|ing))"
)
_FULL_REMOTE = re.compile(
    r"フル\s*リモート|完全\s*(?:リモート|在宅)|フル\s*在宅|リモート\s*100\s*%|100\s*%\s*(?:リモート|remote)"
    r"|full(?:y)?\s*remote|remote\s*only|remote[\s-]first|(?:permanently|entirely|100%)\s*remote"
    r"|(?:オンライン|リモート)\s*(?:で|に)\s*(?:の)?\s*完結|(?:原則|基本的?に?|すべて|全て)\s*(?:として)?"
    r"\s*[、,]?\s*(?:オンライン|リモート|在宅|テレワーク)"
    rf"|{_NO_OFFICE}"
)
_REMOTE = re.compile(_REMOTE_WORD)
_ONSITE = re.compile(
    r"常駐|出社|出勤|登庁|来庁|通勤|オンサイト|客先|現地|派遣|対面|on[\s-]?site|in[\s-]?(?:the\s*)?office"
    r"|office[\s-]based|in[\s-]person"
)


def _office_days(s: str) -> RemoteMode | None:
    m = _OFFICE_DAYS.search(s)
    if m is None:
        return None
    days = m["n"] or m["en"]
    weekly = m.group(0).startswith("週") or m["en"] is not None
    if weekly and days is not None and float(days) >= 5:
        return RemoteMode.ONSITE
    return RemoteMode.HYBRID


@lru_cache(maxsize=4096)  # remote texts repeat across listings (フルリモート, 常駐…)
def parse_remote(text: str | None) -> RemoteMode | None:
    """The remote mode a listing states, or None when it states none we can read."""
    if text is None:
        return None
    s = normalise_text(text).strip()
    if s in _ENUM:
        return _ENUM[s]
    return remote_of_text(s)


def remote_of_text(s: str) -> RemoteMode | None:
    """Rules 2 to 9 on text already through ``normalise_text`` (not cached: descriptions
    are read with it, and they rarely repeat)."""
    if _NO_REMOTE.search(s):
        return RemoteMode.ONSITE
    office = _office_days(s)
    if office is not None:
        return office
    if _HYBRID.search(s):
        return RemoteMode.HYBRID
    if _OPEN.search(s):
        return None
    if _FULL_REMOTE.search(s):
        return RemoteMode.REMOTE
    remote, onsite = _REMOTE.search(s), _ONSITE.search(s)
    if remote and onsite:
        return RemoteMode.HYBRID
    if remote:
        return RemoteMode.REMOTE
    if onsite:
        return RemoteMode.ONSITE
    return None
