"""Each short-lived table's rows go just past their age and stay just within it."""

from __future__ import annotations

import asyncpg
import pytest

from gigalert_shared.retention import prune

pytestmark = [pytest.mark.postgres]


def ago(interval: str) -> str:
    return f"now() - interval '{interval}'"


async def test_every_age_is_kept_to_the_minute(db: asyncpg.Connection) -> None:
    freelancer = await db.fetchval(
        "INSERT INTO freelancers (display_name) VALUES ('f') RETURNING id"
    )
    past, within = "1 day 1 minute", "1 day -1 minute"
    await db.execute(f"INSERT INTO rate_events (bucket, at) VALUES ('go', {ago(past)})")
    await db.execute(f"INSERT INTO rate_events (bucket, at) VALUES ('stay', {ago(within)})")
    for name, age in (("go", past), ("stay", within)):
        await db.execute(
            "INSERT INTO mail_links (token_hash, purpose, email, expires_at) "
            f"VALUES ($1, 'login', $2, {ago(age)})",
            name.encode(),
            name,
        )
    for name, age in (("go", "1 minute"), ("stay", "-1 minute")):
        await db.execute(
            "INSERT INTO web_sessions (id_hash, freelancer_id, csrf_token, expires_at) "
            f"VALUES ($1, $2, $3, {ago(age)})",
            name.encode(),
            freelancer,
            name,
        )
    await db.execute(
        "INSERT INTO email_daily_counts (address, day) "
        "VALUES ('go', current_date - 3), ('stay', current_date - 2)"
    )
    await db.execute(
        "INSERT INTO subscription_changes (subscription_id, changed_at) "
        f"VALUES (gen_random_uuid(), {ago('7 days 1 minute')}), "
        f"(gen_random_uuid(), {ago('7 days -1 minute')})"
    )
    await db.execute(
        "INSERT INTO outbox (topic, payload, published_at) "
        f"VALUES ('go', 'x', {ago('61 minutes')}), ('stay', 'x', {ago('59 minutes')})"
    )

    await prune(db, retention_days=90)

    left = {
        "rate_events": "SELECT array_agg(bucket) FROM rate_events",
        "mail_links": "SELECT array_agg(email) FROM mail_links",
        "web_sessions": "SELECT array_agg(csrf_token) FROM web_sessions",
        "email_daily_counts": "SELECT array_agg(address) FROM email_daily_counts",
        "outbox": "SELECT array_agg(topic) FROM outbox",
    }
    assert {table: await db.fetchval(sql) for table, sql in left.items()} == {
        table: ["stay"] for table in left
    }
    changes = await db.fetchval(
        "SELECT array_agg(changed_at > now() - interval '7 days') FROM subscription_changes"
    )
    assert changes == [True]
