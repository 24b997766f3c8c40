"""A bounded pool of SMTP sessions (aiosmtplib, in the event loop), reused across mails: no
connect, EHLO, STARTTLS and login per mail, and no thread per send."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass, field
from typing import Final

import aiosmtplib


class Stage(Exception):
    """An SMTP failure and the step it happened at (``mail`` means nothing was sent)."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.stage, self.cause = stage, cause


@dataclass(slots=True)
class _Session:
    smtp: aiosmtplib.SMTP
    sent: int = 0
    idle_since: float = 0.0


_CLOSING: Final = 421  # the server is closing the session
_QUIT_SECONDS: Final = 2.0


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how to connect: Apprise's email plugin parsed it from the URL."""

    host: str
    port: int
    secure_mode: str  # Apprise's: "insecure", "starttls" or "ssl"
    user: str | None
    password: str | None = field(repr=False)
    verify_certificate: bool


class SmtpPool:
    """At most ``size`` open SMTP sessions to one server, used from one event loop.

    :meth:`deliver` takes an idle session (or opens one), sends one mail and gives the
    session back. A session is closed after ``max_messages`` mails, after ``idle_seconds``
    unused, after any error or cancellation but a clean refusal (then RSET), and when the
    server answers 421. A kept session
    that turns out dropped before MAIL was accepted (the server closed it while idle) is
    replaced and the mail is tried once more: nothing of it had been sent."""

    def __init__(
        self,
        server: SmtpServer,
        *,
        timeout: float,
        size: int,
        max_messages: int,
        idle_seconds: float,
    ) -> None:
        self.server = server
        self.timeout = timeout
        self.size = size
        self.max_messages = max_messages
        self.idle_seconds = idle_seconds
        self._idle: list[_Session] = []
        self._tls: ssl.SSLContext | None = None  # built once: it parses the CA bundle
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(size)

    def _bind(self) -> None:
        """Sessions belong to the loop that opened them (tests run a loop each)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self.drop_all()
            self._loop = loop
            self._slots = asyncio.Semaphore(self.size)

    async def _open(self) -> _Session:
        s = self.server
        smtp = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.user or None,
            password=s.password if s.user else None,
            use_tls=s.secure_mode == "ssl",
            start_tls=s.secure_mode == "starttls",
            tls_context=self._tls_context() if s.secure_mode != "insecure" else None,
            timeout=self.timeout,
        )
        await smtp.connect()
        if smtp.last_ehlo_response is None:  # plain, no login: EHLO now, to know SIZE
            try:
                await smtp.ehlo()
            except aiosmtplib.SMTPHeloError:
                await smtp.helo()
        return _Session(smtp)

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
            if not self.server.verify_certificate:
                self._tls.check_hostname = False
                self._tls.verify_mode = ssl.CERT_NONE
        return self._tls

    def _take(self) -> _Session | None:
        now = time.monotonic()
        while self._idle:
            session = self._idle.pop()
            if now - session.idle_since <= self.idle_seconds and session.smtp.is_connected:
                return session
            session.smtp.close()
        return None

    def _give_back(self, session: _Session) -> None:
        if session.sent >= self.max_messages:
            self._quit_later(session)
            return
        session.idle_since = time.monotonic()
        self._idle.append(session)

    def _quit_later(self, session: _Session) -> None:
        task = asyncio.get_running_loop().create_task(_quit(session.smtp))
        _QUITTING.add(task)
        task.add_done_callback(_QUITTING.discard)

    async def deliver(self, from_addr: str, to_addrs: list[str], message: bytes) -> None:
        """Send one mail; raises :class:`Stage` (with the step)."""
        self._bind()
        async with self._slots:
            session = self._take()
            if session is not None:
                try:
                    await self._transact(session, from_addr, to_addrs, message)
                    return
                except Stage as failed:
                    if not (failed.stage == "mail" and _stale(failed.cause)):
                        raise
                    # The kept session was gone before MAIL was accepted: a fresh one.
            try:
                session = await self._open()
            except Exception as exc:
                raise Stage("connect", exc) from exc
            await self._transact(session, from_addr, to_addrs, message)

    async def _transact(
        self, session: _Session, from_addr: str, to_addrs: list[str], message: bytes
    ) -> None:
        """MAIL, RCPT, DATA, knowing the step of a failure. The session goes back to the
        pool after a success or a clean refusal (RSET); it is dropped on anything else,
        cancellation included (its state is then unknown)."""
        smtp = session.smtp
        stage = "mail"
        try:
            size = f"SIZE={len(message)}"
            await smtp.mail(from_addr, options=[size] if smtp.supports_extension("size") else [])
            stage = "rcpt"
            refused: list[aiosmtplib.SMTPRecipientRefused] = []
            for addr in to_addrs:
                try:
                    await smtp.rcpt(addr)
                except aiosmtplib.SMTPRecipientRefused as exc:
                    if exc.code == _CLOSING:  # the server's trouble, not the recipient's
                        raise
                    refused.append(exc)
            if len(refused) == len(to_addrs):
                raise aiosmtplib.SMTPRecipientsRefused(refused)
            stage = "data"
            await smtp.data(message)
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as exc:
            if _closing(exc):
                smtp.close()
            else:
                await self._reset(session)
            raise Stage(stage, exc) from exc
        except BaseException as exc:
            smtp.close()
            if isinstance(exc, Exception):
                raise Stage(stage, exc) from exc
            raise
        session.sent += 1
        self._give_back(session)

    async def _reset(self, session: _Session) -> None:
        try:
            await session.smtp.rset()
        except Exception:
            session.smtp.close()
            return
        except BaseException:
            session.smtp.close()
            raise
        self._give_back(session)

    def drop_all(self) -> None:
        """Close the idle sessions without QUIT (at a loop change or when replaced)."""
        idle, self._idle = self._idle, []
        for session in idle:
            with contextlib.suppress(RuntimeError):  # its loop may be closed already
                session.smtp.close()

    async def aclose(self) -> None:
        """QUIT the idle sessions (at shutdown)."""
        idle, self._idle = self._idle, []
        await asyncio.gather(*(_quit(s.smtp) for s in idle))


_QUITTING: Final[set[asyncio.Task[None]]] = set()


async def _quit(smtp: aiosmtplib.SMTP) -> None:
    try:
        await asyncio.wait_for(smtp.quit(), _QUIT_SECONDS)
    except Exception:
        smtp.close()
    except BaseException:
        smtp.close()
        raise


def _closing(exc: BaseException) -> bool:
    return getattr(exc, "code", None) == _CLOSING


def _stale(exc: BaseException) -> bool:
    """A kept session that the server had dropped, or that it is closing (421); a timeout
    (an ``OSError``) counts too: at MAIL nothing of the mail was sent yet."""
    return isinstance(exc, OSError) or _closing(exc)  # disconnects are OSErrors too


@dataclass(frozen=True, slots=True)
class PoolSettings:
    size: int = 8
    max_messages: int = 100
    idle_seconds: float = 30.0
