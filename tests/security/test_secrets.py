"""Secrets (API keys, bearer tokens, the admin token, Slack webhook paths) never show in logs,
API responses, metrics or Kafka, and are never stored in plain text."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import asyncpg
import httpx
import pytest

from gigalert_ingest.platforms import create_platform
from gigalert_ingest.repository import revoke_platform
from gigalert_shared.crypto import SLACK_PREFIX, SecretBox
from gigalert_shared.logs import MaskingJsonFormatter
from gigalert_shared.settings import Settings
from gigalert_shared.topics import Topics
from tests.security.conftest import ADMIN_TOKEN, METRICS, Running
from tests.security.test_auth import GIG
from tests.support.kafka_helpers import produce, read_topic, wait_for

WINDOW = 12  # no run of this many characters of a secret's random part may show anywhere


def new_webhook() -> str:
    return (
        f"{SLACK_PREFIX}T{secrets.token_hex(5).upper()}/B{secrets.token_hex(5).upper()}/"
        f"{secrets.token_hex(12)}"
    )


def needles(secret: str, *, skip: int = 0) -> set[str]:
    """The secret and every WINDOW-long run of it (from ``skip``, past a public prefix)."""
    body = secret[skip:]
    return {secret} | {body[i : i + WINDOW] for i in range(len(body) - WINDOW + 1)}


def leaks(text: str, found: set[str]) -> list[str]:
    return sorted(n for n in found if n in text)


class Recorder:
    """Every response the tests get back, as text: status line, headers and body."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.texts.append(
            f"{response.request.method} {response.request.url} -> {response.status_code}\n"
            f"{headers}\n{response.text}"
        )


def _record_texts(record: logging.LogRecord, formatter: logging.Formatter) -> tuple[str, str]:
    """What the JSON formatter writes, and everything the record carries (unmasked)."""
    raw = " ".join(f"{k}={v!r}" for k, v in vars(record).items())
    return formatter.format(record), raw + " " + record.getMessage()


