"""At-least-once Kafka consumption: the one recipe every consumer of ours follows.

:func:`subscribe_batches` reads batches (FastStream, ``NACK_ON_ERROR``): the offsets are
committed only when the handler returns, so whatever it made durable before is never lost;
when it raises, the error is logged and the batch redelivered after a pause.
:class:`DeadLettering` is such a handler for records that decode one by one: a record that
cannot be decoded goes to the dead-letter topic at once, and one that keeps failing after
``max_attempts`` deliveries, so that no record blocks its partition. A failure that says
Postgres is unreachable is no fault of the record: it is not counted, and the batch waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeAlias, TypeVar

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from gigalert_shared.db_errors import db_unavailable
from gigalert_shared.dead_letters import publish_dead_letter
from gigalert_shared.kafka_records import Record, no_decoding, parse_untouched, records_of

log = logging.getLogger(__name__)

T = TypeVar("T")
BatchHandler: TypeAlias = Callable[[Sequence[Record]], Awaitable[None]]
RecordId: TypeAlias = tuple[str, int, int]


class Undecodable(Exception):
    """A record that can never be processed: dead-lettered at once, with this reason."""


def json_values(validate: Callable[[bytes], T], what: str) -> Callable[[Record], T]:
    """A decoder of records whose value is JSON validated by ``validate`` (a pydantic
    ``model_validate_json``); an invalid value is :class:`Undecodable`."""

    def decode(record: Record) -> T:
        try:
            return validate(record.value or b"")
        except ValidationError as exc:
            raise Undecodable(f"undecodable {what}: {exc.error_count()} errors") from exc

    return decode


def subscribe_batches(
    broker: KafkaBroker,
    *topics: str,
    group_id: str,
    handle: BatchHandler,
    retry_pause: float = 1.0,
    max_records: int = 500,
) -> None:
    """Subscribe ``handle`` to ``topics`` in batches, committing after it returns."""

    @broker.subscriber(
        *topics,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=max_records,
        parser=parse_untouched,
        decoder=no_decoding,
    )
    async def on_batch(msg: KafkaMessage) -> None:
        records = records_of(msg.raw_message)
        try:
            await handle(records)
        except Exception:
            log.exception(
                "batch failed; it will be redelivered",
                extra={"group": group_id, "records": len(records)},
            )
            await asyncio.sleep(retry_pause)  # don't spin while Postgres or Kafka is down
            raise


def record_id(record: Record) -> RecordId:
    return (record.topic, record.partition, record.offset)


@dataclass
class Attempts:
    """Failed deliveries per record, forgotten when it succeeds or reaches ``limit``."""

    limit: int
    _failures: dict[RecordId, int] = field(default_factory=dict)

    def fail(self, record: Record) -> int:
        """Count a failure of ``record``; return how many it has had."""
        key = record_id(record)
        count = self._failures.pop(key, 0) + 1
        if count < self.limit:
            self._failures[key] = count
        return count

    def succeed(self, record: Record) -> None:
        if self._failures:
            self._failures.pop(record_id(record), None)


class DeadLetterSink(Protocol):
    async def send(self, record: Record, reason: str) -> None: ...


@dataclass(frozen=True)
class DeadLetterTopic:
    """Where a consumer's dead letters go; ``on_dead`` is told each one (for metrics)."""

    broker: KafkaBroker
    topic: str
    on_dead: Callable[[str], None] | None = None

    async def send(self, record: Record, reason: str) -> None:
        if self.on_dead is not None:
            self.on_dead(reason)
        log.error(
            "record dead-lettered",
            extra={
                "reason": reason,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
            },
        )
        await publish_dead_letter(self.broker, self.topic, record, reason)


class DeadLettering(Generic[T]):
    """A batch handler: decode each record (:class:`Undecodable`: dead-lettered), then
    ``process`` the decoded batch. When that fails and ``max_attempts`` is set, each record
    is processed alone; one that failed ``max_attempts`` deliveries is dead-lettered, and
    the batch is redelivered while any other failed. Without ``max_attempts`` the whole
    batch is redelivered until it succeeds."""

    def __init__(
        self,
        *,
        decode: Callable[[Record], T],
        process: Callable[[Sequence[T]], Awaitable[object]],
        dead_letters: DeadLetterSink,
        max_attempts: int | None = None,
    ) -> None:
        self._decode = decode
        self._process = process
        self._dead_letters = dead_letters
        self._attempts = None if max_attempts is None else Attempts(max_attempts)

    async def __call__(self, records: Sequence[Record]) -> None:
        decoded: list[tuple[Record, T]] = []
        for record in records:
            try:
                decoded.append((record, self._decode(record)))
            except Undecodable as exc:
                await self._dead_letters.send(record, str(exc))
        try:
            await self._process([item for _, item in decoded])
        except Exception as exc:
            # Without attempts the batch is redelivered whole; an outage blames no record.
            if self._attempts is None or db_unavailable(exc):
                raise
            log.exception(
                "batch failed; retrying record by record", extra={"records": len(decoded)}
            )
            await self._one_by_one(decoded, self._attempts)
        else:
            if self._attempts is not None:
                for record, _ in decoded:
                    self._attempts.succeed(record)

    async def _one_by_one(self, decoded: list[tuple[Record, T]], attempts: Attempts) -> None:
        failed = False
        for record, item in decoded:
            try:
                await self._process([item])
                attempts.succeed(record)
            except Exception as exc:
                if db_unavailable(exc):
                    raise
                tries = attempts.fail(record)
                if tries >= attempts.limit:
                    await self._dead_letters.send(record, f"failed {tries} times: {exc!r}"[:1000])
                else:
                    failed = True
        if failed:
            raise RuntimeError("some records failed; the batch will be redelivered")
