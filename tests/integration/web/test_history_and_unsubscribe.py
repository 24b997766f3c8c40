"""Alert history (受信した案件) and the unsubscribe link of alert mail."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import httpx
from markupsafe import escape

from gigalert_shared.crypto import Signer
from gigalert_shared.settings import Settings
from gigalert_web.i18n import text
from tests.integration.web.conftest import NewClient, log_in, unique_address
from tests.integration.web.gigs import insert_gig

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def _alert(
    db: asyncpg.Connection,
    freelancer_id: uuid.UUID,
    gig_id: uuid.UUID,
    subscription_ids: list[uuid.UUID],
    status: str = "sent",
    last_error: str | None = None,
) -> uuid.UUID:
    alert_id = uuid.uuid4()
    reasons = [{"criterion": "rate", "ok": True, "text_ja": "¥5,000/h ≥ ¥4,500", "text_en": "x"}]
    await db.execute(
        "INSERT INTO alerts (id, freelancer_id, gig_id, subscription_ids, reasons) "
        "VALUES ($1, $2, $3, $4, $5)",
        alert_id,
        freelancer_id,
        gig_id,
        subscription_ids,
        {str(subscription_ids[0]): reasons},
    )
    channel = await db.fetchval("SELECT id FROM channels WHERE freelancer_id = $1", freelancer_id)
    await db.execute(
        "INSERT INTO deliveries (alert_id, channel_id, freelancer_id, status, payload, sent_at,"
        " last_error) VALUES ($1, $2, $3, $4, '{}', "
        "CASE WHEN $4 = 'sent' THEN now() END, $5)",
        alert_id,
        channel,
        freelancer_id,
        status,
        last_error,
    )
    return alert_id


async def _account(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> tuple[str, uuid.UUID, uuid.UUID]:
    address = unique_address()
    csrf = await log_in(client, maildir, address)
    await client.post("/searches", data={"csrf": csrf, "name": "PMO副業", "remote_modes": "remote"})
    freelancer = await db.fetchval("SELECT id FROM freelancers WHERE email = $1", address)
    sid = await db.fetchval("SELECT id FROM subscriptions WHERE freelancer_id = $1", freelancer)
    return csrf, freelancer, sid


async def test_history_shows_each_alert_with_its_deliveries(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    _, freelancer, sid = await _account(client, maildir, db)
    for i in range(25):
        gig = await insert_gig(db, title=f"案件{i:02d}")
        await _alert(db, freelancer, gig, [sid])
    gig = await insert_gig(db, title="失敗した案件")
    await _alert(db, freelancer, gig, [sid], status="dead", last_error="550 mailbox unavailable")
    first = (await client.get("/alerts")).text
    assert first.index("失敗した案件") < first.index("案件24")  # newest first
    assert "送信失敗" in first and "550 mailbox unavailable" in first and "送信済み" in first
    assert text("ja", "alerts.why.unknown") in first  # a text of no known kind
    assert "案件05" not in first  # 20 a page
    next_link = first.split('href="/alerts?cursor=', 1)[1].split('"', 1)[0]
    second = (await client.get("/alerts?cursor=" + next_link.replace("&amp;", "&"))).text
    assert "案件05" in second and "案件24" not in second
    filtered = (await client.get(f"/alerts?search={uuid.uuid4()}")).text
    assert "案件24" not in filtered


async def test_a_failed_delivery_is_explained_in_the_viewers_language(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    _, freelancer, sid = await _account(client, maildir, db)
    retried = "SMTP failed: server answered: 451 4.3.0 <try later> & again"
    await _alert(db, freelancer, await insert_gig(db, title="再送"), [sid], "failed", retried)
    refused = "gave up after 3 attempts: SMTP recipient refused: a@example.jp 550 5.1.1 unknown"
    await _alert(db, freelancer, await insert_gig(db, title="失敗"), [sid], "dead", refused)
    ja = (await client.get("/alerts")).text
    assert text("ja", "alerts.why.our_side") + text("ja", "alerts.why.retrying") in ja
    assert text("ja", "alerts.why.address_refused") in ja
    assert text("ja", "alerts.why.gave_up", attempts=3) in ja
    # The technical text stays, escaped, behind a summary.
    summary = f'<details class="technical"><summary>{text("ja", "alerts.why.details")}</summary>'
    escaped = "SMTP failed: server answered: 451 4.3.0 &lt;try later&gt; &amp; again"
    assert f"{summary}<code>{escaped}</code></details>" in ja and "<try later>" not in ja
    client.cookies.set("lang", "en")
    en = (await client.get("/alerts")).text
    said = text("en", "alerts.why.our_side") + " " + text("en", "alerts.why.retrying")
    assert escape(said) in en
    assert text("en", "alerts.why.gave_up", attempts=3) in en
    assert text("ja", "alerts.why.our_side") not in en


async def test_hostile_gig_text_is_shown_as_text(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    csrf, freelancer, sid = await _account(client, maildir, db)
    gig = await insert_gig(db, title=HOSTILE, url="javascript:alert(1)")
    await _alert(db, freelancer, gig, [sid])
    for path in ("/alerts", "/home"):
        page = (await client.get(path)).text
        assert HOSTILE not in page
        assert "&lt;script&gt;" in page
        assert 'href="javascript:' not in page
    preview = await client.post("/searches/preview", data={"csrf": csrf, "remote_modes": "remote"})
    assert "&lt;script&gt;" in preview.text and "<script>alert" not in preview.text


async def test_unsubscribe_get_changes_nothing_post_pauses_once_then_undo(
    client_factory: NewClient, web_settings: Settings, maildir: Path, db: asyncpg.Connection
) -> None:
    owner = client_factory()
    _, freelancer, sid = await _account(owner, maildir, db)
    alert = await _alert(db, freelancer, await insert_gig(db, title="案件"), [sid])
    token = Signer(web_settings.channel_secret_key.get_secret_value(), "unsubscribe").sign(
        str(alert)
    )
    scanner = client_factory()  # no session: the link works from the mail alone
    shown = await scanner.get(f"/v1/unsubscribe/{token}")
    assert shown.status_code == 200 and "PMO副業" in shown.text
    assert await db.fetchval("SELECT active FROM subscriptions WHERE id = $1", sid)

    one_click = await scanner.post(
        f"/v1/unsubscribe/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200
    assert not await db.fetchval("SELECT active FROM subscriptions WHERE id = $1", sid)
    again = await scanner.post(f"/v1/unsubscribe/{token}")
    assert again.status_code == 410  # used

    undone = await scanner.post(f"/v1/unsubscribe/{token}/undo")
    assert undone.status_code == 200 and "PMO副業" in undone.text
    assert await db.fetchval("SELECT active FROM subscriptions WHERE id = $1", sid)
    assert (await scanner.post(f"/v1/unsubscribe/{token}/undo")).status_code == 404
    assert (await scanner.post(f"/v1/unsubscribe/{token}")).status_code == 410

    # A later alert of the resumed search carries a new link that works.
    later = await _alert(db, freelancer, await insert_gig(db, title="次の案件"), [sid])
    fresh = Signer(web_settings.channel_secret_key.get_secret_value(), "unsubscribe").sign(
        str(later)
    )
    assert (await scanner.post(f"/v1/unsubscribe/{fresh}")).status_code == 200


async def test_forged_or_foreign_unsubscribe_tokens_do_nothing(
    client: httpx.AsyncClient, maildir: Path, db: asyncpg.Connection
) -> None:
    _, freelancer, sid = await _account(client, maildir, db)
    alert = await _alert(db, freelancer, await insert_gig(db, title="案件"), [sid])
    forged = Signer("another-key", "unsubscribe").sign(str(alert))
    assert (await client.post(f"/v1/unsubscribe/{forged}")).status_code == 404
    assert (await client.post(f"/v1/unsubscribe/{alert}")).status_code == 404
    assert await db.fetchval("SELECT active FROM subscriptions WHERE id = $1", sid)
