"""Our URLs become the same Apprise plugins as through ``Apprise.instantiate(url)``, without
its per-call redaction and native-URL scan."""

from __future__ import annotations

from typing import Any

import apprise
import pytest

from gigalert_notifier.apprise_setup import asset, load_apprise_plugins
from gigalert_notifier.sending import _instantiate, _parsed

URLS = [
    "https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/abcdefghijklmnopqrstuvwx",
    "line://tok3n/U0123456789abcdef0123456789abcdef",
    "json://127.0.0.1:9999/hook/abc",
]


@pytest.mark.parametrize("url", URLS)
def test_same_plugin_and_settings_as_apprise_parses(url: str) -> None:
    load_apprise_plugins()
    ours: Any = _instantiate(url, 10.0)
    theirs: Any = apprise.Apprise.instantiate(url, asset=asset(15.0))
    assert ours is not None and theirs is not None
    assert type(ours) is type(theirs)
    assert ours.url(privacy=False) == theirs.url(privacy=False)


def test_a_url_we_do_not_parse_is_left_to_apprise() -> None:
    load_apprise_plugins()
    assert _parsed("https://example.com/hook") is None
    assert _parsed("nosuchscheme://x") is None
    assert _instantiate("https://example.com/hook", 10.0) is None
