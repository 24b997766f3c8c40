"""The whole pipeline for real: a gig pushed to ingest ends as a mail in the local SMTP
server, with a Japanese body, the link, the reasons and a working unsubscribe header."""

from __future__ import annotations

import mailbox
import re
import uuid
from collections.abc import AsyncIterator
from email.header import decode_header, make_header
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from gigalert_ingest.api.app import create_app as create_ingest
from gigalert_ingest.platforms import create_platform
from gigalert_matcher.api.app import create_app as create_matcher
from gigalert_notifier.api.app import create_app as create_notifier
from gigalert_shared.settings import Settings, SmtpSettings, WebSettings
from tests.conftest import SMTP_PORT
from tests.kafka_helpers import wait_for


@pytest.fixture
async def pipeline(
    settings: Settings,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    cfg = settings.model_copy(
        update={
            "smtp": SmtpSettings(port=SMTP_PORT),
            "web": WebSettings(public_base_url="http://matcher"),
        }
    )
    ingest = LifespanManager(create_ingest(cfg), startup_timeout=60)
    matcher = LifespanManager(create_matcher(cfg), startup_timeout=60)
    notifier = LifespanManager(create_notifier(cfg), startup_timeout=60)
    async with (
        ingest,
        matcher,
        notifier,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=ingest.app), base_url="http://ingest"
        ) as i,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=matcher.app), base_url="http://matcher"
        ) as m,
    ):
        yield i, m


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


async def test_gig_to_mail(
    pipeline: tuple[httpx.AsyncClient, httpx.AsyncClient],
    db: asyncpg.Connection,
    maildir: Path,
) -> None:
    ingest, matcher = pipeline
    marker = uuid.uuid4().hex[:12]
    address = f"taro.{marker}@example.jp"
    me = (await matcher.post("/v1/freelancers", json={"display_name": "田中 太郎"})).json()
    auth = {"Authorization": f"Bearer {me['token']}"}
    assert (
        await matcher.post("/v1/channels", json={"kind": "email", "address": address}, headers=auth)
    ).status_code == 201
    sub = await matcher.post(
        "/v1/subscriptions",
        json={
            "name": "PMO副業",
            "remote_modes": ["remote"],
            "min_rate_jpy_h": 4500,
            "domains": ["pmo"],
        },
        headers=auth,
    )
    assert sub.status_code == 201
    _, key = await create_platform(db, name="pmo-board")
    gig = {
        "external_id": f"job-{marker}",
        "title": "大手SaaSの新規事業PMO（フルリモート）",
        "description": "週2日から。Jira/Confluence運用。",
        "url": f"https://jobs.example.jp/{marker}",
        "category": "PMO",
        "remote": "フルリモート",
        "rate": "月額80万円（140-180h）",
        "days_per_week": "週2〜3日",
    }
    r = await ingest.post("/v1/gigs", json=gig, headers={"X-API-Key": key})
    assert r.status_code == 202 and r.json()["results"][0]["status"] == "created"

    box = mailbox.Maildir(maildir, create=False)

    async def arrived() -> list[mailbox.MaildirMessage]:
        return [m for m in box if marker in str(m.get("X-Gigalert-Envelope-To", ""))]

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

    unsubscribe = str(mail["List-Unsubscribe"])
    link = re.search(r"<(http://matcher/v1/unsubscribe/[^>]+)>", unsubscribe)
    assert link is not None, unsubscribe
    assert (await matcher.post(link.group(1).removeprefix("http://matcher"))).status_code == 200
    assert await db.fetchval("SELECT active FROM subscriptions") is False
