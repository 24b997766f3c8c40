"""A bounded pool of SMTP sessions, opened by Apprise's ``AppriseSMTPController`` and
reused across mails by any thread: no connect, EHLO, STARTTLS and login per mail."""

from __future__ import annotations

import contextlib
import smtplib
import threading
import time
from dataclasses import dataclass
from typing import Any, Final

from gigalert_notifier.apprise_setup import AppriseSMTPController


class Stage(Exception):
    """An SMTP failure and the step it happened at (``mail`` means nothing was sent)."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.stage, self.cause = stage, cause


@dataclass(slots=True)
class _Session:
    controller: AppriseSMTPController
    smtp: smtplib.SMTP
    sent: int = 0
    idle_since: float = 0.0


_DISCONNECTED: Final = (smtplib.SMTPServerDisconnected, OSError)


class SmtpPool:
    """At most ``size`` open SMTP sessions to one server (opened by Apprise's
    ``AppriseSMTPController``), reused across mails by any thread.

    :meth:`deliver` takes an idle session (or opens one), sends one mail and gives the
    session back. A session is closed after ``max_messages`` mails, after ``idle_seconds``
    unused, after any error, and when the server answers 421. A kept session that turns out
    dropped before MAIL was accepted (the server closed it while idle) is replaced and the
    mail is tried once more: nothing of it had been sent."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        secure_mode: str,
        user: str | None,
        password: str | None,
        verify_certificate: bool,
        timeout: float,
        size: int,
        max_messages: int,
        idle_seconds: float,
    ) -> None:
        self._args = {
            "host": host,
            "port": port,
            "secure_mode": secure_mode,
            "user": user,
            "password": password,
            "verify_certificate": verify_certificate,
        }
        self.timeout = timeout
        self.max_messages = max_messages
        self.idle_seconds = idle_seconds
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Session] = []
        self._lock = threading.Lock()

    def _open(self, timeout: float) -> _Session:
        controller = AppriseSMTPController(socket_connect_timeout=timeout, **self._args)  # type: ignore[arg-type]
        controller.__enter__()
        smtp: Any = controller._socket
        smtp.ehlo_or_helo_if_needed()
        return _Session(controller, smtp)

    @staticmethod
    def _close(session: _Session) -> None:
        with contextlib.suppress(Exception):
            session.controller.__exit__(None, None, None)

    @staticmethod
    def _drop(session: _Session) -> None:
        """Close without QUIT (the session is in an unknown state)."""
        with contextlib.suppress(Exception):
            session.smtp.close()

    def _take(self) -> _Session | None:
        now = time.monotonic()
        with self._lock:
            while self._idle:
                session = self._idle.pop()
                if now - session.idle_since <= self.idle_seconds:
                    return session
                self._close(session)
        return None

    def _give_back(self, session: _Session) -> None:
        if session.sent >= self.max_messages:
            self._close(session)
            return
        session.idle_since = time.monotonic()
        with self._lock:
            self._idle.append(session)

    def deliver(
        self, from_addr: str, to_addrs: list[str], message: str | bytes, timeout: float
    ) -> None:
        """Send one mail; raises :class:`Stage` (with the step) or a connection error."""
        if not self._slots.acquire(timeout=timeout):
            raise smtplib.SMTPConnectError(-1, b"no SMTP session free in time")
        try:
            session = self._take()
            if session is not None:
                try:
                    self._transact(session, from_addr, to_addrs, message, timeout)
                    return
                except Stage as failed:
                    if not (failed.stage == "mail" and _stale(failed.cause)):
                        raise
                    # The kept session was gone before MAIL was accepted: a fresh one.
            try:
                session = self._open(timeout)
            except Stage:
                raise
            except Exception as exc:
                raise Stage("connect", exc) from exc
            self._transact(session, from_addr, to_addrs, message, timeout)
        finally:
            self._slots.release()

    def _transact(
        self,
        session: _Session,
        from_addr: str,
        to_addrs: list[str],
        message: str | bytes,
        timeout: float,
    ) -> None:
        """MAIL, RCPT, DATA (as ``smtplib.SMTP.sendmail``), knowing the step of a failure.
        The session goes back to the pool after a success or a clean refusal (RSET)."""
        smtp = session.smtp
        if smtp.sock is not None:
            smtp.sock.settimeout(timeout)
        stage = "mail"
        try:
            size = len(message) if isinstance(message, bytes) else len(message.encode("utf-8"))
            options = [f"size={size}"] if smtp.has_extn("size") else []
            code, resp = smtp.mail(from_addr, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, resp, from_addr)
            stage = "rcpt"
            refused: dict[str, tuple[int, bytes]] = {}
            for addr in to_addrs:
                code, resp = smtp.rcpt(addr)
                if code not in (250, 251):
                    refused[addr] = (code, resp)
                if code == 421:
                    raise smtplib.SMTPRecipientsRefused(refused)
            if len(refused) == len(to_addrs):
                raise smtplib.SMTPRecipientsRefused(refused)
            stage = "data"
            code, resp = smtp.data(message)
            if code != 250:
                raise smtplib.SMTPDataError(code, resp)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            closing = getattr(exc, "smtp_code", None) == 421 or any(
                c == 421 for c, _ in getattr(exc, "recipients", {}).values()
            )
            if closing:
                self._drop(session)
            else:
                try:
                    smtp.rset()
                except Exception:
                    self._drop(session)
                else:
                    self._give_back(session)
            raise Stage(stage, exc) from exc
        except Exception as exc:
            self._drop(session)
            raise Stage(stage, exc) from exc
        session.sent += 1
        self._give_back(session)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for session in idle:
            self._close(session)


def _stale(exc: BaseException) -> bool:
    """A kept session that the server had dropped, or that it is closing (421)."""
    if isinstance(exc, _DISCONNECTED):
        return True
    return getattr(exc, "smtp_code", None) == 421


@dataclass(frozen=True, slots=True)
class PoolSettings:
    size: int = 8
    max_messages: int = 100
    idle_seconds: float = 30.0
