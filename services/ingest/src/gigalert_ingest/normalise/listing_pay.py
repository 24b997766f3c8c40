"""What a listing's title and description say of its pay, and whether the work is unpaid.

Pure functions over text. :func:`gigalert_ingest.build.build_gig` asks them only for what
the structured fields leave open: where both speak, the field wins.

Rules:

* **Pay**: the title, then each sentence of the description (split at ``。``, ``▽``, ``…``,
  ``|``, line ends and English full stops) holding money, read by :func:`.rate_text.read_rate`;
  the first one that gives an amount *and* a unit wins, else the first that gives an amount.
  Trial-work pay (``テストライティング``) is skipped. A total (``…の計100万円``) wins over the
  parts before it. When the title names a work pattern the description prices separately
  (``月2回勤務の職種``), the pay after that pattern is read first.
* **Unpaid**: ``無報酬``, ``無償``, ``謝礼なし``, ``ボランティア``, ``プロボノ``, ``unpaid``,
  ``volunteer basis``, ``$0``, unless the listing also says it is paid (``有償``, ``paid
  position``) or states an amount.
"""

from __future__ import annotations

import re

from gigalert_shared.events import RateUnit

from .rate_text import read_rate
from .text import NUMBER

__all__ = ["fee_unit", "find_pay_text", "says_unpaid", "unit_hint"]

_SENTENCE = re.compile(r"[。\n▽■●◆★|｜]|…|・・・|(?<=[a-z)\d]\.)\s+(?=[A-Z])|(?<=[!?])\s+")
_MONEY_CHARS = frozenset("円万$€£¥")
_CODE = re.compile(r"\b(?:USD|EUR|GBP|CAD|AUD|JPY)\b")
_TRIAL = re.compile(r"テスト|トライアル|試用|trial", re.IGNORECASE)
_TOTAL = re.compile(r"(?:の)?(?:合計|計|総額|totaling|totalling|in total)\s*(?=[\d¥$€£])")
_PATTERN_IN_TITLE = re.compile(rf"[週月]\s*{NUMBER}\s*[日回]\s*勤務")


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
