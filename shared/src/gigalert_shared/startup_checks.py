"""Settings a service refuses to start with outside ``GIGALERT_ENV=development``.

A secret is unsafe when it is empty, the shipped placeholder (or any ``change-me``), or too
short or too plain to hold 256 bits (at least 43 characters, e.g. ``secrets.token_urlsafe(32)``,
``openssl rand -base64 32`` or ``openssl rand -hex 32``). Links in mail must be https.
"""

from __future__ import annotations

import math
import string

from pydantic import SecretStr

from gigalert_shared.settings import Settings

__all__ = ["MIN_SECRET_CHARS", "secret_problem", "unsafe_settings"]

MIN_SECRET_CHARS = 43  # 32 random bytes in base64url
MIN_SECRET_BITS = 256
PLACEHOLDERS = ("dev-only-change-me", "change-me", "changeme")

# Which service uses which secret and URL (docs/operations.md, "Which secret each process needs").
USES_CHANNEL_KEY = frozenset({"web", "notifier"})
USES_PUBLIC_URL = frozenset({"web", "notifier"})


def secret_problem(value: str) -> str | None:
    """Why ``value`` is not a safe secret, or None."""
    if not value.strip():
        return "is empty"
    if any(p in value.lower() for p in PLACEHOLDERS):
        return "is a placeholder (change-me)"
    if len(value) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    alphabet = 0
    for chars, size in (
        (string.digits, 10),
        (string.ascii_lowercase, 26),
        (string.ascii_uppercase, 26),
    ):
        if any(c in chars for c in value):
            alphabet += size
    if any(c not in string.ascii_letters + string.digits for c in value):
        alphabet += 32
    if len(set(value)) < 10 or len(value) * math.log2(max(alphabet, 2)) < MIN_SECRET_BITS:
        return f"holds less than {MIN_SECRET_BITS} bits of randomness"
    return None


def _secret(name: str, value: SecretStr | None, problems: list[str]) -> None:
    if value is not None and (why := secret_problem(value.get_secret_value())):
        problems.append(f"{name} {why}")


def unsafe_settings(settings: Settings, service: str) -> list[str]:
    """Every reason ``service`` should not start with these settings (empty: safe)."""
    problems: list[str] = []
    if service in USES_CHANNEL_KEY:
        _secret("GIGALERT_CHANNEL_SECRET_KEY", settings.channel_secret_key, problems)
    _secret("GIGALERT_HTTP_ADMIN_TOKEN", settings.http.admin_token, problems)
    _secret("GIGALERT_HTTP_METRICS_TOKEN", settings.http.metrics_token, problems)
    if service in USES_PUBLIC_URL and not settings.web.public_base_url.startswith("https://"):
        problems.append("GIGALERT_WEB_PUBLIC_BASE_URL is not https")
    return problems
