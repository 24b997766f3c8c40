"""An alert, or a digest, as one LINE text message: within LINE's limit, counted in UTF-16
code units (stricter than code points: an emoji outside the BMP counts twice)."""

from __future__ import annotations

from typing import Final

from gigalert_notifier.escaping import truncate_utf16, utf16_len
from gigalert_notifier.wording import LINE_PREFIX, Lang, omitted

LINE_MAX_CHARS: Final = 5000
"""LINE's limit for one text message, in UTF-16 code units."""


def alert_line(text: str, lang: Lang) -> str:
    """The plain text after the subject line's prefix (LINE has no title)."""
    return truncate_utf16(LINE_PREFIX[lang] + text, LINE_MAX_CHARS)


def fit_line(head: str, blocks: list[str], foot: str, lang: Lang) -> str:
    """As many whole gig blocks as fit in LINE's limit, then how many were left out."""
    n = len(blocks)
    sep = "\n\n"
    fixed = utf16_len(head) + utf16_len(foot)
    sizes = [utf16_len(sep) + utf16_len(b) for b in blocks]
    used = fixed
    k = 0
    for i in range(n):
        rest = n - i - 1
        note = utf16_len(sep + omitted(rest, lang)) if rest else 0
        if used + sizes[i] + note > LINE_MAX_CHARS:
            break
        used += sizes[i]
        k = i + 1
    parts = [head, *blocks[:k]]
    if k < n:
        parts.append(omitted(n - k, lang))
    text = sep.join(parts) + foot
    return truncate_utf16(text, LINE_MAX_CHARS)
