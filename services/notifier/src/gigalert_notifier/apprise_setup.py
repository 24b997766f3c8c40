"""Apprise, set up once per process: its plugin modules loaded (with the email plugin's
``imghdr`` warning silenced), its log records forwarded, its SMTP TLS context and header
folding made cheap, our HTTP transport put into its HTTP plugins; and the asset and tuning
every plugin instance gets (no throttle, no retries: those are the worker's job)."""

from __future__ import annotations

import importlib
import logging
import threading
import warnings
from functools import lru_cache
from typing import Any, Final

import apprise
import requests
from apprise.manager_plugins import NotificationManager

from gigalert_notifier.http_pool import HTTP_PLUGIN_MODULES, transport

# The email plugin imports ``imghdr`` (for PGPy), which warns on Python 3.11–3.12; under
# ``-W error`` (our pytest config) the import would fail. See load_apprise_plugins.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
    from apprise.plugins.email import NotifyEmail

__all__ = [
    "NotifyEmail",
    "asset",
    "configure_apprise_logging",
    "load_apprise_plugins",
    "tune",
]

_APPRISE_LOGGER: Final = "apprise"
_FORWARD_TO: Final = "gigalert_notifier.apprise"


class _ForwardWarnings(logging.Handler):
    """Passes Apprise's WARNING+ records on to our own logger (and so to the root's)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(_FORWARD_TO).handle(record)


def configure_apprise_logging() -> None:
    """Apprise's own records: WARNING and above, handed on to ``gigalert_notifier.apprise``.
    Nothing is read from them (results come from :class:`Call`), so DEBUG records are never
    made. Idempotent."""
    logger = logging.getLogger(_APPRISE_LOGGER)
    if any(isinstance(h, _ForwardWarnings) for h in logger.handlers):
        return
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.addHandler(_ForwardWarnings())


_plugins_loaded = False
_load_lock = threading.Lock()


def load_apprise_plugins() -> None:
    """Apprise imports its ~190 plugin modules on first use. The email plugin imports
    ``imghdr`` (for PGPy), which warns ``DeprecationWarning`` on Python 3.11–3.12; under
    ``-W error`` (our pytest config) that import would fail and break every later send.
    Load them once with that one warning silenced, then put our HTTP transport into the
    Slack, LINE and JSON plugins. :func:`send` calls this; call it yourself before using
    Apprise directly (e.g. ``Apprise.instantiate`` in a test)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    with _load_lock:
        _load_locked()


def _load_locked() -> None:
    global _plugins_loaded
    if _plugins_loaded:  # another thread loaded them while this one waited
        return
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="'imghdr' is deprecated", category=DeprecationWarning
        )
        manager: Any = NotificationManager  # untyped in apprise 2.3
        manager().load_modules()
    _fast_qp_header_length()
    for name in HTTP_PLUGIN_MODULES:
        module: Any = importlib.import_module(name)
        if getattr(module, "requests", None) is requests:
            module.requests = transport
    _plugins_loaded = True


def _fast_qp_header_length() -> None:
    """``email.quoprimime.header_length`` in C speed. The stdlib sums a Python generator
    over every byte, and folding a Japanese subject calls it for each candidate split: it
    was the largest single cost of building a mail (about a third). Same result by
    construction: the safe bytes are read from the stdlib's own table."""
    import email.quoprimime as qp

    table: Any = qp._QUOPRI_HEADER_MAP  # type: ignore[attr-defined]
    if getattr(qp.header_length, "_gigalert", False):
        return
    safe = bytes(b for b in range(256) if len(table[b]) == 1)

    def header_length(data: Any) -> int:
        raw = bytes(data)
        return len(raw) + 2 * len(raw.translate(None, safe))

    header_length._gigalert = True  # type: ignore[attr-defined]
    qp.header_length = header_length  # type: ignore[assignment]


@lru_cache(maxsize=32)
def asset(service_timeout: float) -> apprise.AppriseAsset:
    """Shared settings for plugin instances: our name, no Apprise logo URLs in payloads,
    no Apprise retries, and Apprise's own deadline just behind ours."""
    return apprise.AppriseAsset(
        app_id="gigalert",
        app_desc="gigalert gig alerts",
        app_url="https://gigalert.invalid/",
        image_url_mask="",
        image_url_logo="",
        default_service_retry=0,
        service_timeout=service_timeout,
    )


def tune(service: Any, timeout: float) -> None:
    """No throttle, no retries, sockets within ``timeout``."""
    if hasattr(service, "request_rate_per_sec"):
        service.request_rate_per_sec = 0
    if hasattr(service, "retry"):
        service.retry = 0
    for name in ("socket_connect_timeout", "socket_read_timeout"):
        current = getattr(service, name, None)
        if isinstance(current, int | float) and current > timeout:
            setattr(service, name, float(timeout))
