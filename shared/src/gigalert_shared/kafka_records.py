"""Our consumers read the records themselves (``msg.raw_message``). These hooks keep
FastStream from interpreting them first: its default batch parser decodes every header as
UTF-8 and its decoder ``json.loads`` or ``.decode()``s every body by its content-type, and
an error there (deep nesting, a JSON type on a non-JSON body, a text type on non-UTF-8
bytes, a binary header) happens before the handler, so the batch is redelivered forever and
its partition blocked. Nor does a ``reply_to`` header make FastStream publish anywhere.
Give every subscriber ``**UNTOUCHED``."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypedDict


def _with_text_headers(record: Any) -> Any:
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


async def parse_untouched(
    records: tuple[Any, ...], original: Callable[[tuple[Any, ...]], Awaitable[Any]]
) -> Any:
    """FastStream's batch parser, made total; the handler still gets the records as sent."""
    message = await original(tuple(_with_text_headers(r) for r in records))
    message.raw_message = records
    # FastStream would publish the handler's result to a topic a producer names in this
    # header: nobody who can write to our topics gets to make us write to another.
    message.reply_to = ""
    return message


async def no_decoding(message: Any) -> Any:
    return message.body


class _Hooks(TypedDict):
    parser: Callable[..., Awaitable[Any]]
    decoder: Callable[..., Awaitable[Any]]


UNTOUCHED: _Hooks = {"parser": parse_untouched, "decoder": no_decoding}


def records_of(raw_message: Any) -> tuple[Any, ...]:
    """The records of a batch subscriber's message (one record if it isn't a batch)."""
    return raw_message if isinstance(raw_message, tuple) else (raw_message,)
