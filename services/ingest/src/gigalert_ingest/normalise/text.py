"""Small text helpers shared by the normalisers: one place for width, digits and ranges."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["HOURS_WORD", "NUMBER", "RANGE", "fmt_num", "prepare"]

# After prepare(), every range separator in a figure is this one character.
RANGE = "~"
NUMBER = r"\d+(?:\.\d+)?"  # a figure in a pattern: 12 or 22.5
HOURS_WORD = r"(?:(?:hours?|hrs?|時間|h)(?![a-z]))"  # after a figure: 8 hours, 8h, 8時間

_TILDES = re.compile(r"[〜～~∼]")  # wave dash, full-width tilde (NFKC folds it), tilde
# A dash or 長音符 counts as a range only between two figures: マネージャー keeps its ー.
_DASH_RANGE = re.compile(r"(?<=[\d万千円kKhH])\s*[-ー−–—‐]\s*(?=[\d¥$€£])")
_KARA = re.compile(r"(?<=[\d万千円])\s*から")  # 4,500円から → 4,500円~
_TO = re.compile(r"(?<=\d)\s+to\s+(?=[\d¥$€£])", re.IGNORECASE)  # $40 to $60
# between $20 and $25
_BETWEEN = re.compile(
    r"(\bbetween\s+[¥$€£]?\s*\d+(?:\.\d+)?[kK]?)\s+and\s+(?=[\d¥$€£])", re.IGNORECASE
)
# 月四万円, 一万円: a kanji digit before 万円 or 千円 is a digit
_KANJI_DIGIT = re.compile(r"(?<![一二三四五六七八九十百千万〇\d])[一二三四五六七八九](?=[万千]円)")
_KANJI_VALUE = {k: str(i) for i, k in enumerate("一二三四五六七八九", start=1)}
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


# Characters each substitution needs: when none is in the text it cannot change it, so the
# scan is skipped (most texts have no comma, no dash and no "to").
_TILDE_CHARS = frozenset("〜～∼")  # "~" itself needs no rewriting
_DASH_CHARS = frozenset("-ー−–—‐")
_T_CHARS = frozenset("tT")


def prepare(text: str) -> str:
    """NFKC (full-width digits, ，, ～, ￥ fold), drop thousands commas, one range separator,
    kanji digits before 万円/千円 as digits (``月四万円`` → ``月4万円``)."""
    s = unicodedata.normalize("NFKC", text)
    if "," in s:
        s = _THOUSANDS.sub("", s)
    chars = set(s)
    if not chars.isdisjoint(_TILDE_CHARS):
        s = _TILDES.sub(RANGE, s)
    if not chars.isdisjoint(_DASH_CHARS):
        s = _DASH_RANGE.sub(RANGE, s)
    if "万円" in s or "千円" in s:
        s = _KANJI_DIGIT.sub(lambda m: _KANJI_VALUE[m.group(0)], s)
    if "から" in s:
        s = _KARA.sub(RANGE, s)
    if not chars.isdisjoint(_T_CHARS):
        s = _TO.sub(RANGE, s)
    if "and" in s:
        s = _BETWEEN.sub(rf"\1{RANGE}", s)
    return s


def fmt_num(x: float) -> str:
    """3.0 → '3', 2.5 → '2.5', 96.0 → '96', inf → 'inf'."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
