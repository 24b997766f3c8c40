"""Which of the domain words a listing holds name its work (``normalise/domains.py``)."""

from __future__ import annotations

import pytest

from gigalert_ingest.normalise.domains import listing_domains

CASES: list[tuple[str, str, list[str], str, list[str]]] = [
    # (category, title, skills, description, expected)
    ("", "Global Marketing Manager", [], "Engage influencers and the press.", ["marketing", "pr"]),
    ("", "Webライター募集（俺のSEO対策）", [], "記事を書いてください。", ["writing"]),
    ("", "市民ライター（羽村市魅力発信市民記者）", [], "", ["pr", "writing"]),
    ("", "ユニリーバ 副業人材公募(マーケティング・人事)", [], "", ["marketing"]),
    ("Writing", "Paid guest posts on Haelix Communications", [], "guest posts", ["writing"]),
    ("", "人材還流DXに携わるプロジェクトマネージャー募集", [], "", ["project_management"]),
    # a skill, the employer, a word that is no work: not the work
    ("", "API連携エンジニア", [], "歓迎: Ads APIの知識。", ["engineering"]),
    ("", "Grantwriter", [], "Remote project management experience is preferred.", ["writing"]),
    ("", "SES営業代行", [], "弊社のエンジニアの契約を獲得していただきます。", ["sales"]),
    ("", "まちづくり会社 統括マネジャー募集", [], "自己PRを提出する。", ["project_management"]),
    # a writing job's topics are not its work; its 発信 is
    (
        "Technical writing",
        "Community writer program",
        [],
        "Data engineering tutorials.",
        ["writing"],
    ),
    ("", "観光ライター募集", [], "観光情報などを発信する。", ["pr", "writing"]),
    # a category the title and description contradict
    (
        "ウェブデザイン",
        "SNS運用サポート募集",
        [],
        "マーケティングに携わっています。",
        ["marketing"],
    ),
    ("ウェブデザイン", "SNS運用サポート募集", [], "", ["marketing", "design"]),
    ("ウェブデザイン", "バナー制作", [], "", ["design"]),
    # the description speaks where the title is silent
    (
        "",
        "地域おこし協力隊員",
        [],
        "特産品の開発やPR活動、販路の拡大等",
        ["marketing", "pr", "sales"],
    ),
    ("", "商品リサーチ", [], "リサーチしてスプレットシートに入力", ["data"]),
    ("", "副業人材", [], "", []),
]


@pytest.mark.parametrize(
    ("category", "title", "skills", "description", "expected"), CASES, ids=[c[1] for c in CASES]
)
def test_listing_domains(
    category: str, title: str, skills: list[str], description: str, expected: list[str]
) -> None:
    assert listing_domains(category, title, skills, description) == expected
