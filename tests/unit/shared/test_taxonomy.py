"""The domain taxonomy: data shipped in the package, matched width- and case-insensitively."""

from __future__ import annotations

from importlib.resources import files

import pytest

from gigalert_shared.taxonomy import (
    DOMAIN_KEYS,
    DOMAIN_ORDER,
    domains_from_description,
    domains_from_text,
    load_taxonomy,
    normalise_text,
)

EXPECTED_KEYS = [
    "pmo",
    "project_management",
    "marketing",
    "seo",
    "advertising",
    "pr",
    "sales",
    "consulting",
    "engineering",
    "data",
    "design",
    "writing",
    "other",
]


def test_keys_and_order() -> None:
    assert list(DOMAIN_ORDER) == EXPECTED_KEYS
    assert frozenset(EXPECTED_KEYS) == DOMAIN_KEYS


def test_taxonomy_is_package_data() -> None:
    assert files("gigalert_shared").joinpath("taxonomy.json").is_file()


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("PMO支援",), ["pmo"]),
        (("ＰＭＯ",), ["pmo"]),
        (("プロジェクトマネジメントオフィス",), ["pmo"]),  # longest synonym wins
        (("Webマーケ担当",), ["marketing"]),
        (("デジタルマーケティング / SEO対策",), ["marketing", "seo"]),
        (("広報・PR",), ["pr"]),
        (("プレスリリース作成",), ["pr"]),
        (("PROJECT MANAGER",), ["project_management"]),  # PR is not inside PROJECT
        (("metadata cleanup",), []),  # data is not inside metadata
        (("バックエンドエンジニア（Go）",), ["engineering"]),
        (("Senior Software Engineer",), ["engineering"]),
        (("フロントエンド開発",), ["engineering"]),
        (("事業開発",), ["sales"]),  # not also engineering through 開発
        (("ﾃﾞｰﾀ分析", "BI dashboards"), ["data"]),
        (("Data Analyst",), ["data"]),
        (("リスティング広告の運用",), ["advertising"]),
        (("インサイドセールス",), ["sales"]),
        (("ITコンサルタント",), ["consulting"]),
        (("UI/UXデザイナー",), ["design"]),
        (("記事作成ライター",), ["writing"]),
        (("データサイエンティスト", "PMO"), ["pmo", "data"]),  # taxonomy order, no repeats
        (("PMO", "pmo", "ＰＭＯ支援"), ["pmo"]),
        (("市民ライター募集",), ["writing"]),
        (("動画編集者",), ["design"]),  # 動画編集 is design, not writing through 編集
        (("広報紙の記事を執筆",), ["pr", "writing"]),
        (("市の魅力を発信",), ["pr"]),
        (("SNS投稿運用",), ["marketing"]),
        (("販売促進とブランド化",), ["marketing"]),
        (("戦略アドバイザー",), ["consulting"]),
        (("施策の立案・推進の助言",), ["consulting"]),
        (("ウェブサイトの新規コーディング", "HTML/CSS"), ["engineering"]),
        (("Looker Studioダッシュボード",), ["data"]),
        (("Illustrator",), ["design"]),
        (("Contract Grantwriter",), ["writing"]),
        (("Communications Coordinator",), ["pr"]),
        (("WordPress sites",), []),  # press is not inside WordPress
        (("Program Manager",), ["project_management"]),
        (("Consultant, Part Time",), []),  # an English contract form, not a domain
        (("Data engineering tutorials",), ["data"]),
        (("外国人旅行者誘客推進アドバイザー",), ["marketing", "consulting"]),
        (("SlackやTwitterの運用",), ["marketing"]),
        (("特産品の開発",), ["marketing"]),  # not also engineering through 開発
        (("販路の拡大",), ["sales"]),
        (("川口社長に進言した",), ["consulting"]),
        (("統括マネジャー",), ["project_management"]),
        (("利用状況の分析",), ["data"]),
        (("スプレットシートに入力",), ["data"]),  # a common misspelling
        (("動画の制作・編集",), ["design", "writing"]),
        (("ショート動画の編集業務",), ["design"]),  # not writing through 編集
        (("PR動画の構成等企画",), ["pr", "design"]),
        (("動画配信",), []),  # streaming is not video production
        (("AI動画プロンプト作成",), ["writing"]),
        (("広告コラムのライティング",), ["writing"]),  # writing ads is writing
        (("広報紙の編集",), ["pr"]),
        (("contribute to newsletters",), ["writing"]),
        (("集客特化型ランディングページ",), []),  # a page's purpose, not marketing work
        (("その他",), []),  # other is never inferred
        (("", "食品の仕入れ"), []),
    ],
    ids=lambda v: " | ".join(v) if isinstance(v, tuple) else None,
)
def test_domains_from_text(texts: tuple[str, ...], expected: list[str]) -> None:
    assert domains_from_text(*texts) == expected


def test_domains_from_description() -> None:
    assert domains_from_description("") == []
    text = "記事の執筆やInstagramの投稿。データ分析の経験があれば歓迎。"
    assert domains_from_description(text) == domains_from_text(text) == ["data", "writing"]


def test_each_synonym_in_one_domain() -> None:
    seen: dict[str, str] = {}
    for domain in load_taxonomy():
        for synonym in domain.synonyms:
            key = normalise_text(synonym)
            assert seen.setdefault(key, domain.key) == domain.key, synonym


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("ＰＭＯ", "pmo"), ("ﾘﾓｰﾄ", "リモート"), ("Ｒｅａｃｔ", "react"), ("４５００", "4500")],
)
def test_normalise_text(raw: str, normalised: str) -> None:
    assert normalise_text(raw) == normalised
