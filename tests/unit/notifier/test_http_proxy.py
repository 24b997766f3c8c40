"""Webhook posts honour the environment's proxy settings, as ``requests`` did, read once
per host."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gigalert_notifier.http_pool import _proxy, _proxy_for

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy_set(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (*PROXY_VARIABLES, "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    _proxy_for.cache_clear()
    yield
    _proxy_for.cache_clear()


def test_the_https_proxy_is_used_unless_no_proxy_exempts_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "api.line.me,127.0.0.1")
    assert _proxy("https://hooks.slack.com/services/T0/B0/x") == "http://proxy.internal:3128"
    assert _proxy("https://api.line.me/v2/bot/message/push") is None
    assert _proxy("http://127.0.0.1:8080/hook") is None


def test_no_proxy_without_settings() -> None:
    assert _proxy("https://hooks.slack.com/services/T0/B0/x") is None
