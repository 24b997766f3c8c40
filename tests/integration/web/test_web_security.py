"""The web app's security rules, each with a test that fails when the rule is removed."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from gigalert_shared.logs import mask_secrets
from gigalert_web.http_safety import CSP
from tests.integration.web.conftest import BASE, NewClient, log_in, unique_address
from tests.integration.web.mail import latest_link

TEMPLATES = Path(__file__).resolve().parents[3] / "services/web/src/gigalert_web/templates"


async def test_a_signed_in_form_without_its_csrf_token_is_refused(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    form = {"name": "x", "remote_modes": "remote"}
    assert (await client.post("/searches", data=form)).status_code == 403
    assert (await client.post("/searches", data={**form, "csrf": "wrong"})).status_code == 403
    assert await db.fetchval("SELECT count(*) FROM subscriptions") == 0
    assert (await client.post("/searches", data={**form, "csrf": csrf})).status_code == 303


async def test_a_cross_site_post_is_refused_by_origin(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    form = {"name": "x", "remote_modes": "remote", "csrf": csrf}
    evil = await client.post("/searches", data=form, headers={"origin": "https://evil.example"})
    assert evil.status_code == 403
    null = await client.post("/login", data={"email": unique_address()}, headers={"origin": "null"})
    assert null.status_code == 403
    ours = await client.post("/searches", data=form, headers={"origin": BASE})
    assert ours.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM subscriptions") == 1


async def test_security_headers_on_every_page(client: httpx.AsyncClient) -> None:
    for path in ("/", "/static/app.css", "/nope"):
        answer = await client.get(path)
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
    assert "unsafe-inline" not in CSP


def test_templates_carry_no_inline_script_or_handler() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"inline script in {template.name}"
        assert not re.search(r"\son[a-z]+=", text), f"event handler attribute in {template.name}"
        assert "hx-on" not in text and "style=" not in text, template.name


def test_one_time_links_never_reach_the_logs() -> None:
    line = '127.0.0.1:5 - "GET /auth/AbCdEf0123456789_-xyz HTTP/1.1" 200'
    assert "AbCdEf0123456789" not in mask_secrets(line)
    for path in ("/confirm/", "/v1/unsubscribe/", "/account/delete/"):
        assert "s3cr3tT0ken" not in mask_secrets(f'"POST {path}s3cr3tT0ken.sig HTTP/1.1"')


async def test_new_token_answers_are_not_cached(client: httpx.AsyncClient, maildir: Path) -> None:
    signup = await client.post("/v1/freelancers", json={"display_name": "スクリプト"})
    assert signup.status_code == 201 and signup.headers["cache-control"] == "no-store"
    csrf = await log_in(client, maildir, unique_address())
    created = await client.post("/account/tokens", data={"csrf": csrf, "label": "cron"})
    assert created.headers["cache-control"] == "no-store"
    token = created.text.split("data-token>", 1)[1].split("<", 1)[0]
    me = await client.get("/v1/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200
    # Shown once: the account page never shows it again.
    assert token not in (await client.get("/account")).text


async def test_anonymous_api_sign_up_is_limited(client: httpx.AsyncClient) -> None:
    codes = [
        (await client.post("/v1/freelancers", json={"display_name": f"n{i}"})).status_code
        for i in range(12)
    ]
    assert codes[:10] == [201] * 10 and codes[10:] == [429, 429]


async def test_another_freelancers_ids_answer_404_on_the_api(
    client_factory: NewClient, db: asyncpg.Connection
) -> None:
    a, b = client_factory(), client_factory()
    ta = (await a.post("/v1/freelancers", json={"display_name": "a"})).json()["token"]
    tb = (await b.post("/v1/freelancers", json={"display_name": "b"})).json()["token"]
    ha, hb = {"authorization": f"Bearer {ta}"}, {"authorization": f"Bearer {tb}"}
    sub = (await a.post("/v1/subscriptions", json={"name": "A"}, headers=ha)).json()
    line = (await a.post("/v1/channels", json={"kind": "line"}, headers=ha)).json()
    for method, path in (
        ("GET", f"/v1/subscriptions/{sub['id']}"),
        ("POST", f"/v1/subscriptions/{sub['id']}/pause"),
        ("DELETE", f"/v1/subscriptions/{sub['id']}"),
        ("GET", f"/v1/subscriptions/{sub['id']}/preview"),
        ("POST", f"/v1/channels/{line['id']}/pause"),
        ("DELETE", f"/v1/channels/{line['id']}"),
    ):
        answer = await b.request(method, path, headers=hb)
        assert answer.status_code == 404, (method, path)
    assert await db.fetchval("SELECT count(*) FROM subscriptions WHERE active") == 1
    assert line["link_code"] and line["status"] == "pending"


async def test_previews_are_rate_limited_per_account(
    client: httpx.AsyncClient, maildir: Path
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    form = {"csrf": csrf, "remote_modes": "remote"}
    answers = [await client.post("/searches/preview", data=form) for _ in range(61)]
    assert all("data-count" in a.text for a in answers[:60])
    assert "data-count" not in answers[60].text


async def test_previews_do_not_stall_other_requests(
    client_factory: NewClient, maildir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matching runs in worker threads (two at a time): while slow previews run, a plain
    request still answers at once. Each preview is made to block for 0.3 s."""
    import gigalert_web.preview as preview_module

    original = preview_module.run_preview

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(preview_module, "run_preview", slow)
    heavy = client_factory()
    csrf = await log_in(heavy, maildir, unique_address())
    light = client_factory()

    async def previews() -> None:
        form = {"csrf": csrf, "remote_modes": "remote"}
        await asyncio.gather(*(heavy.post("/searches/preview", data=form) for _ in range(10)))

    async def probe() -> float:
        await asyncio.sleep(0.1)
        start = time.perf_counter()
        assert (await light.get("/")).status_code == 200
        return time.perf_counter() - start

    _, waited = await asyncio.gather(previews(), probe())
    assert waited < 0.25


