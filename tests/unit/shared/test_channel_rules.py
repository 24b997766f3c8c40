"""The channel rules shared by the web app (what is stored) and the notifier (what is sent):
whatever the web app accepts can be delivered, and nothing points anywhere else."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from gigalert_notifier.apprise_urls import email_url, line_url, slack_url
from gigalert_shared.channel_rules import (
    SLACK_PREFIX,
    check_line_id,
    check_recipient_email,
    check_slack_webhook,
    is_plain_email,
)
from gigalert_shared.settings import SmtpSettings
from gigalert_web.channel_flows import check_webhook
from gigalert_web.line_webhook import parse_events
from gigalert_web.schemas import EmailChannelIn
from tests.security.test_channels import BAD_EMAIL, BAD_LINE, BAD_SLACK, GOOD_LINE, GOOD_SLACK

EMAIL: TypeAdapter[Any] = TypeAdapter(EmailChannelIn)
SMTP = SmtpSettings(host="127.0.0.1", port=8025)


def _strings(values: list[Any]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


@pytest.mark.parametrize("url", _strings(BAD_SLACK))
def test_bad_slack_webhooks(url: str) -> None:
    with pytest.raises(ValueError, match="Slack"):
        check_slack_webhook(url)


@pytest.mark.parametrize("user_id", _strings(BAD_LINE))
def test_bad_line_ids(user_id: str) -> None:
    with pytest.raises(ValueError, match="LINE"):
        check_line_id(user_id)


@pytest.mark.parametrize("address", _strings(BAD_EMAIL))
def test_bad_recipients(address: str) -> None:
    with pytest.raises(ValueError, match="plain email address"):
        check_recipient_email(address)


def test_good_ones() -> None:
    assert check_slack_webhook(GOOD_SLACK) == GOOD_SLACK
    assert check_line_id(GOOD_LINE) == GOOD_LINE
    assert check_line_id("C" + GOOD_LINE[1:], groups_and_rooms=True)
    with pytest.raises(ValueError):
        check_line_id("C" + GOOD_LINE[1:])
    for address in ("taro.yamada+gig@example.co.jp", "a@b.co", "x@xn--wgv71a.jp", "a@b.xn--p1ai"):
        assert check_recipient_email(address) == address


@pytest.mark.parametrize(
    "address", ["a@b.local", "a@b.LOCALHOST", "a@metadata.google.internal", "a@1.2.3.4"]
)
def test_private_domains_are_no_recipients_but_may_send(address: str) -> None:
    with pytest.raises(ValueError, match="plain email address"):
        check_recipient_email(address)
    assert is_plain_email("alerts@gigalert.local")


_near_email = st.tuples(
    st.text(string.ascii_letters + string.digits + "._+-'?%/=;,!#é０", min_size=0, max_size=12),
    st.sampled_from(["@", "@@", ""]),
    st.text(string.ascii_letters + string.digits + ".-[]:", min_size=0, max_size=12),
    st.sampled_from(["", ".jp", ".local", ".1", ".co.jp", "."]),
).map("".join)
_near_slack = st.tuples(
    st.sampled_from([SLACK_PREFIX, "https://hooks.slack.com/", "http://hooks.slack.com/services/"]),
    st.lists(
        st.text(string.ascii_letters + string.digits + "_-./?#@%: ａ٣", max_size=10), max_size=4
    ).map("/".join),
).map("".join)
_near_line = st.text("Uuc0123456789abcdefABCDEF０", min_size=30, max_size=35)


@given(
    st.one_of(
        _near_email.map(lambda v: {"kind": "email", "address": v}),
        _near_slack.map(lambda v: {"kind": "slack", "webhook_url": v}),
        _near_line.map(lambda v: {"kind": "line", "user_id": v}),
    )
)
def test_whatever_the_web_app_accepts_the_notifier_can_send(body: dict[str, str]) -> None:
    """Email by the API's body, Slack by the web app's check (production prefix), LINE by the
    user id its signed webhook would link."""
    if body["kind"] == "email":
        try:
            channel = EMAIL.validate_python(body)
        except ValidationError:
            return
        email_url(channel.address, SMTP, delivery_id="d", unsubscribe_url=None)
    elif body["kind"] == "slack":
        try:
            url = check_webhook(body["webhook_url"], SLACK_PREFIX)
        except ValueError:
            return
        assert slack_url(url).startswith(SLACK_PREFIX)
    else:
        event = {"type": "follow", "source": {"type": "user", "userId": body["user_id"]}}
        for parsed in parse_events(json.dumps({"events": [event]}).encode()):
            line_url("token", parsed.user_id)
