"""Platform text made safe, whatever it holds (every field that comes from a platform is
treated as hostile):

* HTML: every field goes through :func:`html.escape` (:func:`e`); links are only ``http(s)``
  URLs without spaces, quotes or angle brackets (:func:`safe_url`), else they are left out.
* Slack: ``markdown`` is CommonMark, which Apprise's Slack plugin converts to Slack's mrkdwn
  (``**b**`` → ``*b*``, ``[t](<u>)`` → ``<u|t>``, ``&`` → ``&amp;``). Platform text has
  ``<``, ``>``, ``[`` and ``]`` backslash-escaped (:func:`md`), which Apprise turns into
  ``&lt;``/``&gt;`` and literal brackets, so a title such as ``<!channel>`` or
  ``[x](https://evil)`` cannot ping a channel or smuggle a link. (``*``, ``_`` and ``~`` in a
  title may still format: only cosmetic, and Apprise keeps a backslash before them.)
* Everything: control characters and line breaks in single-line fields become spaces
  (:func:`line`).
* LINE: lengths in UTF-16 code units (:func:`truncate_utf16`)."""

from __future__ import annotations

import html
import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+")
SPACES = re.compile(r"\s+")


def line(value: str | None) -> str:
    """One line of platform text: control characters and runs of space become one space."""
    if not value:
        return ""
    return SPACES.sub(" ", CONTROL.sub(" ", value)).strip()


def shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


URL_OK = re.compile(r"^https?://[^\s<>\"'`\\\x00-\x1f\x7f]+\Z", re.IGNORECASE)


def safe_url(url: str | None) -> str | None:
    """A link we are willing to show: http(s), no whitespace, quotes or angle brackets."""
    if url is None or len(url) > 2048 or not URL_OK.match(url):
        return None
    return url


def md(value: str) -> str:
    """Platform text for Slack markdown (see the module docstring)."""
    return re.sub(r"([<>\[\]])", r"\\\1", value)


def utf16_len(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def truncate_utf16(value: str, limit: int) -> str:
    """At most ``limit`` UTF-16 code units, ending in "…" when cut (never mid-character)."""
    if utf16_len(value) <= limit:
        return value
    out: list[str] = []
    used = 1  # the ellipsis
    for ch in value:
        n = 2 if ord(ch) > 0xFFFF else 1
        if used + n > limit:
            break
        out.append(ch)
        used += n
    return "".join(out).rstrip() + "…"


def e(value: str) -> str:
    return html.escape(value, quote=True)
