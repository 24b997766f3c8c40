"""The misreadings of real listings the normaliser was fixed for, each POSTed through the HTTP
API (real Postgres) and read back as stored: pay, remote mode, days, unpaid and yearly pay."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import httpx
import pytest

from tests.integration.ingest.conftest import METRICS

EXAMPLES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # A per-hour deduction is not the hours of a monthly fee: ¥150,000 ÷ 160h = ¥937.5/h,
    # under the plausible band, so kept aside and not matched on.
    (
        "deduction",
        {"rate": "月額15万円（活動時間が不足する場合は1時間あたり1,000円を減額）"},
        {
            "unit": "month",
            "amount_min": 150000,
            "hours_divisor": 160,
            "rate_min_jpy_h": None,
            "implausible_min_jpy_h": 938,
        },
    ),
    (
        "count before the pay",
        {"rate": "月4記事程度で2万円"},
        {"unit": "month", "amount_min": 20000, "amount_max": 20000},
    ),
    (
        "per piece",
        {"rate": "月5投稿ほど、1投稿8000円"},
        {
            "unit": "piece",
            "amount_min": 8000,
            "rate_min_jpy_h": None,
            "implausible_min_jpy_h": None,
        },
    ),
    ("no need to come in", {"remote": "出社の必要はありません"}, {"remote_mode": "remote"}),
    ("no commute", {"remote": "出勤不要"}, {"remote_mode": "remote"}),
    ("a mix", {"remote": "通勤とリモートの組み合わせ"}, {"remote_mode": "hybrid"}),
    (
        "online from interview to work",
        {"description": "面談から業務までオンラインで完結します。"},
        {"remote_mode": "remote"},
    ),
    ("online as a rule", {"remote": "原則オンラインでの対応"}, {"remote_mode": "remote"}),
    (
        "about, per month",
        {"rate": "3万円程度/月"},
        {"unit": "month", "amount_min": 30000, "amount_max": 30000},
    ),
    (
        "guide, per month",
        {"description": "報酬目安:8万円程度/月"},
        {"unit": "month", "amount_min": 80000, "rate_min_jpy_h": None},
    ),
    ("無報酬", {"rate": "無報酬"}, {"unpaid": True, "rate_min_jpy_h": 0, "rate_max_jpy_h": 0}),
    (
        "謝礼なし",
        {"description": "謝礼なし、交通費のみ支給。"},
        {"unpaid": True, "rate_min_jpy_h": 0, "rate_max_jpy_h": 0},
    ),
    (
        "volunteer (unpaid)",
        {"rate": "volunteer (unpaid)"},
        {"unpaid": True, "rate_min_jpy_h": 0, "rate_max_jpy_h": 0},
    ),
    (
        "年収換算",
        {"rate": "年収換算600万円〜"},
        {"unit": "year", "amount_min": 6_000_000, "amount_max": None, "rate_min_jpy_h": None},
    ),
    (
        "per year",
        {"rate": "$40,000 to $55,000 per year"},
        {"unit": "year", "currency": "USD", "amount_min": 40000, "amount_max": 55000},
    ),
    (
        "annually",
        {"rate": "$45-60,000 annually"},
        {"unit": "year", "currency": "USD", "amount_min": 45000, "amount_max": 60000},
    ),
    (
        "monthly hours in the description",
        {"rate": "10万円/月", "description": "稼働は月間最大10時間です。"},
        {"unit": "month", "rate_min_jpy_h": 10000, "rate_max_jpy_h": 10000, "hours_divisor": 10},
    ),
    (
        "days in the description",
        {"description": "週2日程度の稼働をお願いします。"},
        {"days_per_week_min": 2, "days_per_week_max": 2},
    ),
    (
        "time commitment",
        {"description": "This is a 40% time commitment."},
        {"days_per_week_min": 2, "days_per_week_max": 2},
    ),
]


def _stored(row: asyncpg.Record) -> dict[str, Any]:
    rs = json.loads(row["rate_source"])
    return {
        **rs,
        "rate_min_jpy_h": row["rate_min_jpy_h"],
        "rate_max_jpy_h": row["rate_max_jpy_h"],
        "remote_mode": row["remote_mode"],
        "days_per_week_min": row["days_per_week_min"],
        "days_per_week_max": row["days_per_week_max"],
    }


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or want is None or isinstance(want, str):
        return bool(got == want)
    return got is not None and float(got) == pytest.approx(float(want))


async def test_each_quoted_listing_is_read_right(
    client: httpx.AsyncClient, platform_key: str, db: asyncpg.Connection
) -> None:
    gigs = [
        {"external_id": f"ex-{i}", "title": "募集", **fields}
        for i, (_, fields, _) in enumerate(EXAMPLES)
    ]
    r = await client.post(
        "/v1/gigs/batch", json={"gigs": gigs}, headers={"X-API-Key": platform_key}
    )
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == len(EXAMPLES), r.text
    rows = {
        row["external_id"]: _stored(row)
        for row in await db.fetch(
            "SELECT external_id, rate_source::text AS rate_source, rate_min_jpy_h,"
            " rate_max_jpy_h, remote_mode, days_per_week_min, days_per_week_max FROM gigs"
        )
    }
    wrong: list[tuple[str, str, Any, Any]] = []
    for i, (name, _, expected) in enumerate(EXAMPLES):
        got = rows[f"ex-{i}"]
        wrong.extend(
            (name, k, v, got.get(k)) for k, v in expected.items() if not _same(got.get(k), v)
        )
    assert not wrong, wrong
    metrics = await client.get("/metrics", headers=METRICS)
    assert 'gigalert_ingest_implausible_rate_total{platform="marketing-board"}' in metrics.text
