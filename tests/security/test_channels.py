"""Channels can't point our servers anywhere but Slack's webhook host, a LINE user or a plain
mail address: everything else is 422 naming the field, and nothing is stored (the web app's
freelancer API; a LINE user id is never typed in, only linked by LINE's signed webhook)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gigalert_web.line_webhook import parse_events
from tests.security.conftest import AcceptingSlack, Running

GOOD_SLACK = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcDEF123ghiJKL456mno789"
GOOD_LINE = "U" + "0123456789abcdef" * 2
_S = "https://hooks.slack.com/services/"

BAD_SLACK: list[Any] = [
    "http://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcDEF123",
    "https://hooks.slack.com.evil.example/services/T0123ABCD/B0456EFGH/abcDEF123",
    "https://hooks.slack.com.evil/services/T0123ABCD/B0456EFGH/abcDEF123",
    "https://evil.example/services/T0123ABCD/B0456EFGH/abcDEF123",
    "https://hooks.slack.com@evil.example/services/T0123ABCD/B0456EFGH/abcDEF123",
    "https://user:pw@hooks.slack.com/services/T0123ABCD/B0456EFGH/abcDEF123",
    _S + "T0123ABCD/B0456EFGH/abc@evil.example",
    _S + "T0123ABCD@evil.example/B0456EFGH/abc",
    _S + "../../../latest/meta-data",
    _S + "T0123ABCD/../../evil",
    _S + "T0123ABCD/B0456EFGH/%2e%2e",
    _S + "T0123ABCD/B0456EFGH/%40evil.example",
    _S + "T0123ABCD/B0456EFGH/abc%0d%0aHost:%20evil",
    _S + "T0123ABCD/B0456EFGH/abc\r\nHost: evil.example",
    _S + "T0123ABCD/B0456EFGH/abc?next=http://169.254.169.254/",
    _S + "T0123ABCD/B0456EFGH/abc#http://127.0.0.1/",
    _S + "T0123ABCD/B0456EFGH/abc/extra",
    _S + "T0123ABCD/B0456EFGH/abc\\evil",
    _S + "T0123ABCD/B0456EFGH/abc;evil",
    _S + "T0123ABCD/B0456EFGH/abc def",
    _S + "T0123ABCD/B0456EFGH/",
    _S,
    "https://169.254.169.254/services/T0123ABCD/B0456EFGH/abc",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://localhost:8003/v1/ops/deliveries",
    "http://127.0.0.1:15432/",
    "http://[::1]/",
    "http://0x7f000001/",
    "http://2130706433/",
    "https://hooks.slack.com:8443/services/T0123ABCD/B0456EFGH/abc",
    " " + GOOD_SLACK,
    GOOD_SLACK + " ",
    GOOD_SLACK + "\n",
    "json://evil.example/",
    "file:///etc/passwd",
    "",
    _S + "T0123ABCD/B0456EFGH/" + "a" * 600,
    12345,
    None,
    [GOOD_SLACK],
    {"url": GOOD_SLACK},
]

BAD_LINE: list[Any] = [
    "U" + "0" * 31,
    "U" + "0" * 33,
    "U" + "ABCDEF0123456789" * 2,
    "u" + "0" * 32,
    "C" + "0" * 32,
    GOOD_LINE + "\n",
    " " + GOOD_LINE,
    GOOD_LINE + "/" + GOOD_LINE,
    GOOD_LINE + "?to=" + GOOD_LINE,
    GOOD_LINE + "@evil.example",
    "../" + GOOD_LINE,
    "line://token/" + GOOD_LINE,
    "U" + "０" * 32,
    "U" + "٠" * 32,
    "",
    0,
    None,
]

BAD_EMAIL: list[Any] = [
    "taro@example.jp?smtp=evil.example",
    "taro@example.jp&smtp=evil.example",
    "taro@example.jp%0d%0aBcc:evil@example.com",
    "taro@example.jp\r\nBcc: evil@example.com",
    "taro@example.jp\nBcc: evil@example.com",
    '"taro"@example.jp',
    '"taro@evil.example"@example.jp',
    '"a b"@example.jp',
    "taro@example.jp,evil@example.com",
    "taro@example.jp evil@example.com",
    "taro@example.jp;evil@example.com",
    "taro@[127.0.0.1]",
    "taro@[IPv6:::1]",
    "taro@127.0.0.1",
    "taro@169.254.169.254",
    "taro@localhost",
    "taro@example.local",
    "taro",
    "@example.jp",
    "taro@",
    "taro@example.jp/../x",
    "a" * 250 + "@example.jp",
    "",
    None,
]


@pytest.fixture
async def taro(web: Running) -> dict[str, str]:
    r = await web.client.post("/v1/freelancers", json={"display_name": "太郎"})
    assert r.status_code == 201
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def _refused(
    client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any], field: str
) -> None:
    r = await client.post("/v1/channels", json=body, headers=auth)
    assert r.status_code == 422, (body, r.status_code, r.text)
    # The field is named in an error's location, or (an unknown union tag) in its message.
    named = [e for e in r.json()["detail"] if field in e["loc"] or f"'{field}'" in e["msg"]]
    assert named, (body, r.json())
    assert (await client.get("/v1/channels", headers=auth)).json() == []


async def test_slack_webhooks_outside_slack_are_refused(web: Running, taro: dict[str, str]) -> None:
    for url in BAD_SLACK:
        await _refused(web.client, taro, {"kind": "slack", "webhook_url": url}, "webhook_url")


async def test_a_line_user_id_is_never_taken_from_the_freelancer(
    web: Running, taro: dict[str, str]
) -> None:
    for user_id in [*BAD_LINE, GOOD_LINE]:
        await _refused(web.client, taro, {"kind": "line", "user_id": user_id}, "user_id")


@pytest.mark.parametrize("user_id", BAD_LINE)
def test_line_user_id_variants_in_the_webhook_link_nothing(user_id: Any) -> None:
    """Even LINE's signed webhook gives no channel a target the notifier could not send to."""
    event = {"type": "follow", "source": {"type": "user", "userId": user_id}}
    assert parse_events(json.dumps({"events": [event]}).encode()) == []
    good = {"type": "follow", "source": {"type": "user", "userId": GOOD_LINE}}
    assert [e.user_id for e in parse_events(json.dumps({"events": [good]}).encode())] == [GOOD_LINE]


