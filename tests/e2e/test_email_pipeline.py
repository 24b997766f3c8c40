"""The whole pipeline for real: a gig pushed to ingest ends as a mail in the local SMTP
server, with a Japanese body, the link, the reasons and a working unsubscribe header. The
freelancer, the address and the search are made through the web app's API, and the address
is confirmed by the link in its confirmation mail: an address never confirmed gets nothing."""

from __future__ import annotations

import asyncio
import mailbox
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from gigalert_ingest.api.app import create_app as create_ingest
from gigalert_ingest.platforms import create_platform
from gigalert_matcher.api.app import create_app as create_matcher
from gigalert_notifier.api.app import create_app as create_notifier
from gigalert_shared.settings import Settings, SmtpSettings, WebSettings
from gigalert_web.app import create_app as create_web
from tests.conftest import SMTP_PORT
from tests.integration.web.api_client import Freelancer, new_freelancer
from tests.support.kafka_helpers import wait_for

WEB = "http://web"
PMO_SEARCH = {
    "name": "PMO副業",
    "remote_modes": ["remote"],
    "min_rate_jpy_h": 4500,
    "domains": ["pmo"],
}


@dataclass
class Pipeline:
    ingest: httpx.AsyncClient
    web: httpx.AsyncClient


@pytest.fixture
async def pipeline(settings: Settings) -> AsyncIterator[Pipeline]:
    cfg = settings.model_copy(
        update={
            "smtp": SmtpSettings(port=SMTP_PORT),
            "web": WebSettings(public_base_url=WEB),
        }
    )
    ingest = LifespanManager(create_ingest(cfg), startup_timeout=60)
    matcher = LifespanManager(create_matcher(cfg), startup_timeout=60)
    notifier = LifespanManager(create_notifier(cfg), startup_timeout=60)
    web = LifespanManager(create_web(cfg), startup_timeout=60)
    async with (
        ingest,
        matcher,
        notifier,
        web,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=ingest.app), base_url="http://ingest"
        ) as i,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=web.app), base_url=WEB) as w,
    ):
        yield Pipeline(i, w)


def _subject(message: mailbox.MaildirMessage) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


def _text(message: mailbox.MaildirMessage) -> str:
    parts = [p for p in message.walk() if p.get_content_type() in ("text/plain", "text/html")]
    out = []
    for p in parts:
        raw = p.get_payload(decode=True)
        assert isinstance(raw, bytes)
        out.append(raw.decode(p.get_content_charset() or "utf-8"))
    return "\n".join(out)


def _mails_to(maildir: Path, address: str) -> list[mailbox.MaildirMessage]:
    box = mailbox.Maildir(maildir, create=False)
    return [m for m in box if address in str(m.get("X-Gigalert-Envelope-To", ""))]


def _alerts_to(maildir: Path, address: str) -> list[mailbox.MaildirMessage]:
    """Alert mail (sent by the notifier, which names the delivery), not account mail."""
    return [m for m in _mails_to(maildir, address) if m["X-Gigalert-Delivery-Id"]]


async def add_email(web: httpx.AsyncClient, me: Freelancer, address: str) -> str:
    r = await web.post("/v1/channels", json={"kind": "email", "address": address}, headers=me.auth)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending"
    channel_id: str = r.json()["id"]
    return channel_id


async def confirm_by_mail(web: httpx.AsyncClient, maildir: Path, address: str) -> None:
    """Open the link of the confirmation mail the address received, as its owner would."""

    async def confirmation() -> list[str]:
        links = [
            link
            for m in _mails_to(maildir, address)
            for link in re.findall(rf"{WEB}/confirm/[A-Za-z0-9_-]+", _text(m))
        ]
        return links

    links = await wait_for(confirmation, timeout=30)
    assert links, f"no confirmation mail to {address}"
    path = links[-1].removeprefix(WEB)
    assert (await web.get(path)).status_code == 200  # the page with the button
    assert (await web.post(path)).status_code == 200


def pmo_gig(marker: str) -> dict[str, Any]:
    return {
        "external_id": f"job-{marker}",
        "title": "大手SaaSの新規事業PMO（フルリモート）",
        "description": "週2日から。Jira/Confluence運用。",
        "url": f"https://jobs.example.jp/{marker}",
        "category": "PMO",
        "remote": "フルリモート",
        "rate": "月額80万円（140-180h）",
        "days_per_week": "週2〜3日",
    }


