"""The freelancer API: authentication, ownership, validation, secrets at rest."""

from __future__ import annotations

import asyncpg
import httpx

from tests.matcher.conftest import new_freelancer

SLACK = "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx"
PMO_SUB = {
    "name": "PMO副業",
    "remote_modes": ["remote"],
    "min_rate_jpy_h": 4500,
    "domains": ["pmo"],
    "keywords_any": ["ＰＭＯ"],
    "max_days_per_week": 2,
}


async def test_every_call_needs_a_token(matcher: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/v1/me"),
        ("GET", "/v1/channels"),
        ("POST", "/v1/channels"),
        ("GET", "/v1/subscriptions"),
        ("POST", "/v1/subscriptions"),
    ]:
        r = await matcher.request(method, path, json={})
        assert r.status_code == 401, (method, path)
    bad = await matcher.get("/v1/me", headers={"Authorization": "Bearer gt_forged"})
    assert bad.status_code == 401


async def test_channels_are_structured_and_secrets_encrypted(
    matcher: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    me = await new_freelancer(matcher)
    ok = await matcher.post(
        "/v1/channels", json={"kind": "email", "address": "taro@example.jp"}, headers=me.auth
    )
    assert ok.status_code == 201 and ok.json()["target"] == "taro@example.jp"

    slack = await matcher.post(
        "/v1/channels", json={"kind": "slack", "webhook_url": SLACK}, headers=me.auth
    )
    assert slack.status_code == 201, slack.text
    assert "abcdefghijklmnop" not in slack.text
    listed = await matcher.get("/v1/channels", headers=me.auth)
    assert SLACK not in listed.text and len(listed.json()) == 2
    stored = await db.fetchrow("SELECT target, secret_encrypted FROM channels WHERE kind = 'slack'")
    assert stored is not None
    assert SLACK.encode() not in stored["secret_encrypted"]
    assert "abcdefghijklmnop" not in stored["target"]

    for bad in [
        {"kind": "slack", "webhook_url": "http://169.254.169.254/latest/meta-data"},
        {"kind": "slack", "webhook_url": "https://hooks.slack.com.evil.jp/services/T/B/x"},
        {"kind": "slack", "webhook_url": SLACK + "?x=@127.0.0.1"},
        {"kind": "line", "user_id": "../../admin"},
        {"kind": "email", "address": "not-an-address"},
        {"kind": "apprise", "url": "json://127.0.0.1:8080"},
    ]:
        r = await matcher.post("/v1/channels", json=bad, headers=me.auth)
        assert r.status_code == 422, bad


async def test_subscription_lifecycle_and_validation(matcher: httpx.AsyncClient) -> None:
    me = await new_freelancer(matcher)
    r = await matcher.post("/v1/subscriptions", json=PMO_SUB, headers=me.auth)
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["keywords_any"] == ["pmo"]  # folded: ＰＭＯ and PMO are one keyword
    assert sub["active"] is True
    sid = sub["id"]

    paused = await matcher.post(f"/v1/subscriptions/{sid}/pause", headers=me.auth)
    assert paused.json()["active"] is False
    resumed = await matcher.post(f"/v1/subscriptions/{sid}/resume", headers=me.auth)
    assert resumed.json()["active"] is True
    updated = await matcher.put(
        f"/v1/subscriptions/{sid}", json={**PMO_SUB, "min_rate_jpy_h": 6000}, headers=me.auth
    )
    assert updated.json()["min_rate_jpy_h"] == 6000
    assert len((await matcher.get("/v1/subscriptions", headers=me.auth)).json()) == 1
    assert (await matcher.delete(f"/v1/subscriptions/{sid}", headers=me.auth)).status_code == 204
    assert (await matcher.get(f"/v1/subscriptions/{sid}", headers=me.auth)).status_code == 404

    bad = await matcher.post(
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
    ]:
        r = await matcher.post("/v1/subscriptions", json={**PMO_SUB, field: value}, headers=me.auth)
        assert r.status_code == 422, field
        assert r.json()["detail"][0]["loc"][:2] == ["body", field]


async def test_a_freelancer_sees_only_their_own_data(matcher: httpx.AsyncClient) -> None:
    alice = await new_freelancer(matcher, "alice")
    bob = await new_freelancer(matcher, "bob")
    sid = (await matcher.post("/v1/subscriptions", json=PMO_SUB, headers=alice.auth)).json()["id"]
    cid = (
        await matcher.post(
            "/v1/channels", json={"kind": "email", "address": "a@example.jp"}, headers=alice.auth
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
    ]:
        kwargs = {"json": PMO_SUB} if method == "PUT" else {}
        r = await matcher.request(method, path, headers=bob.auth, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 404, (method, path)
    assert (await matcher.get("/v1/subscriptions", headers=bob.auth)).json() == []
    assert (await matcher.get("/v1/channels", headers=bob.auth)).json() == []
    still = await matcher.get(f"/v1/subscriptions/{sid}", headers=alice.auth)
    assert still.status_code == 200 and still.json()["active"] is True


async def test_tokens_are_stored_hashed(matcher: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    me = await new_freelancer(matcher)
    stored = await db.fetchval("SELECT token_hash FROM freelancers WHERE id = $1::uuid", me.id)
    assert me.token.encode() not in stored and len(stored) == 32
