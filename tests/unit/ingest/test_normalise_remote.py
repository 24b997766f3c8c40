"""Remote mode as platforms write it."""

from __future__ import annotations

import pytest

from gigalert_ingest.normalise import parse_remote
from gigalert_shared.events import RemoteMode

R, HY, ON = RemoteMode.REMOTE, RemoteMode.HYBRID, RemoteMode.ONSITE

REMOTE_TEXTS: list[tuple[str | None, RemoteMode | None]] = [
    # remote
    ("フルリモート", R),
    ("完全在宅", R),
    ("完全リモート", R),
    ("リモート可", R),  # remote allowed: a remote worker can take it
    ("フルリモート可", R),
    ("在宅", R),
    ("在宅勤務OK", R),
    ("テレワーク", R),
    ("ﾌﾙﾘﾓｰﾄ", R),
    ("ＦＵＬＬ　ＲＥＭＯＴＥ", R),
    ("Remote", R),
    ("fully remote", R),
    ("Remote (Japan only)", R),
    ("work remotely", R),
    ("remote-first", R),
    ("フルリモート（初日のみ出社）", R),  # one onboarding visit is not a hybrid
    ("出社なし・フルリモート", R),
    # hybrid
    ("一部リモート（週1出社）", HY),
    ("リモート併用", HY),
    ("ハイブリッド", HY),
    ("週1出社", HY),
    ("リモートワーク可（週2日程度出社）", HY),
    ("フルリモート（月1回出社あり）", HY),
    ("基本出社（リモート可）", HY),
    ("常駐（状況によりリモート可）", HY),
    ("hybrid", HY),
    ("2 days in office", HY),
    ("Remote with occasional office visits", HY),
    # onsite
    ("常駐", ON),
    ("客先常駐", ON),
    ("出社", ON),
    ("オンサイト", ON),
    ("週5日出社", ON),
    ("リモート不可", ON),
    ("在宅勤務不可", ON),
    ("リモートなし", ON),
    ("on-site", ON),
    ("onsite in Tokyo", ON),
    ("in office", ON),
    ("No remote", ON),
    # the enum values themselves
    ("remote", R),
    ("HYBRID", HY),
    ("onsite", ON),
    # unknown
    ("リモート応相談", None),  # remote is open, not promised
    ("東京都港区", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("text", "expected"), REMOTE_TEXTS, ids=[repr(t) for t, _ in REMOTE_TEXTS])
def test_parse_remote(text: str | None, expected: RemoteMode | None) -> None:
    assert parse_remote(text) is expected


def test_enough_remote_cases() -> None:
    assert len(REMOTE_TEXTS) >= 25