async def test_secrets_never_in_logs_responses_metrics_or_kafka(
    ingest: Running,
    matcher: Running,
    notifier: Running,
    web: Running,
    db: asyncpg.Connection,
    topics: Topics,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder()
    for app in (ingest, matcher, notifier, web):
        app.client.event_hooks["response"].append(recorder)

    _, key = await create_platform(db, name="secretive")
    _, revoked_key = await create_platform(db, name="revoked")
    await revoke_platform(db, name="revoked")
    signup = await web.client.post("/v1/freelancers", json={"display_name": "秘密"})
    token = signup.json()["token"]
    recorder.texts.clear()  # the sign-up answer shows the token once, by design
    webhook = new_webhook()
    secret_path = webhook.removeprefix(SLACK_PREFIX)

    # The freelancer: channels, lists, failed and successful authentication.
    bearer = {"Authorization": f"Bearer {token}"}
    r = await web.client.post(
        "/v1/channels", json={"kind": "slack", "webhook_url": webhook}, headers=bearer
    )
    assert r.status_code == 201, r.text
    assert r.json()["target"] == f"{SLACK_PREFIX}…{webhook[-4:]}"
    await web.client.get("/v1/channels", headers=bearer)
    await web.client.get("/v1/me", headers=bearer)
    await web.client.get("/v1/tokens", headers=bearer)
    await web.client.post("/v1/subscriptions", json={"name": "x"}, headers=bearer)
    await web.client.get("/v1/me", headers={"Authorization": f"Bearer {token}x"})
    await web.client.get("/v1/me", headers={"Authorization": f"Bearer {token[:-1]}"})
    await web.client.get("/v1/me", headers={"Authorization": f"Basic {token}"})
    await web.client.get("/v1/me", headers={"X-API-Key": token})

    # The platform: a gig, a bad batch item, a wrong key, a revoked key, a body too large.
    ok = await ingest.client.post("/v1/gigs", json=GIG, headers={"X-API-Key": key})
    assert ok.status_code == 202
    await ingest.client.post(
        "/v1/gigs/batch", json={"gigs": [GIG, {"title": 1}]}, headers={"X-API-Key": key}
    )
    await ingest.client.post("/v1/gigs", json=GIG, headers={"X-API-Key": key + "x"})
    await ingest.client.post("/v1/gigs", json=GIG, headers={"X-API-Key": key.upper()})
    await ingest.client.post("/v1/gigs", json=GIG, headers={"X-API-Key": revoked_key})
    await ingest.client.post("/v1/gigs", json=GIG, headers={"Authorization": f"Bearer {key}"})
    await ingest.client.post("/v1/gigs", content=b"x" * 3_000_000, headers={"X-API-Key": key})

    # The ops API: right and wrong admin tokens.
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert (await notifier.client.get("/v1/ops/deliveries", headers=admin)).status_code == 200
    await notifier.client.get("/v1/ops/deliveries", headers={"Authorization": "Bearer no"})
    await notifier.client.get(
        "/v1/ops/deliveries", headers={"Authorization": f"Bearer {ADMIN_TOKEN[:-1]}"}
    )

    # The raw topic: a good message and a poison one, both with the key in the header.
    await produce(
        topics.gigs_raw,
        [
            (b"k", json.dumps({**GIG, "external_id": "raw-1"}).encode(), {"x-api-key": key}),
            (b"k", b"\xff not json", {"x-api-key": key}),
            (b"k", b"{}", {"x-api-key": key + "x", "trace": "t-1"}),
        ],
    )

    async def raw_stored() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM gigs WHERE external_id = 'raw-1'"))

    assert await wait_for(raw_stored, timeout=30)
    kafka_texts = [
        f"{r.key!r} {r.value!r} {r.headers!r}"
        for topic in (topics.gigs_rejected, topics.gigs_posted)
        for r in await read_topic(topic, expect=2)
    ]

    metrics = [
        (await app.client.get("/metrics", headers=METRICS)).text
        for app in (ingest, matcher, notifier, web)
    ]
    assert "gigalert_ingest_gigs_total" in metrics[0]

    found = (
        needles(key, skip=3)
        | needles(revoked_key, skip=3)
        | needles(token, skip=3)
        | needles(ADMIN_TOKEN, skip=4)
        | needles(secret_path)
    )
    assert len(recorder.texts) >= 15
    for text in recorder.texts:
        assert not leaks(text, found), text
    for text in metrics:
        assert not leaks(text, found)
    assert len(kafka_texts) >= 3
    for text in kafka_texts:
        assert not leaks(text, found), text
    formatter = MaskingJsonFormatter()
    assert caplog.records
    ours = ("gigalert", "faststream", "fastapi", "starlette", "uvicorn", "httpx", "asyncpg")
    for record in caplog.records:
        written, carried = _record_texts(record, formatter)
        # Every line as the services write it (DEBUG included: aiokafka dumps raw requests).
        assert not leaks(written, found), written
        # Our own records don't even carry a secret for the formatter to mask.
        if record.name.split(".")[0] in ours:
            assert not leaks(carried, found), carried


async def test_keys_tokens_and_webhooks_are_not_stored_in_plain_text(
    web: Running, db: asyncpg.Connection, settings: Settings
) -> None:
    _, key = await create_platform(db, name="stored")
    r = await web.client.post("/v1/freelancers", json={"display_name": "保存"})
    token = r.json()["token"]
    webhook = new_webhook()
    r = await web.client.post(
        "/v1/channels",
        json={"kind": "slack", "webhook_url": webhook},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201

    cells: list[tuple[str, str, Any]] = []
    tables = await db.fetch(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    for t in tables:
        name = t["table_name"]
        for row in await db.fetch(f'SELECT * FROM "{name}"'):
            cells.extend((name, column, value) for column, value in row.items())
    assert any(t == "platforms" for t, _, _ in cells)
    assert any(t == "freelancers" for t, _, _ in cells)
    assert any(t == "api_tokens" for t, _, _ in cells)
    assert any(t == "channels" for t, _, _ in cells)

    # Runs of 8 characters past the "gk_"/"gt_" prefixes: api_key_prefix keeps the first 10
    # characters of a key (gk_ + 7) to tell keys apart in listings, and nothing more (an API
    # token's listed prefix is only "gt_").
    short = {s[i : i + 8] for s in (key, token) for i in range(3, len(s) - 7)}
    found = needles(key) | needles(token) | needles(webhook.removeprefix(SLACK_PREFIX)) | short
    for table, column, value in cells:
        texts = [str(value)]
        if isinstance(value, bytes | bytearray | memoryview):
            raw = bytes(value)
            texts += [raw.decode("latin-1"), raw.hex()]
        for text in texts:
            assert not leaks(text, found), (table, column, leaks(text, found))
    assert await db.fetchval("SELECT api_key_prefix FROM platforms") == key[:10]

    # The webhook is stored encrypted, and only the key from the settings opens it.
    sealed = await db.fetchval("SELECT secret_encrypted FROM channels")
    box = SecretBox(settings.channel_secret_key.get_secret_value())
    assert box.open(bytes(sealed)) == webhook
    with pytest.raises(ValueError):
        SecretBox("another key").open(bytes(sealed))


async def test_credentials_in_other_raw_headers_stay_out_of_gigs_rejected(
    ingest: Running, db: asyncpg.Connection, topics: Topics
) -> None:
    """A platform that puts its key in the wrong header (``authorization``, as over HTTP)
    gets its message rejected: the rejection must not carry the key to whoever reads
    gigs.rejected."""
    _, key = await create_platform(db, name="confused")
    await produce(
        topics.gigs_raw,
        [
            (b"k", b"{}", {"authorization": f"Bearer {key}"}),
            (b"k", b"{}", {"X-Api-Key": key}),
            (b"k", b"{}", {"api-key": key}),
            (b"k", b"{}", {"x-platform": key}),
        ],
    )
    rejected = await read_topic(topics.gigs_rejected, expect=4)
    assert len(rejected) == 4
    for record in rejected:
        assert not leaks(f"{record.value!r} {record.headers!r}", needles(key, skip=3))
