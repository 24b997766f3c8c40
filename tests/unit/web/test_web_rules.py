"""The web app's pure rules: codes, signatures, origins, cookies, the search form."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from starlette.responses import Response

from gigalert_shared.settings import WebSettings
from gigalert_web.channel_flows import check_webhook
from gigalert_web.http_safety import origin_allowed
from gigalert_web.line_webhook import parse_events, signature_ok
from gigalert_web.pages.forms import safe_next
from gigalert_web.search_form import form_to_subscription, words
from gigalert_web.sessions import SECURE_COOKIE, cookie_name, is_https
from gigalert_web.tokens import code_digest, new_link_code, normalise_code


def test_link_codes_are_forgiving_to_type_and_strict_to_match() -> None:
    code = new_link_code()
    assert normalise_code(code.lower()) == code
    assert normalise_code(" " + code[:3] + "-" + code[3:] + " ") == code
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalise_code(full_width) == code
    assert normalise_code("こんにちは") is None and normalise_code("ABC") is None
    assert normalise_code("ABCDE0") is None  # 0 is not in the alphabet (O/0 confusion)
    assert code_digest(code, "k1") != code_digest(code, "k2")


def _sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_line_signature() -> None:
    body = b'{"events":[]}'
    assert signature_ok(body, _sign(body, "s"), "s")
    assert not signature_ok(body, _sign(body, "other"), "s")
    assert not signature_ok(body + b" ", _sign(body, "s"), "s")
    assert not signature_ok(body, None, "s")
    assert not signature_ok(body, _sign(body, ""), "")  # no secret configured: nothing passes


def test_line_events_only_from_users_and_only_known_kinds() -> None:
    user = "U" + "0" * 32
    doc: dict[str, Any] = {
        "events": [
            {"type": "follow", "source": {"type": "user", "userId": user}},
            {
                "type": "message",
                "source": {"type": "user", "userId": user},
                "message": {"type": "text", "text": "ABC234"},
            },
            {
                "type": "message",
                "source": {"type": "group", "groupId": "C1", "userId": user},
                "message": {"type": "text", "text": "ABC234"},
            },
            {
                "type": "message",
                "source": {"type": "user", "userId": user},
                "message": {"type": "sticker"},
            },
            {"type": "unfollow", "source": {"type": "user", "userId": "not-a-user"}},
            "garbage",
        ]
    }
    events = parse_events(json.dumps(doc).encode())
    assert [(e.kind, e.text) for e in events] == [("follow", None), ("message", "ABC234")]
    assert parse_events(b"not json") == [] and parse_events(b"[]") == []


def test_origin_check() -> None:
    assert origin_allowed("https://gigalert.example.jp", "https://gigalert.example.jp")
    assert origin_allowed(None, "https://gigalert.example.jp")
    assert not origin_allowed("null", "https://gigalert.example.jp")
    assert not origin_allowed("https://evil.example", "https://gigalert.example.jp")
    assert not origin_allowed("http://gigalert.example.jp", "https://gigalert.example.jp")


def test_cookies_are_secure_and_host_prefixed_over_https() -> None:
    web = WebSettings(public_base_url="https://gigalert.example.jp")
    assert is_https(web) and cookie_name(web) == SECURE_COOKIE
    response = Response()
    response.set_cookie(cookie_name(web), "x", secure=is_https(web), httponly=True, samesite="lax")
    header = response.headers["set-cookie"].lower()
    assert header.startswith("__host-") and "secure" in header
    assert not is_https(WebSettings(public_base_url="http://127.0.0.1:8000"))


def test_next_is_a_local_path_only() -> None:
    assert safe_next("/searches?x=1") == "/searches?x=1"
    for bad in ("//evil.example", "https://evil.example", "/\\evil.example", None, ""):
        assert safe_next(bad) == "/"


def test_slack_prefix_rule() -> None:
    assert check_webhook(
        "https://hooks.slack.com/services/T0/B0/abc", "https://hooks.slack.com/services/"
    )
    with pytest.raises(ValueError):
        check_webhook(
            "https://hooks.slack.com.evil/services/T0/B0/abc", "https://hooks.slack.com/services/"
        )
    with pytest.raises(ValueError):
        check_webhook("http://127.0.0.1:9/services/T0/B0/a?x=1", "http://127.0.0.1:9/services/")


def test_search_form_words_and_numbers() -> None:
    assert words("ＰＭＯ、Jira, 広報  PR") == ["ＰＭＯ", "Jira", "広報", "PR"]
    sub, errors = form_to_subscription(
        {"remote_modes": ["remote"], "min_rate_jpy_h": "４，５００", "frequency": "digest"}
    )
    assert not errors and sub is not None
    assert sub.min_rate_jpy_h == 4500 and sub.digest_hour == 8 and sub.channel_ids is None
    sub, errors = form_to_subscription({"remote_modes": [], "min_rate_jpy_h": "1e9"})
    assert sub is None and set(errors) == {"min_rate_jpy_h"}
    sub, errors = form_to_subscription({"remote_modes": []})
    assert sub is None and "remote_modes" in errors
    sub, errors = form_to_subscription({"remote_modes": ["remote"], "domains": ["nope"]})
    assert sub is None and "domains" in errors
