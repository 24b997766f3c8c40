"""An SMTP server that takes every mail and counts it by its ``X-Gigalert-Delivery-Id``.

:class:`MailSink` runs in a thread of the caller (the fault suite's tests) or, through
``python -m tests.support.smtp_sink --port P --out FILE``, as a process of its own (the
benchmarks, so the sink's CPU is not the driver's). ``deploy/local/smtp_sink.py`` is the
local system's Maildir server, not this.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import IO, Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.support.ports import free_port


class _TrackingSMTP(SMTP):
    def __init__(self, *args: Any, sessions: set[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions = sessions

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._sessions.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._sessions.discard(self)
        super().connection_lost(error)


class _TrackingController(Controller):
    """A Controller that knows its open sessions (a set owned by its loop's thread)."""

    def __init__(self, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.sessions: set[Any] = set()

    def factory(self) -> Any:
        return _TrackingSMTP(self.handler, sessions=self.sessions, **self.SMTP_kwargs)

    def close_sessions(self) -> None:
        for session in list(self.sessions):
            if session.transport is not None:
                session.transport.close()


class MailSink:
    """An SMTP server. ``received`` counts mails per delivery id (a digest names several
    ids, comma-separated); with ``record``, each mail also appends a line
    ``<receive time>\\t<ids>`` to it (read back with :class:`Received`). ``refuse_for``
    first answers 451 to DATA (so no mail is half accepted when the listener closes), then
    refuses connections. ``answer_delay`` makes it slow to answer the final dot of a mail
    it has taken (as a server that scans mail first is)."""

    def __init__(self, port: int | None = None, record: IO[str] | None = None) -> None:
        self.port = port or free_port()
        self._record = record
        self._lock = threading.Lock()
        self._received: Counter[str] = Counter()
        self.without_id = 0
        self.tempfailed = 0
        self._tempfail = False
        self.answer_delay = 0.0
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self._tempfail:
            with self._lock:
                self.tempfailed += 1
            return "451 4.3.0 Try again later"
        now = time.time()
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        value = str(headers.get("X-Gigalert-Delivery-Id", ""))
        ids = [i.strip() for i in value.split(",") if i.strip()]
        with self._lock:
            if not ids:
                self.without_id += 1
            self._received.update(ids)
            if self._record is not None:
                self._record.write(f"{now:.6f}\t{','.join(ids) or '-'}\n")
                self._record.flush()
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)  # taken; the answer is still to come
        return "250 Message accepted for delivery"

    def _start(self) -> None:
        controller = _TrackingController(
            self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True, ready_timeout=30
        )
        controller.start()
        self._controller = controller

    async def start(self) -> None:
        await asyncio.to_thread(self._start)

    async def stop(self) -> None:
        """Close the listener (new connections are refused), let the sessions in progress
        end (aiosmtpd's own stop would cut them and leak their sockets), then stop."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        controller.loop.call_soon_threadsafe(controller.server.close)
        deadline = time.monotonic() + 5
        while True:  # the server runs in its own thread: poll its sessions
            if not controller.sessions or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        controller.loop.call_soon_threadsafe(controller.close_sessions)
        await asyncio.sleep(0.1)
        await asyncio.to_thread(controller.stop)

    @property
    def listening(self) -> bool:
        return self._controller is not None

    def received(self) -> Counter[str]:
        with self._lock:
            return Counter(self._received)

    def count(self) -> int:
        """Mails accepted so far."""
        with self._lock:
            return sum(self._received.values())

    async def wait_for(self, mails: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:  # the server runs in its own thread: poll its count
            if self.count() >= mails:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.count()} mails after {timeout} s, expected {mails}")
            await asyncio.sleep(0.1)

    async def refuse_for(self, seconds: float) -> None:
        self._tempfail = True
        try:
            await asyncio.sleep(min(1.0, seconds / 4))
            await self.stop()
            await asyncio.sleep(seconds)
        finally:
            if not self.listening:
                await self.start()
            self._tempfail = False


class Received:
    """Reads what a recording sink (or endpoint) wrote: (time, id) per line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[tuple[float, str]]:
        out: list[tuple[float, str]] = []
        with contextlib.suppress(FileNotFoundError), open(self.path, encoding="utf-8") as f:
            for line in f:
                t, _, ident = line.rstrip("\n").partition("\t")
                if ident:
                    out.append((float(t), ident))
        return out


async def until_signal() -> None:
    """Wait for SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve(port: int, out: IO[str]) -> None:
    """A recording sink until SIGTERM; prints ``ready`` once it listens."""
    sink = MailSink(port, record=out)
    await sink.start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        await until_signal()
    finally:
        await sink.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="a recording SMTP sink")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True, help="file to append (time, id) lines to")
    args = parser.parse_args(argv)
    with open(args.out, "a", encoding="utf-8") as out:
        asyncio.run(serve(args.port, out))


if __name__ == "__main__":
    main()
