"""The freelancer JSON API (moved from the matcher): authentication, ownership, validation,
proven channels, secrets at rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import httpx

from gigalert_shared.settings import Settings
from tests.integration.web.api_client import PMO_SUB, new_freelancer
from tests.integration.web.conftest import BASE, FakeSlack, line_event, post_line, unique_address
from tests.integration.web.mail import latest_link, wait_for_mails


def slack_url(slack: FakeSlack, secret: str = "abcdefghijklmnopqrstuvwx") -> str:
    """A webhook under the test's Slack prefix that the fake Slack accepts."""
    return f"{slack.prefix}T0K/B0BBBBBBB/{secret}"


async def test_every_call_needs_a_token(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/v1/me"),
        ("GET", "/v1/channels"),
        ("POST", "/v1/channels"),
        ("GET", "/v1/subscriptions"),
        ("POST", "/v1/subscriptions"),
        ("POST", "/v1/subscriptions/preview"),
        ("GET", "/v1/alerts"),
        ("GET", "/v1/tokens"),
    ]:
        r = await client.request(method, path, json={})
        assert r.status_code == 401, (method, path)
    bad = await client.get("/v1/me", headers={"Authorization": "Bearer gt_forged"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/json")


async def test_an_email_channel_starts_pending_until_its_link_is_used(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    me = await new_freelancer(client)
    address = unique_address("api")
    r = await client.post(
        "/v1/channels", json={"kind": "email", "address": address}, headers=me.auth
    )
    assert r.status_code == 201, r.text
    channel = r.json()
    assert channel["target"] == address
    assert channel["status"] == "pending" and channel["verified_at"] is None

    # The same address twice is one channel (and one confirmation mail).
    again = await client.post(
        "/v1/channels", json={"kind": "email", "address": address.upper()}, headers=me.auth
    )
    assert again.status_code == 409, again.text

    link = await latest_link(maildir, address, "/confirm/")
    assert link.startswith(f"{BASE}/confirm/")
    path = link.removeprefix(BASE)
    assert (await client.get(path)).status_code == 200  # a GET shows a button, spends nothing
    listed = (await client.get("/v1/channels", headers=me.auth)).json()
    assert [c["status"] for c in listed] == ["pending"]
    assert (await client.post(path)).status_code == 200
    listed = (await client.get("/v1/channels", headers=me.auth)).json()
    assert [c["status"] for c in listed] == ["active"]
    assert listed[0]["verified_at"] is not None
    assert (await client.post(path)).status_code == 404  # single use
    verified_ip = await db.fetchval("SELECT verified_ip FROM channels WHERE id = $1", channel["id"])
    assert verified_ip
    assert len(await wait_for_mails(maildir, address)) == 1


async def test_slack_is_stored_only_after_its_test_message_and_encrypted(
    client: httpx.AsyncClient, fake_slack: FakeSlack, db: asyncpg.Connection
) -> None:
    me = await new_freelancer(client)
    webhook = slack_url(fake_slack)
    slack = await client.post(
        "/v1/channels", json={"kind": "slack", "webhook_url": webhook}, headers=me.auth
    )
    assert slack.status_code == 201, slack.text
    assert slack.json()["status"] == "active"
    assert "abcdefghijklmnop" not in slack.text
    assert len(fake_slack.received) == 1
    listed = await client.get("/v1/channels", headers=me.auth)
    assert webhook not in listed.text and len(listed.json()) == 1
    stored = await db.fetchrow("SELECT target, secret_encrypted FROM channels WHERE kind = 'slack'")
    assert stored is not None
    assert webhook.encode() not in stored["secret_encrypted"]
    assert "abcdefghijklmnop" not in stored["target"]

    # Slack refuses the test message: 422 naming the field, and nothing is stored.
    refused = await client.post(
        "/v1/channels",
        json={"kind": "slack", "webhook_url": f"{fake_slack.prefix}T0GONE/B0/xyz"},
        headers=me.auth,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"] == ["body", "webhook_url"]
    assert len((await client.get("/v1/channels", headers=me.auth)).json()) == 1


async def test_bad_channels_are_422(client: httpx.AsyncClient, fake_slack: FakeSlack) -> None:
    me = await new_freelancer(client)
    good = slack_url(fake_slack)
    for bad in [
        {"kind": "slack", "webhook_url": "http://169.254.169.254/latest/meta-data"},
        {"kind": "slack", "webhook_url": "https://hooks.slack.com/services/T0/B0/abc"},
        {"kind": "slack", "webhook_url": good + "?x=@127.0.0.1"},
        {"kind": "slack", "webhook_url": good + "/extra"},
        {"kind": "line", "user_id": "U" + "0" * 32},  # nobody types a userId any more
        {"kind": "email", "address": "not-an-address"},
        {"kind": "apprise", "url": "json://127.0.0.1:8080"},
    ]:
        r = await client.post("/v1/channels", json=bad, headers=me.auth)
        assert r.status_code == 422, (bad, r.text)
    assert (await client.get("/v1/channels", headers=me.auth)).json() == []
    assert fake_slack.received == []


async def test_a_line_channel_is_linked_by_its_code(client: httpx.AsyncClient) -> None:
    me = await new_freelancer(client)
    r = await client.post("/v1/channels", json={"kind": "line"}, headers=me.auth)
    assert r.status_code == 201, r.text
    started = r.json()
    assert started["status"] == "pending" and started["target"] is None
    code = started["link_code"]
    assert code and started["add_friend_url"]
    listed = (await client.get("/v1/channels", headers=me.auth)).json()
    assert listed[0]["link_code"] is None  # shown once

    user = "U" + "0123456789abcdef" * 2
    answer = await post_line(client, line_event("message", user, code.lower()))
    assert answer.status_code == 200, answer.text
    (linked,) = (await client.get("/v1/channels", headers=me.auth)).json()
    assert linked["status"] == "active"
    assert linked["target"] and user not in linked["target"]  # masked
    # The used code is spent: a new one is only for a channel still waiting.
    r = await client.post(f"/v1/channels/{linked['id']}/link-code", headers=me.auth)
    assert r.status_code == 404


async def test_subscription_lifecycle_and_validation(client: httpx.AsyncClient) -> None:
    me = await new_freelancer(client)
    r = await client.post("/v1/subscriptions", json=PMO_SUB, headers=me.auth)
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["keywords_any"] == ["pmo"]  # folded: ＰＭＯ and PMO are one keyword
    assert sub["active"] is True
    sid = sub["id"]

    paused = await client.post(f"/v1/subscriptions/{sid}/pause", headers=me.auth)
    assert paused.json()["active"] is False
    resumed = await client.post(f"/v1/subscriptions/{sid}/resume", headers=me.auth)
    assert resumed.json()["active"] is True
    updated = await client.put(
        f"/v1/subscriptions/{sid}", json={**PMO_SUB, "min_rate_jpy_h": 6000}, headers=me.auth
    )
    assert updated.json()["min_rate_jpy_h"] == 6000
    preview = await client.get(f"/v1/subscriptions/{sid}/preview", headers=me.auth)
    assert preview.status_code == 200 and preview.json()["count"] == 0
    assert len((await client.get("/v1/subscriptions", headers=me.auth)).json()) == 1
    assert (await client.delete(f"/v1/subscriptions/{sid}", headers=me.auth)).status_code == 204
    assert (await client.get(f"/v1/subscriptions/{sid}", headers=me.auth)).status_code == 404

    bad = await client.post(
        "/v1/subscriptions", json={**PMO_SUB, "domains": ["pmo", "astrology"]}, headers=me.auth
    )
    assert bad.status_code == 422
    error = bad.json()["detail"][0]
    assert error["loc"] == ["body", "domains"]
    assert "astrology" in error["msg"] and "marketing" in error["msg"]  # names valid keys
    for field, value in [
        ("min_rate_jpy_h", -1),
        ("max_days_per_week", 8),
        ("remote_modes", ["space"]),
        ("digest_hour", 24),
        ("weekly_day", 7),
    ]:
        r = await client.post("/v1/subscriptions", json={**PMO_SUB, field: value}, headers=me.auth)
        assert r.status_code == 422, field
        assert r.json()["detail"][0]["loc"][:2] == ["body", field]


async def test_a_freelancer_sees_only_their_own_data(client: httpx.AsyncClient) -> None:
    alice = await new_freelancer(client, "alice")
    bob = await new_freelancer(client, "bob")
    sid = (await client.post("/v1/subscriptions", json=PMO_SUB, headers=alice.auth)).json()["id"]
    cid = (
        await client.post(
            "/v1/channels", json={"kind": "email", "address": unique_address()}, headers=alice.auth
        )
    ).json()["id"]
    for method, path in [
        ("GET", f"/v1/subscriptions/{sid}"),
        ("PUT", f"/v1/subscriptions/{sid}"),
        ("POST", f"/v1/subscriptions/{sid}/pause"),
        ("POST", f"/v1/subscriptions/{sid}/resume"),
        ("DELETE", f"/v1/subscriptions/{sid}"),
        ("GET", f"/v1/subscriptions/{sid}/preview"),
        ("DELETE", f"/v1/channels/{cid}"),
        ("POST", f"/v1/channels/{cid}/enable"),
        ("POST", f"/v1/channels/{cid}/pause"),
        ("POST", f"/v1/channels/{cid}/resume"),
        ("POST", f"/v1/channels/{cid}/link-code"),
    ]:
        kwargs = {"json": PMO_SUB} if method == "PUT" else {}
        r = await client.request(method, path, headers=bob.auth, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 404, (method, path)
    # Nor can bob point his own search at alice's channel.
    r = await client.post(
        "/v1/subscriptions", json={**PMO_SUB, "channel_ids": [cid]}, headers=bob.auth
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "channel_ids"]
    assert (await client.get("/v1/subscriptions", headers=bob.auth)).json() == []
    assert (await client.get("/v1/channels", headers=bob.auth)).json() == []
    still = await client.get(f"/v1/subscriptions/{sid}", headers=alice.auth)
    assert still.status_code == 200 and still.json()["active"] is True


async def test_tokens_are_stored_hashed_and_can_be_revoked(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    me = await new_freelancer(client)
    stored = await db.fetchval(
        "SELECT token_hash FROM api_tokens WHERE freelancer_id = $1::uuid", me.id
    )
    assert me.token.encode() not in stored and len(stored) == 32

    r = await client.post("/v1/tokens", json={"label": "cron"}, headers=me.auth)
    assert r.status_code == 201, r.text
    second = r.json()
    other = {"Authorization": f"Bearer {second['token']}"}
    assert (await client.get("/v1/me", headers=other)).json()["id"] == me.id
    listed = (await client.get("/v1/tokens", headers=me.auth)).json()
    assert sorted(t["label"] for t in listed) == ["API", "cron"]
    assert all("token" not in t for t in listed)
    assert (await client.delete(f"/v1/tokens/{second['id']}", headers=me.auth)).status_code == 204
    assert (await client.get("/v1/me", headers=other)).status_code == 401
    assert (await client.get("/v1/me", headers=me.auth)).status_code == 200


async def test_sign_ups_are_limited_per_address(web_app: Any, web_settings: Settings) -> None:
    limit = web_settings.web.signups_per_ip_hour
    c = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web_app, client=("203.0.113.5", 4000)),
        base_url=BASE,
    )
    async with c:
        for _ in range(limit):
            r = await c.post("/v1/freelancers", json={"display_name": "bulk"})
            assert r.status_code == 201
        r = await c.post("/v1/freelancers", json={"display_name": "one too many"})
        assert r.status_code == 429 and r.headers["Retry-After"] == "3600"
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web_app, client=("198.51.100.9", 4000)),
        base_url=BASE,
    )
    async with other:
        assert (await other.post("/v1/freelancers", json={"display_name": "x"})).status_code == 201
