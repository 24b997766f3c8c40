"""Remote mode as platforms write it."""

from __future__ import annotations

import pytest

from gigalert_ingest.normalise import parse_remote
from gigalert_ingest.normalise.listing_place import read_remote_text, regular_visits
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
    ("月1回現地でミーティング", HY),  # a monthly visit, the rest away
    ("月一回の出張面談とネットを通じたやりとり", HY),
    ("リモートワークも可", HY),  # remote beside something else
    ("オンラインでの参加も可", HY),
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
    ("派遣", ON),
    ("来庁", ON),
    # the enum values themselves
    ("remote", R),
    ("HYBRID", HY),
    ("onsite", ON),
    # unknown
    ("リモート応相談", None),  # remote is open, not promised
    ("Remote During COVID", None),  # for a while, not the work's mode
    ("TELECOMMUTE", R),
    ("東京都港区", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("text", "expected"), REMOTE_TEXTS, ids=[repr(t) for t, _ in REMOTE_TEXTS])
def test_parse_remote(text: str | None, expected: RemoteMode | None) -> None:
    assert parse_remote(text) is expected


def test_enough_remote_cases() -> None:
    assert len(REMOTE_TEXTS) >= 25


LISTING_TEXTS: list[tuple[str, RemoteMode | None]] = [
    ("福井県内で月2回程度勤務する。", ON),
    ("鳥取県内で3泊4日以上のワーケーションを実施いただき", ON),
    ("プログラムは2泊3日で実施され、定員は5名。", ON),
    ("「道の駅よかわ」を活動拠点とし", ON),
    ("名古屋をベースとしたガイドを中心にしております。", ON),
    ("勤務地 東京都品川区上大崎2-13-17", ON),
    ("勤務地 取引先企業 ※リモートワークの場合は下記オフィスにて勤務可能です。", ON),
    ("平日の終業後に1時間程度、電話で依頼者からの質問に回答する", R),
    ("You can be based anywhere.", R),
    ("平日日中のオンラインMTG(週1〜2回)対応可能。", None),  # a meeting, not the work
    ("12月8日にオンライン任命式が行われた。", None),
    ("市内に在住・在勤・在学する方", None),  # residence is not a work mode
    # in-person work with no office word
    ("平日の半分を交代で運転していただく形になります。", ON),
    ("1 投票所設営 令和6年10月25日(金)で2時間", ON),
    ("この実際に取材に行き、記事を書いてくださるライターを募集しています。", ON),
    ("Guide foreign visitors through iconic locations such as Arashiyama.", ON),
    ("Conducts appropriate exams, and responds to patient questions.", ON),
    ("Mobile Clinic Driver", ON),
    ("詳細は追ってご案内します。", None),  # 案内 alone is no guiding
    ("取材して記事にしています。", None),  # 取材 alone can be done by phone
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Location: Remote. Monthly paid 1hr meeting in Mountain View or San Francisco.", True),
        ("勤務は月2日から、リモートワークも可という柔軟な働き方", True),
        ("We meet weekly on Zoom.", False),
        ("フルリモートで完結します。", False),
        ("", False),
    ],
)
def test_regular_visits(text: str, expected: bool) -> None:
    assert regular_visits(text) is expected


@pytest.mark.parametrize(("text", "expected"), LISTING_TEXTS, ids=[t for t, _ in LISTING_TEXTS])
def test_read_remote_text(text: str, expected: RemoteMode | None) -> None:
    assert read_remote_text(text) is expected
