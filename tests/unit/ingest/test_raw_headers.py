"""The gigs.raw consumer reads the one header it needs, and only that one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiokafka import ConsumerRecord

from gigalert_ingest.raw_consumer import API_KEY_HEADER, header_text
from gigalert_shared.kafka_records import Record


def record(headers: Sequence[tuple[str, Any]]) -> Record:
    return ConsumerRecord(
        topic="gigs.raw",
        partition=0,
        offset=0,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=b"{}",
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=2,
        headers=headers,
    )


class Undecodable:
    """A header value that fails the test if anything decodes it."""

    def __bool__(self) -> bool:
        return True

    def __bytes__(self) -> bytes:
        raise AssertionError("a header the consumer does not need was decoded")


def test_only_the_wanted_header_is_decoded() -> None:
    r = record([("x-trace", Undecodable()), (API_KEY_HEADER, b"gk_1"), ("b", Undecodable())])
    assert header_text(r, API_KEY_HEADER) == "gk_1"


def test_the_last_of_repeated_headers_wins_as_before() -> None:
    r = record([(API_KEY_HEADER, b"gk_first"), (API_KEY_HEADER, b"gk_last")])
    assert header_text(r, API_KEY_HEADER) == "gk_last"


def test_binary_missing_and_empty_headers() -> None:
    assert header_text(record([(API_KEY_HEADER, b"gk_\xff")]), API_KEY_HEADER) == "gk_\ufffd"
    assert header_text(record([(API_KEY_HEADER, None)]), API_KEY_HEADER) == ""
    assert header_text(record([("X-API-Key", b"gk_1")]), API_KEY_HEADER) is None
    assert header_text(record([]), API_KEY_HEADER) is None