async def test_export_has_no_secrets_and_delete_removes_personal_data(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection, fake_slack: object
) -> None:
    address = unique_address("leaving")
    csrf = await log_in(client, maildir, address)
    await client.post("/account/tokens", data={"csrf": csrf, "label": "cron"})
    await client.post("/searches", data={"csrf": csrf, "name": "x", "remote_modes": "remote"})
    exported = await client.get("/account/export")
    assert exported.headers["content-disposition"].startswith("attachment")
    data = exported.json()
    assert data["account"]["email"] == address and len(data["subscriptions"]) == 1
    text = exported.text
    for secret in ("token_hash", "id_hash", "csrf_token", "secret_encrypted", "link_code_hash"):
        assert secret not in text

    freelancer = await db.fetchval("SELECT id FROM freelancers WHERE email = $1", address)
    channel = await db.fetchval("SELECT id FROM channels WHERE freelancer_id = $1", freelancer)
    await db.execute(
        "INSERT INTO deliveries (alert_id, channel_id, freelancer_id, payload) "
        "VALUES (gen_random_uuid(), $1, $2, '{}')",
        channel,
        freelancer,
    )
    await client.post("/account/delete", data={"csrf": csrf})
    link = (await latest_link(maildir, address, "/account/delete/", count=2)).removeprefix(BASE)
    assert (await client.get(link)).status_code == 200  # a button, nothing deleted yet
    assert await db.fetchval("SELECT count(*) FROM freelancers WHERE id = $1", freelancer) == 1
    assert (await client.post(link)).status_code == 200
    for table in ("freelancers", "channels", "subscriptions", "web_sessions", "api_tokens"):
        column = "id" if table == "freelancers" else "freelancer_id"
        count = await db.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", freelancer)
        assert count == 0, table
    assert (
        await db.fetchval("SELECT count(*) FROM deliveries WHERE freelancer_id = $1", freelancer)
        == 0
    )
    assert await db.fetchval("SELECT count(*) FROM mail_links WHERE email = $1", address) == 0
    assert (await client.get("/home")).status_code == 303
