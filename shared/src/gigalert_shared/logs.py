"""JSON logs, one object per line, with secrets masked."""

from __future__ import annotations

import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter

# Anything that looks like a credential is masked before a line is written.
_SECRET_PATTERNS = (
    re.compile(r"(https://hooks\.slack\.com/services/)[^\s\"']+"),
    re.compile(r"(line://)[^\s\"'/]+"),
    re.compile(
        r"((?:api[_-]?key|token|password|secret|authorization)[\"']?\s*[:=]\s*[\"']?)"
        r"[^\s\"',}]+",
        re.I,
    ),
    re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(gk_|gt_)[A-Za-z0-9_-]{8,}"),
    # One-time links of the web app (login, confirmations, unsubscribe): the path is the key.
    re.compile(r"(/(?:auth|confirm|unsubscribe|account/delete)/)[^\s\"'/?]+"),
)


# For every KafkaBroker, with log_level=logging.DEBUG: FastStream then logs each message at
# DEBUG (hidden) and each handler or decoding error at ERROR (shown, with its traceback).
BROKER_LOGGER = logging.getLogger("gigalert.kafka")


def mask_secrets(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


class MaskingJsonFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def configure_logging(level: str = "INFO", service: str = "gigalert") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        MaskingJsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
