"""What a notification channel may point at: a plain mail address on a public domain, a Slack
incoming webhook on Slack's own host, a LINE user id. Pure.

One set of rules for the API that stores a channel (the matcher) and the code that sends to
it (the notifier): a channel the API accepts can always be delivered, and one the sender would
refuse is never stored. Every rule is ASCII-only and used with ``fullmatch``, so no value a
user gives can add a URL parameter, a mail header, or another host (SSRF): the SMTP server and
the LINE token come from settings, and a Slack URL can only be Slack's webhook host.

Each ``check_*`` returns its argument unchanged or raises ``ValueError`` saying what is
expected; pydantic reports that as a 422 naming the field.
"""

from __future__ import annotations

import re
from typing import Final

from gigalert_shared.crypto import SLACK_PREFIX

__all__ = [
    "MAX_EMAIL_LENGTH",
    "SLACK_PREFIX",
    "check_line_id",
    "check_recipient_email",
    "check_slack_webhook",
    "is_plain_email",
]

MAX_EMAIL_LENGTH: Final = 254

# A deliberately plain address: ASCII, no quoting, no comments, no IP literals. No
# apostrophe: Apprise reads o'brien@x.jp as the name "o" and the address brien@x.jp; no
# ? % / ; , either (URL syntax in a mailto:// URL).
_ATOM: Final = r"[A-Za-z0-9!#$&*+=^_`{|}~-]+"
_LOCAL: Final = rf"{_ATOM}(?:\.{_ATOM})*"
_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL: Final = re.compile(rf"(?P<local>{_LOCAL})@(?P<domain>{_LABEL}(?:\.{_LABEL})+)")
# A public top-level domain is letters (or an IDN's punycode): never digits, so no IPv4.
_PUBLIC_TLD: Final = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")
# RFC 6761 / 6762 / 7686 special-use names and the cloud-internal one: not the Internet's.
_SPECIAL_TLDS: Final = frozenset(
    {"arpa", "internal", "invalid", "local", "localhost", "onion", "test"}
)

_SLACK: Final = re.compile(
    re.escape(SLACK_PREFIX) + r"[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,128}"
)
_LINE_USER: Final = re.compile(r"U[0-9a-f]{32}")
_LINE_TARGET: Final = re.compile(r"[UCR][0-9a-f]{32}")


def is_plain_email(address: str) -> bool:
    """Whether ``address`` is a plain ASCII address (the syntax rule only; for the service's
    own sender, which may sit on a private domain)."""
    m = _EMAIL.fullmatch(address)
    return m is not None and len(address) <= MAX_EMAIL_LENGTH and len(m.group("local")) <= 64


def check_recipient_email(address: str) -> str:
    """A plain address on a public domain: the only kind a freelancer may give."""
    if not is_plain_email(address):
        raise ValueError(
            "not a plain email address (ASCII name@domain.tld, no quotes, spaces, "
            "IP addresses or URL characters such as ? % / ; ,)"
        )
    tld = address.rsplit(".", 1)[-1].lower()
    if not _PUBLIC_TLD.fullmatch(tld) or tld in _SPECIAL_TLDS:
        raise ValueError("not a plain email address on a public domain")
    return address


def check_slack_webhook(url: str) -> str:
    """``https://hooks.slack.com/services/T…/B…/secret`` and nothing else: no query, fragment,
    user, port, dot segment or percent-encoding, and ASCII letters, digits, ``_``, ``-`` only."""
    if not _SLACK.fullmatch(url):
        raise ValueError(
            f"not a Slack incoming-webhook URL ({SLACK_PREFIX}T…/B…/…, "
            "ASCII letters, digits, _ and - only)"
        )
    return url


def check_line_id(value: str, *, groups_and_rooms: bool = False) -> str:
    """A LINE user id (``U`` + 32 lower-case hex digits); with ``groups_and_rooms``, a group
    (``C…``) or room (``R…``) id too."""
    pattern = _LINE_TARGET if groups_and_rooms else _LINE_USER
    if not pattern.fullmatch(value):
        what = "user, group or room id" if groups_and_rooms else "user id (U + 32 hex digits)"
        raise ValueError(f"not a LINE {what}")
    return value
