"""Sign-up, login and recovery by magic link; sessions; no enumeration; link lifetimes."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import httpx

from tests.integration.web.conftest import BASE, NewClient, log_in, unique_address
from tests.integration.web.mail import latest_link, wait_for_mails


async def test_sign_up_then_log_in_again(
    client_factory: NewClient, maildir: Path, db: asyncpg.Connection
) -> None:
    address = unique_address()
    first = client_factory()
    await log_in(first, maildir, address)
    account = await db.fetchrow("SELECT id, email FROM freelancers WHERE email = $1", address)
    assert account is not None
    # The login proved the address: it is a receiving channel, with its consent record.
    channel = await db.fetchrow(
        "SELECT verified_at, verified_ip FROM channels WHERE freelancer_id = $1", account["id"]
    )
    assert channel is not None and channel["verified_at"] is not None
    assert channel["verified_ip"]

    # A lost session: the same flow on another device finds the same account.
    second = client_factory()
    await log_in(second, maildir, address, nth=2)
    count = await db.fetchval("SELECT count(*) FROM freelancers WHERE email = $1", address)
    assert count == 1


async def test_session_cookie_is_httponly_lax_and_not_cached(
    client: httpx.AsyncClient, maildir: Path
) -> None:
    address = unique_address()
    await client.post("/login", data={"email": address})
    path = (await latest_link(maildir, address, "/auth/")).removeprefix(BASE)
    answer = await client.post(path)
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # served over http in this test; https sets Secure
    assert answer.headers["cache-control"] == "no-store"


async def test_a_link_works_once_and_a_get_does_not_spend_it(
    client: httpx.AsyncClient, maildir: Path
) -> None:
    address = unique_address()
    await client.post("/login", data={"email": address})
    path = (await latest_link(maildir, address, "/auth/")).removeprefix(BASE)
    for _ in range(3):  # a mail scanner prefetching the link
        assert (await client.get(path)).status_code == 200
    assert (await client.post(path)).status_code == 303
    assert (await client.post(path)).status_code == 404
    assert (await client.get(path)).status_code == 404


async def test_an_expired_link_is_refused(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    address = unique_address()
    await client.post("/login", data={"email": address})
    path = (await latest_link(maildir, address, "/auth/")).removeprefix(BASE)
    lifetime = await db.fetchval(
        "SELECT expires_at - created_at FROM mail_links WHERE email = $1", address
    )
    assert 14 * 60 <= lifetime.total_seconds() <= 16 * 60
    await db.execute("UPDATE mail_links SET expires_at = now() - interval '1 second'")
    assert (await client.post(path)).status_code == 404


async def test_links_are_stored_hashed(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    address = unique_address()
    await client.post("/login", data={"email": address})
    token = (await latest_link(maildir, address, "/auth/")).rsplit("/", 1)[1]
    stored = await db.fetchval("SELECT token_hash FROM mail_links WHERE email = $1", address)
    assert token.encode() != stored and token.encode() not in stored


async def test_known_and_unknown_addresses_get_the_same_answer(
    client_factory: NewClient, maildir: Path
) -> None:
    known = unique_address("known")
    await log_in(client_factory(), maildir, known)
    unknown = unique_address("unknown")
    a = await client_factory().post("/login", data={"email": known})
    b = await client_factory().post("/login", data={"email": unknown})
    assert a.status_code == b.status_code == 200
    assert a.text.replace(known, "X") == b.text.replace(unknown, "X")
    # Both get a mail: one to log in, one to sign up; neither page says which.
    assert len(await wait_for_mails(maildir, unknown, 1)) == 1


async def test_new_session_id_at_login(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    """No fixation: a session id the browser carried is never kept across a login."""
    address = unique_address()
    await log_in(client, maildir, address)
    before = client.cookies.get("gigalert_session")
    await client.post("/login", data={"email": address})
    path = (await latest_link(maildir, address, "/auth/", count=2)).removeprefix(BASE)
    await client.post(path)
    after = client.cookies.get("gigalert_session")
    assert before and after and before != after
    # The old id is gone from the server, not merely replaced in this browser.
    stale = httpx.AsyncClient(transport=client._transport, base_url=BASE)
    stale.cookies.set("gigalert_session", before)
    assert (await stale.get("/home")).status_code == 303
    await stale.aclose()
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 1


async def test_planted_cookie_is_not_adopted(client_factory: NewClient, maildir: Path) -> None:
    planted = "attacker-chosen-session-id-0123456789abcdef"
    victim = client_factory()
    victim.cookies.set("gigalert_session", planted, domain="testserver.local")
    await log_in(victim, maildir, unique_address())
    assert victim.cookies.get("gigalert_session") != planted
    attacker = client_factory()
    attacker.cookies.set("gigalert_session", planted, domain="testserver.local")
    assert (await attacker.get("/home")).status_code == 303


async def test_log_out_and_log_out_everywhere(client_factory: NewClient, maildir: Path) -> None:
    address = unique_address()
    phone, laptop = client_factory(), client_factory()
    csrf_phone = await log_in(phone, maildir, address)
    csrf_laptop = await log_in(laptop, maildir, address, nth=2)
    assert (await phone.post("/logout", data={"csrf": csrf_phone})).status_code == 200
    assert (await phone.get("/home")).status_code == 303
    assert (await laptop.get("/home")).status_code == 200
    await log_in(phone, maildir, address, nth=3)
    assert (await laptop.post("/logout/all", data={"csrf": csrf_laptop})).status_code == 200
    assert (await phone.get("/home")).status_code == 303
    assert (await laptop.get("/home")).status_code == 303


async def test_mails_per_address_are_limited_silently(
    client_factory: NewClient, maildir: Path
) -> None:
    address = unique_address("flood")
    answers = [await client_factory().post("/login", data={"email": address}) for _ in range(8)]
    assert {a.status_code for a in answers} == {200}
    assert len(await wait_for_mails(maildir, address, 5, timeout=5)) == 5
    assert len(await wait_for_mails(maildir, address, 6, timeout=1)) == 5


async def test_mails_per_ip_are_limited(client: httpx.AsyncClient) -> None:
    codes = [
        (await client.post("/login", data={"email": unique_address("ip")})).status_code
        for _ in range(21)
    ]
    assert codes[:20] == [200] * 20
    assert codes[20] == 429


async def test_a_bad_address_is_named(client: httpx.AsyncClient) -> None:
    answer = await client.post("/login", data={"email": "not an address"})
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.text
