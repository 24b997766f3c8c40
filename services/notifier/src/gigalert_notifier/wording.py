"""The words of alert messages, in Japanese (default) and English: labels, units, subjects,
the LINE prefix and the digest's "and N more"."""

from __future__ import annotations

from typing import Final, Literal

from gigalert_shared.events import RateUnit, RemoteMode
from gigalert_shared.matching import reasons

Lang = Literal["ja", "en"]


REMOTE: Final[dict[Lang, dict[RemoteMode, str]]] = {
    "ja": {
        RemoteMode.REMOTE: "フルリモート",
        RemoteMode.HYBRID: "一部リモート",
        RemoteMode.ONSITE: "常駐",
    },
    "en": {
        RemoteMode.REMOTE: "fully remote",
        RemoteMode.HYBRID: "partly remote",
        RemoteMode.ONSITE: "on-site",
    },
}

WORDS: Final[dict[Lang, dict[str, str]]] = {
    "ja": {
        "rate": "時給",
        "remote": "リモート",
        "days": "稼働",
        "location": "勤務地",
        "platform": "掲載元",
        "link": "詳細",
        "unknown": "不明",
        "why": "この案件が届いた理由",
        "search": "保存条件",
        "unsubscribe": "この条件の通知を停止",
        "footer": "gigalert からのお知らせです。",
        "open": "案件の詳細を見る",
        "negotiable": "応相談",
        "listing_says": "掲載の記載",
    },
    "en": {
        "rate": "Rate",
        "remote": "Remote",
        "days": "Days",
        "location": "Location",
        "platform": "Source",
        "link": "Details",
        "unknown": "unknown",
        "why": "Why you got this gig",
        "search": "Saved search",
        "unsubscribe": "Stop alerts for this search",
        "footer": "Sent by gigalert.",
        "open": "Open the gig",
        "negotiable": "negotiable",
        "listing_says": "listing says",
    },
}

# The reasons' unit words, except that an alert names a fixed price 案件総額 (the project's
# total), where a reason, next to its criterion, says 総額.
UNIT_JA: Final = {**reasons.UNIT_JA, RateUnit.PROJECT: "案件総額"}
UNIT_EN: Final = reasons.UNIT_EN
CURRENCY_SYMBOL: Final = {"USD": "$", "EUR": "€", "GBP": "£"}


def lang(locale: str) -> Lang:
    return "en" if locale.strip().lower().startswith("en") else "ja"


LINE_PREFIX: Final[dict[Lang, str]] = {"ja": "【新着案件】", "en": "New gig: "}


def untitled(lang: Lang) -> str:
    return "(無題)" if lang == "ja" else "(untitled)"


def alert_subject_words(title: str, remote: str | None, rate: str | None, lang: Lang) -> str:
    if lang == "ja":
        s = f"【新着案件】{title}" + (f"（{remote}）" if remote else "")
    else:
        s = f"New gig: {title}" + (f" ({remote})" if remote else "")
    return s + (f" {rate}" if rate else "")


def digest_subject(n: int, lang: Lang) -> str:
    if lang == "ja":
        return f"【gigalert】新着案件 {n}件のまとめ"
    return f"[gigalert] {n} new gig{'s' if n != 1 else ''}"


def omitted(n: int, lang: Lang) -> str:
    return f"…ほか{n}件" if lang == "ja" else f"…and {n} more"
