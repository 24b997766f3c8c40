"""One-time links sent by mail: login (sign-up and recovery too), confirming a further email
channel, confirming an account's deletion. Stored hashed; single use; short-lived."""

from __future__ import annotations

from uuid import UUID

from gigalert_shared.db import Db
from gigalert_shared.settings import WebSettings
from gigalert_web.i18n import Lang, text
from gigalert_web.mailer import Mailer
from gigalert_web.metrics import MAILS
from gigalert_web.repository import mail_links as links
from gigalert_web.repository import rate_limits
from gigalert_web.repository.mail_links import LinkUse, Purpose
from gigalert_web.tokens import digest, new_secret

_PATHS: dict[Purpose, str] = {
    "login": "/auth/",
    "confirm_email": "/confirm/",
    "delete_account": "/account/delete/",
}
_MAILS: dict[Purpose, str] = {
    "login": "mail.login",
    "confirm_email": "mail.confirm",
    "delete_account": "mail.delete",
}


class TooManyMails(Exception):
    """The client asked for more mails than its limit (per IP)."""


def _lifetime_seconds(web: WebSettings, purpose: Purpose) -> int:
    if purpose == "confirm_email":
        return web.confirm_hours * 3600
    return web.link_minutes * 60


async def send_link(
    db: Db,
    mailer: Mailer,
    web: WebSettings,
    *,
    purpose: Purpose,
    email: str,
    lang: Lang,
    ip: str,
    freelancer_id: UUID | None = None,
    channel_id: UUID | None = None,
) -> bool:
    """Mail a fresh link. Raises TooManyMails past the per-IP limit; returns False, sending
    nothing, past the per-address limit (the caller answers alike either way, so the answer
    tells nothing about the address)."""
    if not await rate_limits.hit(
        db, f"mail-ip:{ip}", limit=web.mails_per_ip_hour, window_seconds=3600
    ):
        raise TooManyMails
    if await links.recent_count(db, email=email, seconds=3600.0) >= web.mails_per_address_hour:
        MAILS.labels(purpose, "limited").inc()
        return False
    token = new_secret()
    lifetime = _lifetime_seconds(web, purpose)
    await links.insert(
        db,
        token_hash=digest(token),
        purpose=purpose,
        email=email,
        freelancer_id=freelancer_id,
        channel_id=channel_id,
        ip=ip,
        seconds=float(lifetime),
    )
    url = web.public_base_url.rstrip("/") + _PATHS[purpose] + token
    key = _MAILS[purpose]
    body = text(lang, key + ".body", url=url, minutes=lifetime // 60, hours=lifetime // 3600)
    try:
        await mailer.send(to=email, subject=text(lang, key + ".subject"), text=body)
    except Exception:
        MAILS.labels(purpose, "failed").inc()
        raise
    MAILS.labels(purpose, "sent").inc()
    return True


async def peek(db: Db, token: str, purpose: Purpose) -> LinkUse | None:
    """The link, if still usable, without using it (GET shows a button; mail scanners that
    prefetch links must not spend them)."""
    if len(token) > 100:
        return None
    found = await links.peek(db, token_hash=digest(token))
    return found if found is not None and found.purpose == purpose else None


async def use(db: Db, token: str, purpose: Purpose) -> LinkUse | None:
    if len(token) > 100:
        return None
    return await links.use(db, token_hash=digest(token), purpose=purpose)