async def test_gig_to_mail(pipeline: Pipeline, db: asyncpg.Connection, maildir: Path) -> None:
    web, ingest = pipeline.web, pipeline.ingest
    marker = uuid.uuid4().hex[:12]
    address = f"taro.{marker}@example.jp"
    me = await new_freelancer(web)
    channel_id = await add_email(web, me, address)
    await confirm_by_mail(web, maildir, address)
    (channel,) = (await web.get("/v1/channels", headers=me.auth)).json()
    assert channel["id"] == channel_id and channel["status"] == "active"
    sub = await web.post("/v1/subscriptions", json=PMO_SEARCH, headers=me.auth)
    assert sub.status_code == 201
    _, key = await create_platform(db, name="pmo-board")
    r = await ingest.post("/v1/gigs", json=pmo_gig(marker), headers={"X-API-Key": key})
    assert r.status_code == 202 and r.json()["results"][0]["status"] == "created"

    async def arrived() -> list[mailbox.MaildirMessage]:
        return _alerts_to(maildir, marker)

    mails = await wait_for(arrived, timeout=30)
    assert len(mails) == 1
    mail = mails[0]
    assert "大手SaaSの新規事業PMO" in _subject(mail)
    body = _text(mail)
    assert f"https://jobs.example.jp/{marker}" in body
    assert "¥5,000" in body and "¥4,500" in body  # the reason: rate over the floor
    assert "フルリモート" in body
    assert mail["X-Gigalert-Delivery-Id"] == str(await db.fetchval("SELECT id FROM deliveries"))
    assert await db.fetchval("SELECT status FROM deliveries") == "sent"

    # The history shows the alert and its delivery.
    (alert,) = (await web.get("/v1/alerts", headers=me.auth)).json()["alerts"]
    assert [d["status"] for d in alert["deliveries"]] == ["sent"]

    # One-click unsubscribe (RFC 8058): a GET pauses nothing, a POST pauses, once; undo.
    unsubscribe = str(mail["List-Unsubscribe"])
    link = re.search(rf"<({WEB}/v1/unsubscribe/[^>]+)>", unsubscribe)
    assert link is not None, unsubscribe
    path = link.group(1).removeprefix(WEB)
    assert (await web.get(path)).status_code == 200
    assert await db.fetchval("SELECT active FROM subscriptions") is True
    assert (await web.post(path)).status_code == 200
    assert await db.fetchval("SELECT active FROM subscriptions") is False
    assert (await web.post(path)).status_code == 410
    assert (await web.post(path + "/undo")).status_code == 200
    assert await db.fetchval("SELECT active FROM subscriptions") is True


async def test_an_address_never_confirmed_receives_no_alert(
    pipeline: Pipeline, db: asyncpg.Connection, maildir: Path
) -> None:
    """One freelancer with a confirmed and an unconfirmed address, another with only an
    unconfirmed one; the same gig matches both. Only the confirmed address gets the alert."""
    web, ingest = pipeline.web, pipeline.ingest
    marker = uuid.uuid4().hex[:12]
    confirmed, pending = f"yes.{marker}@example.jp", f"no.{marker}@example.jp"
    other_pending = f"other.{marker}@example.jp"
    me, other = await new_freelancer(web), await new_freelancer(web, "鈴木 花子")
    await add_email(web, me, confirmed)
    pending_id = await add_email(web, me, pending)
    other_id = await add_email(web, other, other_pending)
    await confirm_by_mail(web, maildir, confirmed)
    for who in (me, other):
        r = await web.post("/v1/subscriptions", json=PMO_SEARCH, headers=who.auth)
        assert r.status_code == 201, r.text
    statuses = {
        c["id"]: c["status"] for c in (await web.get("/v1/channels", headers=me.auth)).json()
    }
    assert statuses[pending_id] == "pending" and sorted(statuses.values()) == ["active", "pending"]

    _, key = await create_platform(db, name="pmo-board")
    r = await ingest.post("/v1/gigs", json=pmo_gig(marker), headers={"X-API-Key": key})
    assert r.status_code == 202, r.text

    async def arrived() -> list[mailbox.MaildirMessage]:
        return _alerts_to(maildir, confirmed)

    assert len(await wait_for(arrived, timeout=30)) == 1

    # Both freelancers' alerts were matched; the notifier planned deliveries only to the
    # proven address, and nothing else arrives.
    async def both_matched() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM alerts") == 2)

    assert await wait_for(both_matched, timeout=10)
    await asyncio.sleep(3)
    rows = await db.fetch("SELECT channel_id, status FROM deliveries")
    assert [r["status"] for r in rows] == ["sent"]
    assert str(rows[0]["channel_id"]) not in (pending_id, other_id)
    assert _alerts_to(maildir, pending) == []
    assert _alerts_to(maildir, other_pending) == []
    # What they did receive is their confirmation mail, and nothing else.
    assert len(_mails_to(maildir, pending)) == 1
    assert len(_mails_to(maildir, other_pending)) == 1
    assert len(_alerts_to(maildir, confirmed)) == 1
