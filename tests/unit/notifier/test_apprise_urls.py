"""Apprise URLs from structured channels: each is loaded by Apprise itself to check what it
would really do (recipient, SMTP host, headers, token), and no user-given value can add or
change a parameter."""

from __future__ import annotations

from typing import Any

import apprise
import pytest
from pydantic import SecretStr

from gigalert_notifier.apprise_setup import load_apprise_plugins
from gigalert_notifier.apprise_urls import email_url, line_url, redact, slack_url, valid_email
from gigalert_shared.settings import SmtpSettings

LOCAL = SmtpSettings(host="127.0.0.1", port=8025)
UNSUB = "https://gigalert.example/v1/unsubscribe/abc.def"
WEBHOOK = "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abcdefghijklmnopqrstuvwx"
LINE_TOKEN = "AbC+dEf/GhI+jk/LmN0pQ=="  # long-lived tokens hold / + and =
LINE_USER = "U" + "0123456789abcdef" * 2


@pytest.fixture(scope="module", autouse=True)
def _plugins() -> None:
    load_apprise_plugins()


def load(url: str) -> Any:
    plugin = apprise.Apprise.instantiate(url)
    assert plugin is not None, url
    return plugin


def email(address: str = "taro@example.jp", smtp: SmtpSettings = LOCAL, **kw: Any) -> str:
    kw.setdefault("delivery_id", "d-1")
    kw.setdefault("unsubscribe_url", UNSUB)
    return email_url(address, smtp, **kw)


# ------------------------------------------------------------------ email


def test_email_to_the_local_server_without_security() -> None:
    url = email()
    assert url.startswith("mailto://127.0.0.1:8025/?")
    p = load(url)
    assert type(p).__name__ == "NotifyEmail"
    assert (p.smtp_host, p.port, p.secure, p.secure_mode) == ("127.0.0.1", 8025, False, "insecure")
    assert p.targets == [(False, "taro@example.jp")]
    assert tuple(p.from_addr) == ("gigalert", "alerts@gigalert.local")
    assert p.headers == {
        "X-Gigalert-Delivery-Id": "d-1",
        "List-Unsubscribe": f"<{UNSUB}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert p.user is None and p.password is None


@pytest.mark.parametrize(("security", "mode"), [("starttls", "starttls"), ("tls", "ssl")])
def test_email_with_tls_and_credentials(security: str, mode: str) -> None:
    smtp = SmtpSettings(
        host="smtp.example.jp",
        port=587 if security == "starttls" else 465,
        security=security,  # type: ignore[arg-type]
        username="alerts@gigalert.jp",
        password=SecretStr("p@ss:w/rd%+&?;#= x"),
        sender="alerts@gigalert.jp",
        sender_name="gigalert 通知",
    )
    url = email(smtp=smtp)
    assert url.startswith("mailtos://")
    assert f"mode={mode}" in url
    p = load(url)
    assert (p.smtp_host, p.port, p.secure, p.secure_mode) == (
        "smtp.example.jp",
        smtp.port,
        True,
        mode,
    )
    assert (p.user, p.password) == ("alerts@gigalert.jp", "p@ss:w/rd%+&?;#= x")
    assert p.from_addr[1] == "alerts@gigalert.jp"
    assert p.targets == [(False, "taro@example.jp")]


def test_header_values_survive_apprise_double_unquoting() -> None:
    tricky = "https://gigalert.example/v1/unsubscribe/a%2Bb%3D?x=1&y=2;smtp=evil.com"
    p = load(email(delivery_id="id-1,id-2&smtp=evil.com;to=x@evil.com", unsubscribe_url=tricky))
    assert p.headers == {
        "X-Gigalert-Delivery-Id": "id-1,id-2&smtp=evil.com;to=x@evil.com",
        "List-Unsubscribe": f"<{tricky}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert p.smtp_host == "127.0.0.1" and p.targets == [(False, "taro@example.jp")]


def test_no_unsubscribe_header_when_there_is_no_link() -> None:
    assert load(email(unsubscribe_url=None)).headers == {"X-Gigalert-Delivery-Id": "d-1"}


@pytest.mark.parametrize(
    "address",
    [
        "taro@example.jp",
        "taro+gigs@example.jp",
        "TARO.Yamada@Mail.Example.CO.JP",
        "a_b-c.d@sub-domain.example.com",
        "x!#$&*=^`{|}~@x.jp",
        "1234567890@123.example.jp",
        "a@b.co",
    ],
)
def test_odd_but_valid_addresses_reach_apprise_intact(address: str) -> None:
    assert valid_email(address)
    p = load(email(address))
    assert p.targets == [(False, address)]
    assert p.smtp_host == "127.0.0.1"


@pytest.mark.parametrize(
    "address",
    [
        "a@b.jp?smtp=evil.com",
        "a@b.jp&smtp=evil.com",
        "a@b.jp;smtp=evil.com",
        "a@b.jp#smtp=evil.com",
        "a@b.jp/smtp=evil.com",
        "a@b.jp,evil@x.com",
        "a@b.jp evil@x.com",
        "Taro <a@b.jp>",
        "a@b.jp\n",
        "a@b.jp\r\nBcc: x@evil.com",
        '"quoted"@x.jp',
        "o'brien@x.jp",  # Apprise would read the name "o" and the address brien@x.jp
        "a%40b@x.jp",
        "太郎@example.jp",
        "a@例え.jp",
        "a@localhost",
        "a@b..jp",
        "a@-b.jp",
        "a..b@x.jp",
        ".a@x.jp",
        "a@[127.0.0.1]",
        "@x.jp",
        "a@",
        "",
        "a" * 65 + "@x.jp",
        "a@" + "b" * 250 + ".jp",
    ],
)
def test_addresses_that_could_inject_or_be_misread_are_refused(address: str) -> None:
    assert not valid_email(address)
    with pytest.raises(ValueError, match="not a plain email address"):
        email(address)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"delivery_id": "a\r\nBcc: x@evil.com"}, "delivery id"),
        ({"delivery_id": ""}, "delivery id"),
        ({"unsubscribe_url": "https://x.jp/u>\r\nBcc: x@evil.com"}, "unsubscribe"),
        ({"unsubscribe_url": "https://x.jp/a b"}, "unsubscribe"),
        ({"unsubscribe_url": "javascript:alert(1)"}, "unsubscribe"),
        ({"unsubscribe_url": "https://x.jp/<u>"}, "unsubscribe"),
    ],
)
def test_header_values_are_checked(kw: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        email(**kw)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"sender": "not an address"}, "sender"),
        ({"host": "evil.com?smtp=x"}, "SMTP host"),
        ({"host": "smtp.example.jp/x"}, "SMTP host"),
        ({"port": 0}, "port"),
        ({"sender_name": "gig\r\nBcc: x"}, "sender name"),
    ],
)
def test_settings_are_checked_too(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        email(smtp=LOCAL.model_copy(update=overrides))


# ------------------------------------------------------------------ Slack


def test_slack_webhook_is_used_as_is() -> None:
    assert slack_url(WEBHOOK) == WEBHOOK
    p = load(WEBHOOK)
    assert type(p).__name__ == "NotifySlack"


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.slack.com/services/T0000AAAA/B0000BBBB/abcdefghijkl",
        "https://hooks.slack.com.evil.com/services/T0000AAAA/B0000BBBB/abcdefghijkl",
        "https://evil.com/https://hooks.slack.com/services/T/B/C",
        "https://hooks.slack.com/services/T0000AAAA/B0000BBBB",
        "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abc/extra",
        "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abc?footer=no&to=x",
        "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abc#x",
        "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/abc\n",
        "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/a%2Fb",
        "https://hooks.slack.com/workflows/T0000AAAA/A0000/123/abc",
        "slack://T0000AAAA/B0000BBBB/abc",
        "",
    ],
)
def test_anything_but_a_plain_incoming_webhook_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="Slack"):
        slack_url(url)