async def test_email_address_variants_are_refused(web: Running, taro: dict[str, str]) -> None:
    for address in BAD_EMAIL:
        await _refused(web.client, taro, {"kind": "email", "address": address}, "address")


async def test_slack_webhook_with_non_ascii_letters_is_refused(
    web: Running, taro: dict[str, str]
) -> None:
    """str.isalnum() is Unicode-aware: full-width letters and Arabic-Indic digits pass the
    API's check; the notifier's ASCII-only pattern refuses them, so the channel is dead."""
    for url in (_S + "T0123ABCD/B0456EFGH/ａｂｃ１２３", _S + "T0123ABCD/B0456EFGH/abc٣"):
        await _refused(web.client, taro, {"kind": "slack", "webhook_url": url}, "webhook_url")


async def test_email_local_part_with_url_syntax_is_refused(
    web: Running, taro: dict[str, str]
) -> None:
    """RFC 5322 allows ``?``, ``=``, ``%``, ``/`` in the local part and EmailStr takes them;
    the notifier's plain-address rule refuses them (and percent-encodes what it accepts), so
    no parameter is injected, but the API stores a channel that can never be delivered."""
    for address in (
        "a?smtp=evil.example@example.jp",
        "taro%0d%0aBcc:x@example.jp",
        "o'brien@example.jp",  # Apprise would read the name "o" and mail brien@example.jp
    ):
        await _refused(web.client, taro, {"kind": "email", "address": address}, "address")


async def test_no_free_form_urls_or_extra_fields(web: Running, taro: dict[str, str]) -> None:
    for body, field in [
        ({"kind": "apprise", "url": "json://127.0.0.1:8003/"}, "kind"),
        ({"kind": "webhook", "url": "https://evil.example/"}, "kind"),
        ({"url": GOOD_SLACK}, "kind"),
        ({"kind": "slack", "webhook_url": GOOD_SLACK, "url": "json://evil.example/"}, "url"),
        ({"kind": "email", "address": "taro@example.jp", "smtp": "evil.example"}, "smtp"),
        ({"kind": "line", "user_id": GOOD_LINE, "token": "mine"}, "token"),
    ]:
        await _refused(web.client, taro, body, field)


async def test_the_good_ones_are_accepted(web: Running, taro: dict[str, str]) -> None:
    """The control: each refusal above is about the value, not the request."""
    for body in (
        {"kind": "slack", "webhook_url": GOOD_SLACK},
        {"kind": "line"},
        {"kind": "email", "address": "taro.yamada+gig@example.co.jp"},
    ):
        r = await web.client.post("/v1/channels", json=body, headers=taro)
        assert r.status_code == 201, (body, r.text)
    slack: AcceptingSlack = web.app.state.slack_tester
    assert [url for url, _ in slack.sent] == [GOOD_SLACK]  # the refused ones were never tried
