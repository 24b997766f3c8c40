"""Apprise URLs built from structured channels, never from a user's free text. Pure.

Design ("Channels and security"): a freelancer gives an email address, a Slack incoming
webhook or a LINE user id; everything else (SMTP server, credentials, the LINE token) comes
from settings. Every value a user gives is validated by the rules the matcher's API applied
when it was stored (:mod:`gigalert_shared.channel_rules`; a value they refuse raises
:class:`ValueError`, which callers treat as a permanent error) *and* percent-encoded, so it
can never add or change a URL parameter (``a@b.jp?smtp=evil.com`` is refused).

Apprise 2.3 quirks these builders rely on (see ``apprise/plugins/email/base.py`` and
``apprise/utils/parse.py``):

* the query string is split on ``&`` *and* ``;`` before it is unquoted, then each value is
  unquoted once; the email plugin unquotes ``from=``, ``name=``, ``smtp=`` and ``+Header``
  names and values a *second* time, so those are percent-encoded twice (else a literal
  ``%2B`` in an unsubscribe link would come out as ``+``); ``to=`` and ``mode=`` once;
* user and password in the authority are unquoted once;
* a recipient list is split on commas and spaces, and Apprise quietly picks addresses out of
  junk, which is why addresses are validated here rather than left to Apprise;
* LINE tokens may hold ``/``, ``+`` and ``=``: the percent-encoded token in the host position
  comes back intact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlsplit, urlunsplit

from gigalert_shared.channel_rules import (
    check_line_id,
    check_recipient_email,
    check_slack_webhook,
    is_plain_email,
)
from gigalert_shared.crypto import SLACK_PREFIX, mask
from gigalert_shared.settings import SmtpSettings

__all__ = [
    "MailTo",
    "email_url",
    "line_url",
    "mail_to",
    "redact",
    "slack_url",
    "smtp_url",
    "valid_email",
]

# Every pattern here is used with fullmatch. The SMTP host comes from settings.
_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*|\d{{1,3}}(?:\.\d{{1,3}}){{3}}")
_LINE_TOKEN: Final = re.compile(r"[A-Za-z0-9+/=_.-]{1,512}")
_HEADER_VALUE: Final = re.compile(r"[\x20-\x7e]{1,900}")
_UNSUBSCRIBE_URL: Final = re.compile(r"https?://[\x21-\x3b\x3d\x3f-\x7e]{1,800}")  # no < >

_SECURITY_MODE: Final = {"starttls": "starttls", "tls": "ssl"}


def _q(value: str) -> str:
    return quote(value, safe="")


def _qq(value: str) -> str:
    """For parameters Apprise's email plugin unquotes twice."""
    return _q(_q(value))


def valid_email(address: str) -> bool:
    """Whether ``address`` is a recipient this service will mail (a plain ASCII address on a
    public domain: :func:`~gigalert_shared.channel_rules.check_recipient_email`)."""
    try:
        check_recipient_email(address)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class MailTo:
    """One mail's own parts of an email URL: its recipient and the headers it adds."""

    recipient: str
    headers: dict[str, str]


def smtp_url(smtp: SmtpSettings) -> str:
    """``mailto://`` (security none) or ``mailtos://…&mode=starttls|ssl``: the SMTP server,
    credentials and sender, without a recipient (see :func:`email_url`)."""
    if not is_plain_email(smtp.sender):  # ours: a private domain (gigalert.local) is fine
        raise ValueError(
            f"the sender (GIGALERT_SMTP_SENDER) is not a plain email address: {smtp.sender!r}"
        )
    if not _HOST.fullmatch(smtp.host):
        raise ValueError(f"the SMTP host is not a host name or IPv4 address: {smtp.host!r}")
    if not 1 <= smtp.port <= 65535:
        raise ValueError(f"the SMTP port is out of range: {smtp.port}")
    name = smtp.sender_name.strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise ValueError("the sender name must not contain control characters")

    scheme = "mailto" if smtp.security == "none" else "mailtos"
    auth = ""
    if smtp.username:
        auth = _q(smtp.username)
        if smtp.password is not None:
            auth += ":" + _q(smtp.password.get_secret_value())
        auth += "@"
    params = [
        f"smtp={_qq(smtp.host)}",
        f"from={_qq(smtp.sender)}",
    ]
    if name:
        params.append(f"name={_qq(name)}")
    if smtp.security != "none":
        params.append(f"mode={_SECURITY_MODE[smtp.security]}")
    return f"{scheme}://{auth}{smtp.host}:{smtp.port}/?{'&'.join(params)}"


def mail_to(address: str, *, delivery_id: str, unsubscribe_url: str | None) -> MailTo:
    """To ``address``, with the headers ``X-Gigalert-Delivery-Id`` and, when given,
    ``List-Unsubscribe: <unsubscribe_url>`` with ``List-Unsubscribe-Post:
    List-Unsubscribe=One-Click`` (RFC 8058: the unsubscribe endpoint accepts POST)."""
    if not valid_email(address):
        raise ValueError(f"the recipient is not a plain email address: {address!r}")
    if not _HEADER_VALUE.fullmatch(delivery_id):
        raise ValueError("the delivery id must be 1–900 printable ASCII characters")
    headers = {"X-Gigalert-Delivery-Id": delivery_id}
    if unsubscribe_url is not None:
        if not _UNSUBSCRIBE_URL.fullmatch(unsubscribe_url):
            raise ValueError("the unsubscribe URL must be an http(s) URL without spaces or <>")
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return MailTo(address, headers)


def email_url(
    address: str, smtp: SmtpSettings, *, delivery_id: str, unsubscribe_url: str | None
) -> str:
    """:func:`smtp_url` with :func:`mail_to`'s recipient and headers in it (``to=`` and
    ``+Header`` parameters): one URL that holds a whole mail's addressing."""
    mail = mail_to(address, delivery_id=delivery_id, unsubscribe_url=unsubscribe_url)
    headers = "".join(f"&{_q('+' + k)}={_qq(v)}" for k, v in mail.headers.items())
    return f"{smtp_url(smtp)}&to={_q(address)}{headers}"


def slack_url(webhook_url: str) -> str:
    """A Slack incoming webhook, as is (Apprise reads ``https://hooks.slack.com/services/…``
    natively). Only ``…/services/T…/B…/secret`` is accepted: no query, no fragment."""
    return check_slack_webhook(webhook_url)


def line_url(token: str, user_id: str) -> str:
    """``line://TOKEN/USER_ID``: a push through the LINE Messaging API with the service's
    channel access token to one user (``U`` + 32 hex), group (``C…``) or room (``R…``)."""
    check_line_id(user_id, groups_and_rooms=True)
    if not _LINE_TOKEN.fullmatch(token):
        raise ValueError("the LINE channel access token has unexpected characters")
    return f"line://{_q(token)}/{user_id}"


def redact(url: str) -> str:
    """The URL with its secrets masked, for logs: the SMTP password, the LINE token, the
    Slack webhook's path. Unknown or unreadable URLs keep only their scheme."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable url>"
    scheme = parts.scheme.lower()
    if url.startswith(SLACK_PREFIX):
        return mask(url)
    if scheme == "line":
        return urlunsplit((parts.scheme, "****", parts.path, "", ""))
    if scheme in ("mailto", "mailtos"):
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:****@{host}" if ":" in userinfo else f"{user}@{host}"
        query = "&".join(
            f"{pair.split('=', 1)[0]}=****" if "unsubscribe" in pair.lower() else pair
            for pair in parts.query.split("&")
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    return f"{parts.scheme}://…" if parts.scheme else "<unreadable url>"
