"""Bytes per row of the tables retention prunes, measured: the figures behind the disk
estimate in docs/operations.md ("Pruning: what is kept how long").

In a scratch database, writes gigs the way ingest stores them (``build_gig`` and
``store_gigs``: the gig row and its outbox event, then marked published), one alert per gig
as the matcher builds it (``build_alerts``, reasons included), and each alert's deliveries as
the notifier plans them (``create_deliveries``; half the freelancers have two channels, so
1.5 per alert), half of them then marked sent. It prints, per table, ``pg_total_relation_size``
(heap, TOAST and indexes) less the empty table's, per row: after ``VACUUM ANALYZE`` (the
space the updates left behind still counted, as in a running system, where new rows reuse
it) and after ``VACUUM FULL`` ("compact": the live rows alone).

Descriptions are 200 to 900 characters of Japanese text (about 550 on average) made of
varied sentences, as platforms send; the gig is stored twice over (columns and ``body``)
plus its search text, and once more in its outbox event.

    uv run python -m bench.table_sizes --gigs 5000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from datetime import UTC, datetime

import asyncpg

from bench.gig_texts import CATEGORIES, TITLES, rate_text
from gigalert_ingest.build import Platform, build_gig
from gigalert_ingest.platforms import create_platform
from gigalert_ingest.repository import store_gigs
from gigalert_ingest.schemas import GigIn
from gigalert_ingest.service import validate_item
from gigalert_matcher.alerts import build_alerts
from gigalert_matcher.matching import Criteria, GigFacts
from gigalert_notifier.deliveries import create_deliveries
from gigalert_shared.events import AlertMatched
from gigalert_shared.settings import Settings
from tests.support.scratch_db import migrated_database

TABLES = ("gigs", "outbox", "alerts", "deliveries")

_WHO = ["大手SaaS企業", "急成長中のスタートアップ", "老舗メーカー", "地方銀行", "外資系コンサル"]
_WHAT = ["新規事業", "基幹システム刷新", "マーケティング部門", "データ基盤", "採用広報"]
_DO = [
    "の立ち上げを支援していただきます。",
    "の要件定義から運用まで伴走いただきます。",
    "のプロジェクト管理と進捗報告をお任せします。",
    "の課題整理と改善提案をお願いします。",
    "における関係部署との調整をご担当いただきます。",
]
_MORE = [
    "稼働は週{n}日程度、打ち合わせはオンライン中心です。",
    "チームは{n}名体制で、SlackとNotionを使っています。",
    "{n}年以上の実務経験がある方を歓迎します。",
    "契約期間は{n}か月更新で、長期的なご参画を想定しています。",
    "必須：Jira、Confluence、Excelでの資料作成経験（{n}年以上）。",
    "歓迎：{n}名以上のチームでのマネジメント経験、英語での読み書き。",
]


def description(rng: random.Random) -> str:
    target = rng.randint(200, 900)
    parts: list[str] = []
    while sum(map(len, parts)) < target:
        if rng.random() < 0.4:
            parts.append(rng.choice(_WHO) + "の" + rng.choice(_WHAT) + rng.choice(_DO))
        else:
            parts.append(rng.choice(_MORE).format(n=rng.randint(1, 12)))
    return "".join(parts)[:target]


def gig_in(i: int, rng: random.Random) -> GigIn:
    item = validate_item(
        {
            "external_id": f"size-{i}",
            "title": f"{rng.choice(TITLES)}（{rng.choice(_WHAT)}）",
            "description": description(rng),
            "url": f"https://jobs.example.jp/gigs/{i}",
            "category": rng.choice(CATEGORIES),
            "skills": rng.sample(["PMO", "Jira", "SQL", "Python", "広報", "SEO", "Figma"], 3),
            "remote": rng.choice(["フルリモート", "一部リモート（週1出社）", "常駐"]),
            "location": "東京都",
            "rate": rate_text(rng),
            "days_per_week": rng.choice(["週2〜3日", "週5日", "週1日～"]),
        }
    )
    assert isinstance(item, GigIn), item
    return item


def criteria(fid: uuid.UUID, sid: uuid.UUID, domains: list[str]) -> Criteria:
    return Criteria(
        subscription_id=sid,
        freelancer_id=fid,
        remote_modes=frozenset({"remote", "hybrid"}),
        min_rate_jpy_h=3000,
        include_unknown_rate=True,
        domains=frozenset(domains),
        keywords_any=("PMO",),
        keywords_none=(),
        max_days_per_week=None,
        locations=(),
    )


async def sizes(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT t, pg_total_relation_size(t::regclass) AS b FROM unnest($1::text[]) t",
        list(TABLES),
    )
    return {r["t"]: r["b"] for r in rows}


async def run(n_gigs: int, freelancers: int) -> None:
    rng = random.Random(11)
    async with migrated_database("gigalert_sizes") as conn:
        empty = await sizes(conn)
        pid, _ = await create_platform(conn, name="sizes")
        platform = Platform(pid, "sizes")
        fx = Settings().fx_to_jpy
        subs: list[tuple[uuid.UUID, uuid.UUID]] = []
        for i in range(freelancers):
            fid = await conn.fetchval(
                "INSERT INTO freelancers (display_name, email) VALUES ($1, $2) RETURNING id",
                f"f{i}",
                f"f{i}@example.jp",
            )
            await conn.execute(
                "INSERT INTO channels (freelancer_id, kind, target, verified_at) "
                "VALUES ($1, 'email', $2, now())",
                fid,
                f"f{i}@example.jp",
            )
            if i % 2:
                await conn.execute(
                    "INSERT INTO channels (freelancer_id, kind, target, verified_at) "
                    "VALUES ($1, 'slack', 'slack', now())",
                    fid,
                )
            sid = await conn.fetchval(
                "INSERT INTO subscriptions (freelancer_id, name) VALUES ($1, 'PMO') RETURNING id",
                fid,
            )
            subs.append((fid, sid))
        for start in range(0, n_gigs, 500):
            now = datetime.now(UTC)
            bodies = [
                build_gig(
                    gig_in(i, rng),
                    platform=platform,
                    gig_id=uuid.uuid4(),
                    received_at=now,
                    fx_to_jpy=fx,
                )
                for i in range(start, min(start + 500, n_gigs))
            ]
            alerts: list[AlertMatched] = []
            for body in bodies:
                fid, sid = rng.choice(subs)
                matched = [criteria(fid, sid, body.domains or ["pmo"])]
                alerts += build_alerts(body, GigFacts.from_gig(body), matched, now)
            async with conn.transaction():
                await store_gigs(conn, pid, bodies)
                await conn.execute(
                    "INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons) "
                    "SELECT i, f, g, s::uuid[], r FROM unnest($1::uuid[], $2::uuid[], "
                    "$3::uuid[], $4::text[], $5::jsonb[]) AS a(i, f, g, s, r)",
                    [a.alert_id for a in alerts],
                    [a.freelancer_id for a in alerts],
                    [a.gig.gig_id for a in alerts],
                    ["{" + ",".join(map(str, a.subscription_ids)) + "}" for a in alerts],
                    [
                        {k: [r.model_dump(mode="json") for r in v] for k, v in a.reasons.items()}
                        for a in alerts
                    ],
                )
                await create_deliveries(conn, alerts, now)
        await conn.execute("UPDATE outbox SET published_at = now()")
        await conn.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = now(), attempts = 1 "
            "WHERE random() < 0.5"
        )
        await conn.execute("VACUUM ANALYZE")
        churned = await sizes(conn)
        await conn.execute("VACUUM FULL")
        compact = await sizes(conn)
        print(f"{'table':<12}{'rows':>7}{'bytes/row':>11}{'compact':>9}")
        for t in TABLES:
            n = max(await conn.fetchval(f"SELECT count(*) FROM {t}"), 1)
            per_row = (churned[t] - empty[t]) / n
            print(f"{t:<12}{n:>7}{per_row:>11.0f}{(compact[t] - empty[t]) / n:>9.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigs", type=int, default=5000)
    parser.add_argument("--freelancers", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.gigs, args.freelancers))


if __name__ == "__main__":
    main()
