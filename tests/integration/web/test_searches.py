"""Saved searches from the form: every criterion, the live preview, pause, resume,
duplicate, delete, and per-search channels."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx

from gigalert_web.i18n import text
from tests.integration.web.conftest import NewClient, log_in, unique_address
from tests.integration.web.gigs import insert_gig


async def test_every_criterion_is_stored_from_the_form(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    channel = await db.fetchval("SELECT id FROM channels")
    answer = await client.post(
        "/searches",
        data={
            "csrf": csrf,
            "name": "PMO副業",
            "remote_modes": ["remote", "hybrid"],
            "min_rate_jpy_h": "4,500",
            "include_unknown_rate": "on",
            "domains": ["pmo", "consulting"],
            "keywords_any": "ＰＭＯ、Jira",
            "keywords_none": "常駐",
            "max_days_per_week": "2",
            "locations": "東京",
            "frequency": "weekly",
            "digest_hour": "9",
            "weekly_day": "4",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "channel_ids": [str(channel)],
        },
    )
    assert answer.status_code == 303, answer.text
    row = await db.fetchrow("SELECT * FROM subscriptions")
    assert row is not None
    assert row["remote_modes"] == ["hybrid", "remote"]
    assert row["min_rate_jpy_h"] == 4500 and row["include_unknown_rate"]
    assert row["domains"] == ["consulting", "pmo"]
    assert row["keywords_any"] == ["jira", "pmo"] and row["keywords_none"] == ["常駐"]
    assert row["max_days_per_week"] == 2 and row["locations"] == ["東京"]
    assert (row["frequency"], row["digest_hour"], row["weekly_day"]) == ("weekly", 9, 4)
    assert str(row["quiet_start"]) == "22:00:00" and row["channel_ids"] == [channel]


async def test_a_wrong_field_is_named_and_nothing_is_stored(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    answer = await client.post(
        "/searches", data={"csrf": csrf, "name": "x", "min_rate_jpy_h": "たくさん"}
    )
    assert answer.status_code == 422
    assert 'id="min_rate_jpy_h-error"' in answer.text
    answer = await client.post(
        "/searches", data={"csrf": csrf, "name": "x", "quiet_start": "22:00"}
    )
    assert answer.status_code == 422
    assert await db.fetchval("SELECT count(*) FROM subscriptions") == 0


async def test_live_preview_changes_with_the_criteria(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    await insert_gig(db, title="SaaS新規事業PMO", rate=5000)
    await insert_gig(db, title="PMO（常駐）", rate=3000)
    await insert_gig(db, title="古いPMO案件", rate=6000, age=timedelta(days=40))
    csrf = await log_in(client, maildir, unique_address())
    wide = await client.post(
        "/searches/preview", data={"csrf": csrf, "remote_modes": ["remote"], "domains": "pmo"}
    )
    assert 'data-count="2"' in wide.text and "SaaS新規事業PMO" in wide.text
    narrow = await client.post(
        "/searches/preview",
        data={"csrf": csrf, "remote_modes": ["remote"], "min_rate_jpy_h": "4500"},
    )
    assert 'data-count="1"' in narrow.text
    assert "¥5,000" in narrow.text  # the reason, not just the count
    none = await client.post(
        "/searches/preview", data={"csrf": csrf, "remote_modes": ["remote"], "domains": "pr"}
    )
    assert 'data-count="0"' in none.text
    assert await db.fetchval("SELECT count(*) FROM subscriptions") == 0  # nothing saved


async def test_preview_without_javascript_re_renders_the_form(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    await insert_gig(db, title="広報PR支援", domains=("pr",))
    csrf = await log_in(client, maildir, unique_address())
    answer = await client.post(
        "/searches",
        data={
            "csrf": csrf,
            "name": "PR",
            "domains": "pr",
            "remote_modes": "remote",
            "intent": "preview",
        },
    )
    assert answer.status_code == 200 and 'data-count="1"' in answer.text
    assert 'value="PR"' in answer.text
    assert await db.fetchval("SELECT count(*) FROM subscriptions") == 0


async def test_pause_resume_duplicate_delete(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    await client.post(
        "/searches",
        data={"csrf": csrf, "name": "データ分析", "domains": "data", "remote_modes": "remote"},
    )
    sid = await db.fetchval("SELECT id FROM subscriptions")
    await client.post(f"/searches/{sid}/pause", data={"csrf": csrf})
    assert not await db.fetchval("SELECT active FROM subscriptions WHERE id = $1", sid)
    await client.post(f"/searches/{sid}/resume", data={"csrf": csrf})
    assert await db.fetchval("SELECT active FROM subscriptions WHERE id = $1", sid)
    await client.post(f"/searches/{sid}/duplicate", data={"csrf": csrf})
    names = await db.fetch("SELECT name, domains FROM subscriptions ORDER BY created_at")
    assert [r["name"] for r in names] == ["データ分析", "データ分析（コピー）"]
    assert names[1]["domains"] == ["data"]
    await client.post(f"/searches/{sid}/delete", data={"csrf": csrf})
    assert await db.fetchval("SELECT count(*) FROM subscriptions") == 1
    edit = await client.get(f"/searches/{sid}")
    assert edit.status_code == 404


async def test_another_freelancers_search_answers_404(
    client_factory: NewClient, maildir: Path, db: asyncpg.Connection
) -> None:
    owner = client_factory()
    csrf_owner = await log_in(owner, maildir, unique_address("owner"))
    await owner.post(
        "/searches", data={"csrf": csrf_owner, "name": "秘密の条件", "remote_modes": "remote"}
    )
    sid = await db.fetchval("SELECT id FROM subscriptions")
    other = client_factory()
    csrf = await log_in(other, maildir, unique_address("other"))
    assert (await other.get(f"/searches/{sid}")).status_code == 404
    for action in ("pause", "delete", "duplicate"):
        answer = await other.post(f"/searches/{sid}/{action}", data={"csrf": csrf})
        assert answer.status_code == 404
    assert await db.fetchval("SELECT active FROM subscriptions WHERE id = $1", sid)
    assert "秘密の条件" not in (await other.get("/searches")).text


# What the browser posts for the new-search form as it opens: no criterion yet.
_UNTOUCHED = {
    "name": "",
    "remote_modes": ["remote", "hybrid", "onsite"],
    "include_unknown_rate": "on",
    "frequency": "instant",
    "digest_hour": "8",
    "weekly_day": "0",
    "all_channels": "on",
}


async def _previews_spent(db: asyncpg.Connection) -> int:
    owner = await db.fetchval("SELECT id FROM freelancers")
    found: int = await db.fetchval(
        "SELECT count(*) FROM rate_events WHERE bucket = $1", f"preview:{owner}"
    )
    return found


async def test_opening_a_new_search_spends_no_preview(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    await insert_gig(db, title="SaaS新規事業PMO")
    csrf = await log_in(client, maildir, unique_address())
    opened = await client.get("/searches/new")
    assert 'hx-trigger="load"' not in opened.text  # nothing asked for as the page opens
    assert "data-no-criterion" in opened.text
    named = await client.post("/searches/preview", data={"csrf": csrf, **_UNTOUCHED, "name": "x"})
    assert "data-no-criterion" in named.text and "data-count" not in named.text
    assert 'hx-trigger="load"' not in named.text  # the fragment does not ask again
    assert await _previews_spent(db) == 0
    chosen = await client.post(
        "/searches/preview", data={"csrf": csrf, **_UNTOUCHED, "domains": "pmo"}
    )
    assert 'data-count="1"' in chosen.text
    assert await _previews_spent(db) == 1


async def test_a_form_without_a_criterion_is_answered_even_past_the_limit(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    owner = await db.fetchval("SELECT id FROM freelancers")
    await db.execute(
        "INSERT INTO rate_events (bucket) SELECT $1 FROM generate_series(1, 60)",
        f"preview:{owner}",
    )
    untouched = await client.post("/searches/preview", data={"csrf": csrf, **_UNTOUCHED})
    assert "data-no-criterion" in untouched.text
    limited = await client.post(
        "/searches/preview", data={"csrf": csrf, **_UNTOUCHED, "domains": "pmo"}
    )
    assert text("ja", "too_many.body") in limited.text and "data-count" not in limited.text
    button = await client.post(
        "/searches", data={"csrf": csrf, **_UNTOUCHED, "domains": "pmo", "intent": "preview"}
    )
    assert button.status_code == 200 and text("ja", "too_many.body") in button.text
    assert 'hx-trigger="load"' not in button.text  # past the limit: not asked again
    assert await _previews_spent(db) == 60


async def test_a_saved_search_loads_its_preview_when_it_has_a_criterion(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    for name, extra in (("PMO", {"domains": "pmo"}), ("all", {})):
        saved = await client.post(
            "/searches", data={"csrf": csrf, **_UNTOUCHED, **extra, "name": name}
        )
        assert saved.status_code == 303
    ids = {r["name"]: r["id"] for r in await db.fetch("SELECT name, id FROM subscriptions")}
    assert 'hx-trigger="load"' in (await client.get(f"/searches/{ids['PMO']}")).text
    assert 'hx-trigger="load"' not in (await client.get(f"/searches/{ids['all']}")).text
    assert await _previews_spent(db) == 0  # the page itself runs none
