"""The Kafka records our consumers read, and the FastStream hooks that hand them over as sent.

Our consumers read the records themselves (``msg.raw_message``). The hooks keep FastStream
from interpreting them first: its default batch parser decodes every header as UTF-8 and
its decoder ``json.loads`` or ``.decode()``s every body by its content-type, and an error
there (deep nesting, a JSON type on a non-JSON body, a text type on non-UTF-8 bytes, a
binary header) happens before the handler, so the batch is redelivered forever and its
partition blocked. Nor does a ``reply_to`` header make FastStream publish anywhere.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeAlias

from aiokafka import ConsumerRecord
from faststream.kafka.message import KafkaMessage

from gigalert_shared.logs import mask_secrets

Record: TypeAlias = ConsumerRecord[bytes, bytes]
# Headers whose names suggest a credential are never copied elsewhere, whoever reads it.
_CREDENTIAL_HEADER = re.compile(r"auth|key|token|secret|passw|cookie|credential|signature", re.I)


def text_headers(record: Record) -> dict[str, str]:
    """The record's headers as text (bytes that aren't UTF-8 replaced)."""
    return {
        name: bytes(value or b"").decode("utf-8", "replace") for name, value in record.headers or ()
    }


def shareable_headers(record: Record) -> dict[str, str]:
    """The headers fit to copy to another topic: no credentials, secrets in values masked."""
    return {
        name: mask_secrets(value)
        for name, value in text_headers(record).items()
        if not _CREDENTIAL_HEADER.search(name)
    }


def records_of(raw_message: Record | Sequence[Record]) -> tuple[Record, ...]:
    """The records of a batch subscriber's message (one record if it isn't a batch)."""
    return tuple(raw_message) if isinstance(raw_message, Sequence) else (raw_message,)


def _with_text_headers(record: Record) -> Record:
    """The record, or a copy whose header values are valid UTF-8."""
    headers = record.headers or ()
    try:
        for _, value in headers:
            value.decode()
    except (AttributeError, UnicodeDecodeError):
        text = tuple(
            (name, bytes(value or b"").decode("utf-8", "replace").encode())
            for name, value in headers
        )
        return dataclasses.replace(record, headers=text)
    return record


Records: TypeAlias = tuple[Record, ...]


async def parse_untouched(
    records: Records, original: Callable[[Records], Awaitable[KafkaMessage]]
) -> KafkaMessage:
    """FastStream's batch parser, made total; the handler still gets the records as sent."""
    message = await original(tuple(_with_text_headers(r) for r in records))
    message.raw_message = records
    # FastStream would publish the handler's result to a topic a producer names in this
    # header: nobody who can write to our topics gets to make us write to another.
    message.reply_to = ""
    return message


async def no_decoding(message: KafkaMessage) -> object:
    """The body as sent: the handler decodes (and dead-letters) it itself."""
    return message.body
