"""Records FastStream itself could not decode (deep nesting, a content type that lies, a
header that isn't UTF-8) go to the dead-letter topic like any other poison, and the record
behind them on the same partition is processed: none of them blocks its partition."""

from __future__ import annotations

import base64
import json
from typing import Any

import asyncpg
from asgi_lifespan import LifespanManager

from gigalert_matcher.api.app import create_app as create_matcher
from gigalert_notifier.api.app import create_app as create_notifier
from gigalert_shared.settings import Settings
from gigalert_shared.topics import Topics
from tests.integration.matcher.test_pipeline import gig
from tests.integration.notifier.fixtures import alert, channel, freelancer, subscription
from tests.integration.web.api_client import PMO_SUB, new_freelancer, web_api
from tests.support.kafka_helpers import Headers, produce, read_topic, wait_for

UNDECODABLE: list[tuple[bytes, Headers]] = [
    (b"[" * 5000 + b"]" * 5000, {}),
    (b"not json", {"content-type": "application/json"}),
    (b"\xff\xfe", {"content-type": "text/plain"}),
    (b"{}", {"x-trace": b"\xc3\x28"}),
]


def _poison_then(good: bytes) -> list[tuple[bytes, bytes, Headers]]:
    """One key, so the good record sits behind all the poison on one partition."""
    return [(b"same", value, headers) for value, headers in UNDECODABLE] + [(b"same", good, {})]


def _dead_originals(records: list[Any]) -> list[bytes]:
    return sorted(base64.b64decode(json.loads(r.value)["original_b64"]) for r in records)


async def test_the_matcher_dead_letters_undecodable_gigs_and_moves_on(
    settings: Settings, topics: Topics
) -> None:
    async with (
        LifespanManager(create_matcher(settings), startup_timeout=60),
        web_api(settings) as web,
    ):
        me = await new_freelancer(web)
        await web.post("/v1/subscriptions", json=PMO_SUB, headers=me.auth)
        good = gig()
        await produce(topics.gigs_posted, _poison_then(good.model_dump_json().encode()))

        dead = await read_topic(topics.gigs_posted_dlq, expect=len(UNDECODABLE), timeout=20)
        assert _dead_originals(dead) == sorted(value for value, _ in UNDECODABLE)
        (matched,) = await read_topic(topics.alerts_matched, expect=1, timeout=20)
        assert json.loads(matched.value)["gig"]["gig_id"] == str(good.gig_id)


async def test_the_notifier_dead_letters_undecodable_alerts_and_moves_on(
    settings: Settings, topics: Topics, db: asyncpg.Connection
) -> None:
    fid = await freelancer(db)
    await channel(db, fid, "email", "taro@example.jp")
    good = alert(fid, await subscription(db, fid))
    async with LifespanManager(create_notifier(settings), startup_timeout=60):
        await produce(topics.alerts_matched, _poison_then(good.model_dump_json().encode()))

        dead = await read_topic(topics.alerts_matched_dlq, expect=len(UNDECODABLE), timeout=20)
        assert _dead_originals(dead) == sorted(value for value, _ in UNDECODABLE)

        async def delivered() -> bool:
            found = await db.fetchval("SELECT alert_id FROM deliveries")
            return bool(found == good.alert_id)

        assert await wait_for(delivered, timeout=20)