# ------------------------------------------------------------------ LINE


def test_line_push_url() -> None:
    url = line_url(LINE_TOKEN, LINE_USER)
    assert url == f"line://AbC%2BdEf%2FGhI%2Bjk%2FLmN0pQ%3D%3D/{LINE_USER}"
    p = load(url)
    assert type(p).__name__ == "NotifyLine"
    assert p.token == LINE_TOKEN and p.targets == [LINE_USER]


@pytest.mark.parametrize("target", ["C" + "a" * 32, "R" + "f" * 32])
def test_line_groups_and_rooms(target: str) -> None:
    assert load(line_url("tok", target)).targets == [target]


@pytest.mark.parametrize(
    "user_id",
    ["", "U123", "u" + "0" * 32, "U" + "G" * 32, LINE_USER + "/U" + "1" * 32, LINE_USER + "?to=x"],
)
def test_bad_line_ids_are_refused(user_id: str) -> None:
    with pytest.raises(ValueError, match="LINE"):
        line_url(LINE_TOKEN, user_id)


@pytest.mark.parametrize("token", ["", "tok en", "tok?to=U1", "tok@evil", "tok#x"])
def test_bad_line_tokens_are_refused(token: str) -> None:
    with pytest.raises(ValueError, match="token"):
        line_url(token, LINE_USER)


# ------------------------------------------------------------------ redact


def test_redact_hides_every_secret() -> None:
    smtp = LOCAL.model_copy(update={"username": "alerts", "password": SecretStr("hunter2-secret")})
    mail = redact(email(smtp=smtp))
    assert "hunter2" not in mail and "alerts:****@127.0.0.1:8025" in mail
    assert "taro%40example.jp" in mail  # who it was for stays readable
    assert "abc.def" not in mail  # the unsubscribe token is masked

    assert redact(line_url(LINE_TOKEN, LINE_USER)) == f"line://****/{LINE_USER}"
    slack = redact(WEBHOOK)
    assert "abcdefghijklmnopqrst" not in slack and slack.startswith(
        "https://hooks.slack.com/services/…"
    )
    assert redact("mailto://127.0.0.1:8025/?to=a%40b.jp") == "mailto://127.0.0.1:8025/?to=a%40b.jp"
    assert redact("discord://webhook_id/webhook_token") == "discord://…"
    assert redact("not a url") == "<unreadable url>"
