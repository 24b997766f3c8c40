"""A local SMTP server that keeps every message it receives in a Maildir.

Read the mail with any Maildir reader, or plainly: each file in ``<maildir>/new`` is one
message as received, with an ``X-Gigalert-Envelope-To`` header added. Nothing is relayed.
"""

from __future__ import annotations

import argparse
import asyncio
import mailbox
import os
import signal
from email import message_from_bytes
from email.policy import SMTP as SMTP_POLICY
from typing import Any

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path: str) -> None:
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        self.box = mailbox.Maildir(path, create=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=SMTP_POLICY
        )
        message["X-Gigalert-Envelope-From"] = str(envelope.mail_from)
        message["X-Gigalert-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.box.add(mailbox.MaildirMessage(message))
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", required=True)
    args = parser.parse_args()
    controller = Controller(
        MaildirHandler(args.maildir), hostname=args.host, port=args.port, enable_SMTPUTF8=True
    )
    controller.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()
        loop.close()


if __name__ == "__main__":
    main()
