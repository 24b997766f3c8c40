"""Channels receive nothing until proven: email by double opt-in, LINE by a code sent to the
official account (signed webhook), Slack by a test message that went through."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import httpx

from tests.integration.web.conftest import (
    BASE,
    FakeSlack,
    NewClient,
    csrf_of,
    line_event,
    log_in,
    post_line,
    unique_address,
)
from tests.integration.web.mail import latest_link, wait_for_mails

USER = "U" + "a1" * 16


async def _channel(db: asyncpg.Connection, kind: str) -> asyncpg.Record:
    row = await db.fetchrow(
        "SELECT * FROM channels WHERE kind = $1 ORDER BY created_at DESC LIMIT 1", kind
    )
    assert row is not None
    return row


async def test_a_second_address_is_confirmed_by_its_own_mail(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address("owner"))
    second = unique_address("second")
    added = await client.post("/channels/email", data={"csrf": csrf, "address": second})
    assert added.status_code == 200 and second in added.text
    row = await db.fetchrow("SELECT * FROM channels WHERE target = $1", second)
    assert row is not None and row["verified_at"] is None  # receives nothing yet
    page = await client.get("/channels")
    assert 'data-status="pending"' in page.text

    link = (await latest_link(maildir, second, "/confirm/")).removeprefix(BASE)
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=BASE)
    assert (await anonymous.get(link)).status_code == 200  # a scanner's GET proves nothing
    row = await db.fetchrow("SELECT * FROM channels WHERE target = $1", second)
    assert row is not None and row["verified_at"] is None
    assert (await anonymous.post(link)).status_code == 200
    await anonymous.aclose()
    row = await db.fetchrow("SELECT * FROM channels WHERE target = $1", second)
    assert row is not None and row["verified_at"] is not None and row["verified_ip"]
    assert 'data-status="active"' in (await client.get("/channels")).text


async def test_an_address_is_a_proven_channel_of_one_account_only(
    client_factory: NewClient, maildir: Path, db: asyncpg.Connection
) -> None:
    victim = unique_address("victim")
    owner = client_factory()
    await log_in(owner, maildir, victim)  # the victim's own account proves the address
    attacker = client_factory()
    csrf = await log_in(attacker, maildir, unique_address("attacker"))
    await attacker.post("/channels/email", data={"csrf": csrf, "address": victim})
    link = (await latest_link(maildir, victim, "/confirm/", count=2)).removeprefix(BASE)
    taken = await attacker.post(link)
    assert taken.status_code == 409
    proven = await db.fetchval(
        "SELECT count(*) FROM channels WHERE target = $1 AND verified_at IS NOT NULL", victim
    )
    assert proven == 1


async def test_line_is_linked_by_code_and_unfollow_disables_it(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    shown = await client.post("/channels/line", data={"csrf": csrf})
    assert shown.status_code == 200
    code = shown.text.split('data-code="', 1)[1].split('"', 1)[0]
    assert len(code) == 6
    assert "line.me" in shown.text and 'class="qr"' in shown.text
    row = await _channel(db, "line")
    assert row["target"] is None and row["verified_at"] is None

    assert (await post_line(client, line_event("follow", USER))).status_code == 200
    linked = await post_line(client, line_event("message", USER, f" {code.lower()} "))
    assert linked.status_code == 200
    row = await _channel(db, "line")
    assert row["target"] == USER and row["verified_at"] is not None
    assert row["link_code_hash"] is None  # a code links once
    assert 'data-kind="line" data-status="active"' in (await client.get("/channels")).text

    await post_line(client, line_event("unfollow", USER))
    row = await _channel(db, "line")
    assert not row["active"] and row["disabled_reason"] == "line_unfollowed"
    page = (await client.get("/channels")).text
    assert 'data-kind="line" data-status="disabled"' in page
    assert "友だち解除" in page  # the page says why

    await post_line(client, line_event("follow", USER))  # friends again: on again
    assert (await _channel(db, "line"))["active"]


async def test_line_webhook_refuses_a_bad_or_missing_signature(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    shown = await client.post("/channels/line", data={"csrf": csrf})
    code = shown.text.split('data-code="', 1)[1].split('"', 1)[0]
    message = line_event("message", USER, code)
    assert (await post_line(client, message, signature=None)).status_code == 401
    assert (await post_line(client, message, signature="AAAA")).status_code == 401
    body = json.dumps({"events": [message]}).encode()
    from tests.integration.web.conftest import line_signature

    forged = line_signature(body, secret="not-our-secret")
    assert (await post_line(client, message, signature=forged)).status_code == 401
    row = await _channel(db, "line")
    assert row["target"] is None and row["verified_at"] is None


async def test_link_code_guessing_is_limited(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    shown = await client.post("/channels/line", data={"csrf": csrf})
    code = shown.text.split('data-code="', 1)[1].split('"', 1)[0]
    guesser = "U" + "b2" * 16
    for i in range(10):
        await post_line(client, line_event("message", guesser, f"ZZZZZ{i % 8 + 2}"))
    # The right code, from a user past the limit, links nothing.
    await post_line(client, line_event("message", guesser, code))
    row = await _channel(db, "line")
    assert row["verified_at"] is None
    # The code still works for a user within the limit.
    await post_line(client, line_event("message", USER, code))
    assert (await _channel(db, "line"))["target"] == USER
    recorded = "SELECT count(*) FROM rate_events WHERE bucket = $1"
    assert await db.fetchval(recorded, f"line-code:{guesser}") == 10  # each wrong code once
    assert await db.fetchval(recorded, f"line-code:{USER}") == 0  # a right one is not


async def test_slack_is_on_only_after_its_test_message(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection, fake_slack: FakeSlack
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    failing = fake_slack.prefix + "T0X/B0X/nope"
    refused = await client.post("/channels/slack", data={"csrf": csrf, "webhook_url": failing})
    assert refused.status_code == 422 and "HTTP 404" in refused.text
    assert await db.fetchval("SELECT count(*) FROM channels WHERE kind = 'slack'") == 0

    good = fake_slack.prefix + "T0K/B0K/secretpart123"
    added = await client.post("/channels/slack", data={"csrf": csrf, "webhook_url": good})
    assert added.status_code == 200
    assert json.loads(fake_slack.received[-1])["text"].startswith("gigalert")
    row = await _channel(db, "slack")
    assert row["verified_at"] is not None
    assert "secretpart123" not in row["target"]  # masked; the URL itself is encrypted
    assert b"secretpart123" not in row["secret_encrypted"]
    assert "secretpart123" not in (await client.get("/channels")).text


async def test_slack_outside_the_allowed_prefix_is_refused_without_a_call(
    client: httpx.AsyncClient, maildir: Path, fake_slack: FakeSlack
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        f"http://127.0.0.1:{fake_slack.port}/other/T0K/B0K/x",
        "https://hooks.slack.com.evil.example/services/T/B/x",
    ):
        answer = await client.post("/channels/slack", data={"csrf": csrf, "webhook_url": url})
        assert answer.status_code == 422
    assert fake_slack.received == []


async def test_pause_resume_delete_and_which_searches_use_a_channel(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    channel = await _channel(db, "email")
    await client.post("/searches", data={"csrf": csrf, "name": "PMO副業", "remote_modes": "remote"})
    page = (await client.get("/channels")).text
    assert "PMO副業" in page
    await client.post(f"/channels/{channel['id']}/pause", data={"csrf": csrf})
    assert (await _channel(db, "email"))["paused"]
    await client.post(f"/channels/{channel['id']}/resume", data={"csrf": csrf})
    assert not (await _channel(db, "email"))["paused"]
    await client.post(f"/channels/{channel['id']}/delete", data={"csrf": csrf})
    assert await db.fetchval("SELECT count(*) FROM channels") == 0
    assert csrf_of(page)


async def test_confirmation_mails_count_against_the_address_limit(
    client: httpx.AsyncClient, maildir: Path
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    target = unique_address("target")
    await client.post("/channels/email", data={"csrf": csrf, "address": target})
    for _ in range(6):
        await client.post(f"/channels/{(await _first_pending(client))}/resend", data={"csrf": csrf})
    assert len(await wait_for_mails(maildir, target, 6, timeout=2)) == 5


async def _first_pending(client: httpx.AsyncClient) -> str:
    page = (await client.get("/channels")).text
    marker = page.index('data-status="pending"')
    action = page.index('action="/channels/', marker) + len('action="/channels/')
    return page[action : page.index("/", action)]


async def test_asking_twice_for_line_renews_the_code_of_the_waiting_channel(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf = await log_in(client, maildir, unique_address())
    first = await client.post("/channels/line", data={"csrf": csrf})
    old = first.text.split('data-code="', 1)[1].split('"', 1)[0]
    second = await client.post("/channels/line", data={"csrf": csrf})
    new = second.text.split('data-code="', 1)[1].split('"', 1)[0]
    assert await db.fetchval("SELECT count(*) FROM channels WHERE kind = 'line'") == 1
    await post_line(client, line_event("message", USER, old))
    assert (await _channel(db, "line"))["verified_at"] is None  # the old code is gone
    await post_line(client, line_event("message", USER, new))
    assert (await _channel(db, "line"))["target"] == USER
