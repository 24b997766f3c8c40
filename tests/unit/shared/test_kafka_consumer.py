"""The consumer recipe's pure parts: records, headers, attempts, dead letters, retries."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord

from gigalert_shared.dead_letters import dead_letter_payload
from gigalert_shared.kafka_consumer import Attempts, DeadLettering, Undecodable
from gigalert_shared.kafka_records import (
    Record,
    _with_text_headers,
    records_of,
    shareable_headers,
    text_headers,
)


def record(
    value: bytes = b"ok", *, offset: int = 0, headers: Sequence[tuple[str, bytes]] = ()
) -> Record:
    return ConsumerRecord(
        topic="t",
        partition=1,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value),
        headers=headers,
    )


def test_records_of_a_batch_and_of_one_record() -> None:
    a, b = record(offset=1), record(offset=2)
    assert records_of((a, b)) == (a, b)
    assert records_of(a) == (a,)


def test_headers_as_text_and_without_credentials() -> None:
    r = record(
        headers=[
            ("x-api-key", b"secret"),
            ("Authorization", b"Bearer x"),
            ("x-trace", b"\xc3\x28"),
            ("content-type", b"application/json"),
        ]
    )
    assert text_headers(r)["x-trace"] == "\ufffd("
    assert shareable_headers(r) == {"x-trace": "\ufffd(", "content-type": "application/json"}


def test_binary_headers_are_made_text_for_faststream_only() -> None:
    r = record(headers=[("x-trace", b"\xc3\x28")])
    assert _with_text_headers(r).headers == (("x-trace", "\ufffd(".encode()),)
    plain = record(headers=[("a", b"b")])
    assert _with_text_headers(plain) is plain


def test_dead_letter_payload_carries_reason_bytes_headers_and_origin() -> None:
    now = datetime(2026, 1, 2, tzinfo=UTC)
    r = record(b"\xff\x00", offset=7, headers=[("x-api-key", b"k"), ("x-trace", b"1")])
    payload = json.loads(dead_letter_payload(r, "undecodable", now))
    assert payload == {
        "reason": "undecodable",
        "original_b64": base64.b64encode(b"\xff\x00").decode(),
        "original_headers": {"x-trace": "1"},
        "source_topic": "t",
        "source_partition": 1,
        "source_offset": 7,
        "failed_at": now.isoformat(),
    }


def test_attempts_count_until_the_limit_then_forget() -> None:
    attempts = Attempts(3)
    r, other = record(offset=1), record(offset=2)
    assert [attempts.fail(r), attempts.fail(r), attempts.fail(other)] == [1, 2, 1]
    assert attempts.fail(r) == 3
    assert attempts.fail(r) == 1  # forgotten once given up on
    attempts.succeed(other)
    assert attempts.fail(other) == 1


class Sink:
    def __init__(self) -> None:
        self.dead: list[tuple[int, str]] = []

    async def send(self, record: Record, reason: str) -> None:
        self.dead.append((record.offset, reason))


def decode(r: Record) -> str:
    value = (r.value or b"").decode("utf-8", "replace")
    if value == "junk":
        raise Undecodable("undecodable: junk")
    return value


class Process:
    """Fails every batch that holds a ``bad`` item; records what it stored."""

    def __init__(self) -> None:
        self.stored: list[str] = []

    async def __call__(self, items: Sequence[str]) -> None:
        if "bad" in items:
            raise ValueError("bad item")
        self.stored.extend(items)


async def test_undecodable_records_are_dead_lettered_at_once_and_the_rest_processed() -> None:
    sink, process = Sink(), Process()
    handle = DeadLettering(decode=decode, process=process, dead_letters=sink)
    await handle([record(b"a", offset=1), record(b"junk", offset=2), record(b"b", offset=3)])
    assert sink.dead == [(2, "undecodable: junk")]
    assert process.stored == ["a", "b"]


async def test_without_attempts_a_failing_batch_is_redelivered_whole() -> None:
    sink, process = Sink(), Process()
    handle = DeadLettering(decode=decode, process=process, dead_letters=sink)
    with pytest.raises(ValueError):
        await handle([record(b"a", offset=1), record(b"bad", offset=2)])
    assert sink.dead == []
    assert process.stored == []


async def test_a_record_failing_max_attempts_is_dead_lettered_and_the_others_stored() -> None:
    sink, process = Sink(), Process()
    handle = DeadLettering(decode=decode, process=process, dead_letters=sink, max_attempts=2)
    batch = [record(b"a", offset=1), record(b"bad", offset=2), record(b"b", offset=3)]
    with pytest.raises(RuntimeError):
        await handle(batch)  # the first delivery: the good ones are stored one by one
    assert process.stored == ["a", "b"]
    assert sink.dead == []
    await handle(batch)  # the second: given up on, so the batch may be committed
    assert sink.dead == [(2, "failed 2 times: ValueError('bad item')")]


class Outage:
    """Postgres unreachable for the first ``down`` calls."""

    def __init__(self, down: int) -> None:
        self.down = down
        self.stored: list[str] = []

    async def __call__(self, items: Sequence[str]) -> None:
        if self.down:
            self.down -= 1
            raise ConnectionRefusedError("connection refused")
        self.stored.extend(items)


async def test_an_outage_longer_than_max_attempts_dead_letters_nothing() -> None:
    sink, process = Sink(), Outage(down=10)
    handle = DeadLettering(decode=decode, process=process, dead_letters=sink, max_attempts=2)
    batch = [record(b"a", offset=1), record(b"b", offset=2)]
    for _ in range(10):
        with pytest.raises(ConnectionRefusedError):
            await handle(batch)
    await handle(batch)
    assert sink.dead == []
    assert process.stored == ["a", "b"]


def test_json_values_decodes_valid_records_and_names_what_is_not() -> None:
    from pydantic import BaseModel

    from gigalert_shared.kafka_consumer import json_values

    class Event(BaseModel):
        n: int

    decode_event = json_values(Event.model_validate_json, "event")
    assert decode_event(record(b'{"n": 3}')) == Event(n=3)
    for bad in (b"", b"\xff", b'{"n": "x"}'):
        with pytest.raises(Undecodable, match="undecodable event: 1 errors"):
            decode_event(record(bad))
