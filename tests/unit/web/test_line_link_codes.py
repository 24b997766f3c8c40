"""A LINE link code against its sender's limit: the bucket is counted once per message, and
only a wrong code is recorded in it."""

from __future__ import annotations

from typing import Any, cast
from uuid import uuid4

import pytest

from gigalert_shared.db import Db
from gigalert_shared.settings import WebSettings
from gigalert_web.line_webhook import LineEvent, handle
from gigalert_web.repository.base import q

USER = "U" + "c3" * 16
WEB = WebSettings(link_code_attempts_hour=3)
_NAMES = ("count_rate_events", "record_rate_event", "hit_rate_event", "link_line_user")


class Recorder:
    """A stand-in for the pool: which named statements ran, each answered as told."""

    def __init__(self, *, wrong_codes: int, linked: bool) -> None:
        self.ran: list[str] = []
        self._answers: dict[str, Any] = {
            "count_rate_events": wrong_codes,
            "hit_rate_event": wrong_codes < WEB.link_code_attempts_hour,
            "link_line_user": {"id": uuid4()} if linked else None,
        }

    def _run(self, sql: str) -> Any:
        name = next(n for n in _NAMES if q(n) == sql)
        self.ran.append(name)
        return self._answers.get(name)

    async def fetchval(self, sql: str, *args: object) -> Any:
        return self._run(sql)

    async def fetchrow(self, sql: str, *args: object) -> Any:
        return self._run(sql)

    async def execute(self, sql: str, *args: object) -> str:
        self._run(sql)
        return "INSERT 0 1"


async def _send(db: Recorder, text: str = "abc-234") -> str:
    return await handle(cast(Db, db), WEB, "key", LineEvent("message", USER, text))


@pytest.mark.parametrize(
    ("wrong_codes", "linked", "outcome", "ran"),
    [
        (0, False, "wrong code", ["count_rate_events", "link_line_user", "record_rate_event"]),
        (2, True, "linked", ["count_rate_events", "link_line_user"]),
        (3, True, "rate limited", ["count_rate_events"]),  # the right code, too late
    ],
)
async def test_a_code_counts_its_senders_bucket_once(
    wrong_codes: int, linked: bool, outcome: str, ran: list[str]
) -> None:
    db = Recorder(wrong_codes=wrong_codes, linked=linked)
    assert await _send(db) == outcome
    assert db.ran == ran


async def test_a_message_that_is_no_code_touches_nothing() -> None:
    db = Recorder(wrong_codes=0, linked=False)
    assert await _send(db, "こんにちは") == "ignored"
    assert db.ran == []
