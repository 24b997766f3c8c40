"""What one send saw: filled during the send by our email plugin and HTTP transport, read
by the classification (never Apprise's log records)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Final


@dataclass(slots=True)
class Call:
    """Filled by our plugin and transport during one send."""

    recipient: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # email: the text/plain alternative, written by the renderer
    http_status: int | None = None
    http_body: bytes = b""
    retry_after: float | None = None
    error: BaseException | None = None  # transport exception (HTTP or SMTP)
    connect_failed: bool = False  # SMTP: connect, TLS or login failed
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)  # SMTP RCPT
    no_recipient: bool = False


CALL: Final[contextvars.ContextVar[Call | None]] = contextvars.ContextVar(
    "gigalert_send_call", default=None
)


def as_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
