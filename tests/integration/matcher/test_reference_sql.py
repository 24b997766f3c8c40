"""The SQL reference, the rules and the index agree on every gig: random subscriptions
stored in real Postgres, random gigs, three answers compared."""

from __future__ import annotations

import dataclasses
import hashlib
import random
import uuid

import asyncpg

from gigalert_matcher.matching import Criteria, GigFacts, SubscriptionIndex, matches
from gigalert_matcher.matching.reference_sql import (
    CRITERIA_COLUMNS,
    REFERENCE_MATCH_SQL,
    criteria_row,
    match_params,
    match_sql,
)
from gigalert_matcher.repository import active_criteria
from gigalert_shared.taxonomy import normalise_text

MODES = ["remote", "hybrid", "onsite"]
DOMAINS = ["pmo", "data", "marketing", "engineering", "pr"]
WORDS = [
    normalise_text(w)
    for w in [
        "PMO",
        "pm",
        "Python",
        "広報",
        "データ",
        "ＳＡＰ",
        "pmo支援",
        "営業",
        "100%",
        "a_b",
        "常駐",
    ]
]
PLACES = ["東京", "東京都", "大阪", "渋谷", "福岡市"]
GIG_PLACES = ["東京都渋谷区", "大阪府大阪市", "福岡", "", "東京"]
FILLER = ["x", " ", "支援", "100", "a", "b", "_", "%", "ab"]


def random_criteria(r: random.Random, freelancers: list[uuid.UUID]) -> Criteria:
    return Criteria(
        subscription_id=uuid.uuid4(),
        freelancer_id=r.choice(freelancers),
        remote_modes=frozenset(r.sample(MODES, r.choice([0, 1, 1, 2, 3, 3]))),
        min_rate_jpy_h=r.choice([None, 0, 3000, 4500, 5000, r.randint(0, 9000)]),
        include_unknown_rate=r.random() < 0.5,
        domains=frozenset(r.sample(DOMAINS, r.choice([0, 0, 1, 1, 2]))),
        keywords_any=tuple(r.sample(WORDS, r.choice([0, 0, 1, 2, 3]))),
        keywords_none=tuple(r.sample(WORDS, r.choice([0, 0, 0, 1]))),
        max_days_per_week=r.choice([None, 1.0, 2.0, 2.5, 3.0, 5.0, 7.0]),
        locations=tuple(r.sample(PLACES, r.choice([0, 0, 1, 2]))),
    )


def random_gig(r: random.Random) -> GigFacts:
    rates = [None, 0, 3000, 4500, 5000, r.randint(0, 9000)]  # 0: unpaid work
    return GigFacts(
        gig_id=uuid.uuid4(),
        remote_mode=r.choice([None, *MODES]),
        rate_min_jpy_h=r.choice(rates),
        rate_max_jpy_h=r.choice(rates),
        domains=frozenset(r.sample(DOMAINS, r.choice([0, 1, 1, 2]))),
        search_text="".join(r.choices(WORDS + FILLER, k=r.randint(0, 8))),
        days_min=r.choice([None, 1.0, 2.0, 2.5, 3.0, 5.0]),
        days_max=r.choice([None, 3.0, 5.0]),
        location=r.choice([None, *GIG_PLACES]),
    )


async def insert_subscriptions(
    db: asyncpg.Connection, subs: list[Criteria], active: list[bool]
) -> None:
    records = [
        (*criteria_row(c, f"sub {i}"), is_active)
        for i, (c, is_active) in enumerate(zip(subs, active, strict=True))
    ]
    await db.copy_records_to_table(
        "subscriptions", records=records, columns=[*CRITERIA_COLUMNS, "active"]
    )


async def test_sql_reference_rules_and_index_agree(db: asyncpg.Connection) -> None:
    r = random.Random(20250401)
    freelancers = []
    for i in range(10):
        freelancers.append(
            await db.fetchval(
                "INSERT INTO freelancers (display_name, token_hash) VALUES ($1, $2) RETURNING id",
                f"freelancer {i}",
                hashlib.sha256(f"token {i}".encode()).digest(),
            )
        )
    subs = [random_criteria(r, freelancers) for _ in range(300)]
    active = [r.random() < 0.9 for _ in subs]
    await insert_subscriptions(db, subs, active)
    live = [c for c, is_active in zip(subs, active, strict=True) if is_active]

    loaded = await active_criteria(db)
    assert sorted(loaded, key=lambda c: c.subscription_id) == sorted(
        live, key=lambda c: c.subscription_id
    )
    index = SubscriptionIndex(loaded)

    owners = {c.subscription_id: c.freelancer_id for c in live}
    total = 0
    for _ in range(200):
        g = random_gig(r)
        by_rules = {c.subscription_id for c in live if matches(c, g)}
        by_index = {c.subscription_id for c in index.match(g)}
        by_sql = await match_sql(db, g)
        assert by_sql == by_rules == by_index, g
        rows = await db.fetch(REFERENCE_MATCH_SQL, *match_params(g))
        assert all(owners[row["id"]] == row["freelancer_id"] for row in rows)
        total += len(by_sql)
    assert total > 200  # the comparison is not vacuous


async def test_keyword_wildcards_are_literal(db: asyncpg.Connection) -> None:
    freelancer = await db.fetchval(
        "INSERT INTO freelancers (display_name, token_hash) VALUES ('f', '\\x01') RETURNING id"
    )
    percent = await db.fetchval(
        "INSERT INTO subscriptions (freelancer_id, name, keywords_any) "
        "VALUES ($1, 'p', '{100%}') RETURNING id",
        freelancer,
    )
    g = GigFacts(
        gig_id=uuid.uuid4(),
        remote_mode="remote",
        rate_min_jpy_h=None,
        rate_max_jpy_h=None,
        domains=frozenset(),
        search_text="1000 remote",
        days_min=None,
        days_max=None,
        location=None,
    )
    assert await match_sql(db, g) == set()
    assert await match_sql(db, dataclasses.replace(g, search_text="100% remote")) == {percent}
