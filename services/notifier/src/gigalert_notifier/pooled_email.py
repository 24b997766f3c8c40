"""Apprise's email plugin with kept SMTP sessions: one :class:`PooledEmail` per SMTP
configuration (the ``mailto://`` URL without its per-mail parts: ``to=`` and the ``+Header``
parameters), built once and shared by every mail; each mail's recipient and headers reach
its ``async_send()`` through the send's :class:`Call`. When the send carries the renderer's text
part (alerts do), the message is assembled by :mod:`gigalert_notifier.mail_message`, a
tenth of the cost of Apprise's builder, which also converts the HTML into text; otherwise
Apprise builds it (``NotifyEmail.prepare_emails``). Apprise's plugin parses the URL (host,
TLS mode, login); the sessions, opened with those, are kept in a :class:`SmtpPool` and
driven by aiosmtplib in the event loop."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Final
from urllib.parse import unquote

import aiosmtplib
from apprise import NotifyFormat

from gigalert_notifier.apprise_setup import NotifyEmail, asset, tune
from gigalert_notifier.mail_message import MailParts, build_message
from gigalert_notifier.send_call import CALL, Call
from gigalert_notifier.smtp_pool import PoolSettings, SmtpPool, SmtpServer, Stage

_MAX_SMTP_CONFIGS: Final = 8


class PooledEmail(NotifyEmail):  # type: ignore[no-untyped-call]  # untyped in apprise 2.3
    """Apprise's email plugin sending natively in the event loop (:meth:`async_notify`), its
    SMTP sessions kept in a :class:`SmtpPool`.

    One instance serves every mail to one SMTP configuration: each mail's recipient,
    headers and text part come from the send's :class:`Call`. What went wrong is noted on
    the :class:`Call`. Apprise's synchronous ``notify()`` is refused: the sessions live in
    the event loop."""

    pool: SmtpPool

    def attach_pool(self, settings: PoolSettings, timeout: float) -> None:
        me: Any = self  # Apprise's attributes are untyped
        server = SmtpServer(
            host=str(me.smtp_host),
            port=int(me.port),
            secure_mode=str(me.secure_mode),
            user=me.user,
            password=me.password,
            verify_certificate=bool(me.verify_certificate),
        )
        self.pool = SmtpPool(
            server,
            timeout=timeout,
            size=settings.size,
            max_messages=settings.max_messages,
            idle_seconds=settings.idle_seconds,
        )

    async def async_notify(self, *args: Any, **kwargs: Any) -> bool:
        """Apprise's preparation of the send (format resolution, overflow), then each piece
        sent in this event loop: no executor thread."""
        try:
            sends = list(self._build_send_calls(*args, **kwargs))
        except TypeError:
            return False
        for piece in sends:
            if not await self.async_send(**piece):
                return False
        return True

    def send(
        self,
        body: str,
        title: str = "",
        notify_type: Any = None,
        attach: Any = None,
        body_format: Any = None,
        **kwargs: Any,
    ) -> bool:
        call = CALL.get() or Call()
        call.error = RuntimeError("PooledEmail sends through async_notify() only")
        return False

    async def async_send(
        self, body: str, title: str = "", body_format: Any = None, **kwargs: Any
    ) -> bool:
        me: Any = self  # Apprise's attributes are untyped
        call = CALL.get() or Call()
        recipient = call.recipient
        targets = [(False, recipient)] if recipient else list(self.targets)
        if not targets:
            call.no_recipient = True
            return False
        headers = {"X-Application": self.app_id, **self.headers, **call.headers}
        fmt = self.resolve_format(body_format)
        try:
            if recipient and call.text is not None and fmt == NotifyFormat.HTML:
                mails = [([recipient], self._assemble(recipient, title, call.text, body, headers))]
            else:
                mails = [
                    (m.to_addrs, _as_bytes(m.body))
                    for m in NotifyEmail.prepare_emails(
                        subject=title,
                        body=body,
                        notify_format=fmt,
                        from_addr=self.from_addr,
                        to=targets,
                        smtp_host=self.smtp_host,
                        headers=headers,
                        names=self.names,
                        tzinfo=self.tzinfo,
                    )
                ]
        except Exception as exc:
            call.error = exc
            return False
        try:
            for to_addrs, message in mails:
                await self.pool.deliver(str(me.from_addr[1]), to_addrs, message)
        except Stage as failed:
            cause = failed.cause
            if failed.stage == "connect":
                call.connect_failed = True
            if isinstance(cause, aiosmtplib.SMTPRecipientsRefused):
                call.refused = {str(r.recipient): (r.code, r.message) for r in cause.recipients}
            call.error = cause
            return False
        return True

    def _assemble(
        self, recipient: str, subject: str, text: str, html: str, headers: dict[str, str]
    ) -> bytes:
        me: Any = self  # Apprise's attributes are untyped
        name, address = me.from_addr
        unique = uuid.uuid4().hex
        return build_message(
            MailParts(
                sender=str(address),
                sender_name=str(name or ""),
                recipient=recipient,
                subject=subject,
                text=text,
                html=html,
                headers=headers,
                message_id=f"<{unique}@{me.smtp_host}>",
                date=format_datetime(datetime.now(tz=me.tzinfo)),
                boundary=f"=_{unique}",
            )
        )


@dataclass(frozen=True, slots=True)
class EmailParts:
    base: str  # the URL without its per-mail parts: the key of the shared plugin
    recipient: str
    headers: dict[str, str]


def split_email_url(url: str) -> EmailParts | None:
    """``to=`` (unquoted once, as Apprise does) and the ``+Header`` parameters (name and
    value unquoted twice, as Apprise's email plugin does) apart from the rest."""
    head, sep, query = url.partition("?")
    if not sep:
        return None
    recipient = ""
    headers: dict[str, str] = {}
    rest: list[str] = []
    for pair in query.replace(";", "&").split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        raw = unquote(name)
        if raw.lower() == "to":
            recipient = unquote(value).strip()
        elif raw.startswith(("+", " ")) and len(raw) > 1:
            headers[unquote(raw[1:])] = unquote(unquote(value))
        else:
            rest.append(pair)
    if not recipient:
        return None
    return EmailParts(f"{head}?{'&'.join(rest)}", recipient, headers)


class EmailPlugins:
    """The shared :class:`PooledEmail` per SMTP configuration (and timeout)."""

    def __init__(self) -> None:
        self.email: dict[tuple[str, float], PooledEmail | None] = {}
        self.settings = PoolSettings()

    def email_plugin(self, base: str, timeout: float) -> PooledEmail | None:
        key = (base, timeout)
        if key in self.email:
            return self.email[key]
        plugin: PooledEmail | None = None
        try:
            cls: Any = PooledEmail  # untyped in apprise 2.3
            results = cls.parse_url(base)
            if results:
                results["asset"] = asset(round(timeout + 5.0, 3))
                plugin = cls(**results)
        except Exception:
            plugin = None
        if plugin is not None:
            tune(plugin, timeout)
            plugin.attach_pool(self.settings, timeout)
        while len(self.email) >= _MAX_SMTP_CONFIGS:  # one in production; tests make many
            oldest = self.email.pop(next(iter(self.email)))
            if oldest is not None:
                oldest.pool.drop_all()
        self.email[key] = plugin
        return plugin

    def close(self) -> None:
        """Drop every kept session (without QUIT) and forget the plugins."""
        for plugin in self.email.values():
            if plugin is not None:
                plugin.pool.drop_all()
        self.email.clear()

    async def aclose(self) -> None:
        """QUIT every kept session and forget the plugins (at shutdown)."""
        plugins, self.email = list(self.email.values()), {}
        await asyncio.gather(*(p.pool.aclose() for p in plugins if p is not None))


def _as_bytes(message: str | bytes) -> bytes:
    return message if isinstance(message, bytes) else message.encode("utf-8")
