"""Readiness probes used by the local infrastructure scripts.

``python -m gigalert_shared.readiness kafka HOST:PORT`` exits 0 when a metadata request
succeeds; ``... smtp HOST:PORT`` when the server answers EHLO.
"""

from __future__ import annotations

import asyncio
import smtplib
import sys

from gigalert_shared.kafka_admin import wait_for_kafka


def smtp_ready(address: str) -> None:
    host, _, port = address.rpartition(":")
    with smtplib.SMTP(host, int(port), timeout=3) as smtp:
        code, _ = smtp.ehlo()
        if code != 250:
            raise ConnectionError(f"EHLO answered {code}")


def main(argv: list[str]) -> int:
    kind, address = argv
    try:
        if kind == "kafka":
            asyncio.run(wait_for_kafka(address, deadline_s=3.0))
        elif kind == "smtp":
            smtp_ready(address)
        else:
            return 2
    except Exception:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
