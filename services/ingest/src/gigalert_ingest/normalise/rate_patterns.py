"""The words and shapes of pay texts, as regular expressions (used by :mod:`.rate_text`).

All of them run on text after :func:`.text.prepare`: NFKC, no thousands commas, ``~`` for ranges.
"""

from __future__ import annotations

import re

from .text import HOURS_WORD, NUMBER


def _starting_with(chars: str, pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern``, tried only where one of ``chars`` stands (the first characters of all its
    alternatives; under IGNORECASE, in either case): the engine skips every other position at
    once instead of trying each alternative there."""
    return re.compile(f"(?=[{re.escape(chars)}])(?:{pattern.pattern})", pattern.flags)


# fmt: off
SYMBOLS = {
    "US$": "USD", "$": "USD", "ドル": "USD", "dollar": "USD", "dollars": "USD",
    "¥": "JPY", "円": "JPY", "yen": "JPY",
    "€": "EUR", "ユーロ": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP",
}
ISO_CODES = frozenset({
    "JPY", "USD", "EUR", "GBP", "AUD", "CAD", "CHF", "CNY", "HKD", "INR", "KRW", "NZD", "SGD",
    "THB", "TWD", "VND", "IDR", "MYR",
})
# fmt: on
# One figure: optional currency before, number, optional 万/千/k, optional currency after.
TOKEN = re.compile(
    rf"""(?P<pre>US\$|\$|¥|€|£|\b[A-Z]{{3}}\s?)?(?<![\d.])(?P<num>{NUMBER})
    (?:\s*(?P<man>万)(?:(?P<rest>\d+)(?P<rest_sen>千)?)?|\s*(?P<sen>千)(?P<senman>万)?|(?P<k>[kK])(?![a-zA-Z]))?
    (?P<post>\s*(?:円|ドル|ユーロ|(?i:yen|dollars?|euros?)\b|[A-Z]{{3}}(?![A-Za-z])))?""",
    re.VERBOSE,
)
# 精算幅 140~180h, (140~180h), 140h~180h, 精算140-180.
BAND = re.compile(
    rf"精算(?:幅)?\s*[:：]?\s*(?P<lo>{NUMBER})\s*{HOURS_WORD}?\s*~\s*(?P<hi>{NUMBER})\s*{HOURS_WORD}?"
    rf"|(?<![週日\d./])(?P<lo2>{NUMBER})\s*{HOURS_WORD}?\s*~\s*(?P<hi2>{NUMBER})\s*{HOURS_WORD}",
    re.IGNORECASE,
)
# 100h想定, 月160h; not 1日8h, 週20時間, 8時間/日 (hours a day or a week), 24時間対応, nor
# 1時間あたり1,000円 (a rate per hour, e.g. a deduction for missing hours).
HOURS = re.compile(
    rf"(?<![週日\d./])(?<!週\s)(?P<h>{NUMBER})\s*{HOURS_WORD}"
    r"(?!\s*(?:/\s*(?:日|day|週|week)|対応|体制|365|あたり|当たり|につき|ごと|毎|単価|給))",
    re.IGNORECASE,
)
# Hours a week, for monthly pay: 週20時間, 週10~20h (the midpoint is used).
WEEK_HOURS = re.compile(
    rf"週\s*(?P<lo>{NUMBER})\s*{HOURS_WORD}?\s*(?:~\s*(?P<hi>{NUMBER})\s*)?{HOURS_WORD}",
    re.IGNORECASE,
)
# A unit written right after the figure: 4500円/h, $50 an hour, 80万円/人月, 3000円/1h,
# 5万円程度/月 (an "about" word may stand between), 2円/文字.
SUFFIX = re.compile(
    r"""\s*(?:程度|ほど|前後|くらい|ぐらい|位)?\s*[+~]?\s*(?:/|per\s+|an?\s+)\s*(?:1\s*)?(?:人)?
    (?:(?P<hour>hours?|hrs?|h|時間|時)
      |(?P<day>days?|日)
      |(?P<month>months?|mo|月)
      |(?P<project>project|案件)
      |(?P<piece>件|記事|本|投稿|文字|字|ページ|枚|articles?|posts?|pieces?|words?|items?|tasks?)
      |(?P<year>years?|yr|年|annum)
    )(?![a-zA-Z])""",
    re.IGNORECASE | re.VERBOSE,
)
_MONEY_AHEAD = r"(?=\s*[\d¥$€£])"
# A unit word anywhere: 時給, 月額, 1日3万円, 月80万円 (not 3月, 3ヶ月), 案件総額, 年収, 単価,
# 1日当たり, 1投稿あたり, 文字単価, 年間.
_PER = r"\s*(?:当たり|あたり|につき)"
UNIT_WORD = re.compile(
    r"(?P<hour>時給|時間単価|時間給|hourly|per\s+hour|an\s+hour)"
    rf"|(?P<day>日給|日額|日当|日単価|人日|daily|per\s+day|a\s+day|1\s*日{_PER}|1\s*日\s*の勤務で"
    rf"|1\s*回\s*の\s*(?:勤務|出勤){_PER}"
    rf"|(?<![\d週])1\s*日{_MONEY_AHEAD})"
    rf"|(?P<month>月額|月給|月単価|月収|人月|月謝|monthly|per\s+month|a\s+month"
    rf"|(?<![\dヶヵか箇カケ])月{_MONEY_AHEAD}|1\s*[ヶヵかカケ箇]\s*月(?:{_PER})?{_MONEY_AHEAD})"
    r"|(?P<project>案件総額|総額|固定報酬|報酬総額|一括|成果報酬|fixed(?:\s+(?:price|fee))?"
    r"|per\s+project|project\s+fee|lump\s+sum|honorarium|stipend|協力費|補助|(?<!額)謝礼"
    r"|1\s*回\s*(?:の[^、。\d]{0,6})?(?:につき|あたり|当たり))"
    rf"|(?P<piece>文字単価|記事単価|1\s*(?:つの)?\s*(?:記事|本|件|案件|投稿|文字|ページ|枚)(?:{_PER})?"
    r"|案件あたり|per\s+(?:article|post|piece|word|item|task)"
    r"|for\s+(?:(?:each|every|their|the|your)\s+)?(?:original\s+)?(?:articles?|posts?|pieces?))"
    r"|(?P<year>年収|年俸|年額|年間|年棒|annual(?:ly)?|per\s+(?:year|annum)|a\s+year|yearly|salary)"
    r"|(?P<tanka>単価)",
    re.IGNORECASE,
)
UNIT_WORD = _starting_with("時日人月案総固報一成年単文記協補謝hdmpflas1", UNIT_WORD)
# A count before the pay, not pay: 月4記事程度で2万円, 月5投稿, 3ページ, 9本の動画, 10分.
COUNT_AFTER = re.compile(
    r"\s*(?:記事|投稿|本|件|ページ|枚|回|名|人|社|分|秒|文字|字|か所|箇所|ヶ所|種|職種|週間|年|歳|日"
    r"|[ヶヵかカケ箇]\s*月"
    r"|articles?|posts?|pages?|times?|people|persons?|words?|weeks?|years?|minutes?)",
    re.IGNORECASE,
)
# One-sided figures: 〜80万円, 上限80万円, 4500円以上, 60万円〜, $40+, up to $60, from €40.
MAX_ONLY_BEFORE = re.compile(r"~\s*$|上限|最大|\bmax(?:imum)?\b|up\s+to", re.IGNORECASE)
MIN_ONLY_BEFORE = re.compile(r"下限|最低|\bmin(?:imum)?\b|\bfrom\b", re.IGNORECASE)
MIN_ONLY_AFTER = re.compile(r"\s*(?:~|\+|以上|から|or\s+more|and\s+up)", re.IGNORECASE)
MAX_ONLY_AFTER = re.compile(r"\s*(?:まで|迄|以下|or\s+less)", re.IGNORECASE)
NEGOTIABLE = re.compile(
    r"応相談|要相談|相談可|相談に応じ|見合い|スキルに応じ|経験に応じ|negotiable|\bDOE\b|\bTBD\b",
    re.IGNORECASE,
)
TAX_EXCLUDED = re.compile(
    r"税抜|税別|外税|\+\s*(?:消費)?税|excl(?:uding|\.)?\s*(?:of\s+)?(?:tax|vat)|plus\s+(?:tax|vat)",
    re.IGNORECASE,
)
TAX_INCLUDED = re.compile(r"税込|内税|incl(?:uding|\.)?\s*(?:tax|vat)|tax\s+incl", re.IGNORECASE)
# Any of the three above: no match here means none of them matches (one scan, not three).
TAX_OR_NEGOTIABLE = _starting_with(
    "税外+内応要相見ス経eipndt",
    re.compile(
        "|".join(f"(?:{r.pattern})" for r in (TAX_EXCLUDED, TAX_INCLUDED, NEGOTIABLE)),
        re.IGNORECASE,
    ),
)


def may_have_hours(s: str) -> bool:
    """False when ``s`` has no hours word, so :data:`HOURS` cannot match (``HOURS_WORD`` needs an
    ``h``, in either case, or ``時間``)."""
    return "h" in s or "H" in s or "時間" in s


TANKA_MONTHLY_FROM_JPY = 100_000
TANKA_PIECE_BELOW_JPY = 100  # 単価2円: per character (文字単価) or per item
MAX_BARE_SPREAD = 10  # 5000~1万円 is 5,000–10,000; 80~60万円 is unreadable
