"""The repository's typed rows: built from records by field name, a channel's status, a
stored search back to its form and to a new search."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime, time
from uuid import uuid4

import pytest

from gigalert_web.repository.accounts import Account
from gigalert_web.repository.base import row_as
from gigalert_web.repository.channels import Channel
from gigalert_web.repository.searches import Search
from gigalert_web.search_form import form_to_subscription, subscription_to_form
from gigalert_web.sessions import Viewer
from gigalert_web.subscriptions import as_input, criteria_of, criteria_of_stored, stored_values

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _channel(**changes: object) -> Channel:
    base = Channel(
        id=uuid4(),
        kind="email",
        target="a@example.jp",
        active=True,
        paused=False,
        verified_at=NOW,
        consecutive_failures=0,
        disabled_reason=None,
        last_error=None,
        last_error_at=None,
        created_at=NOW,
        link_code_expires_at=None,
        used_by=[],
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_row_takes_its_fields_by_name_and_leaves_other_columns() -> None:
    record = {"id": uuid4(), "display_name": "a", "locale": "ja", "timezone": "Asia/Tokyo"}
    account = row_as(Account, {**record, "email": None, "csrf_token": "x"})  # type: ignore[arg-type]
    assert asdict(account) == {**record, "email": None}


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, "active"),
        ({"paused": True}, "paused"),
        ({"active": False, "paused": True}, "disabled"),
        ({"verified_at": None, "active": False}, "pending"),
    ],
)
def test_a_channels_status(changes: dict[str, object], status: str) -> None:
    assert _channel(**changes).status == status


def test_a_viewer_is_its_account_with_its_session() -> None:
    account = Account(uuid4(), "a", "en", "Asia/Tokyo", "a@example.jp")
    viewer = Viewer.of(account, csrf_token="t", session_hash=b"h")
    assert (viewer.id, viewer.locale, viewer.csrf_token, viewer.session_hash) == (
        account.id,
        "en",
        "t",
        b"h",
    )
    assert Viewer.of(account).csrf_token == ""


def _as_posted(values: dict[str, object]) -> dict[str, object]:
    """The form's values as a browser posts them: text, "on" for a ticked box."""

    def one(value: object) -> object:
        if isinstance(value, list):
            return value
        if isinstance(value, bool):
            return "on" if value else ""
        return "" if value is None else str(value)

    return {key: one(value) for key, value in values.items()}


def test_a_stored_search_round_trips_through_its_form_and_its_criteria() -> None:
    form = {
        "name": "PMO",
        "remote_modes": ["remote"],
        "min_rate_jpy_h": "５,000",
        "domains": ["pmo"],
        "keywords_any": "ＰＭＯ, Python",
        "locations": "東京",
        "max_days_per_week": "3",
        "frequency": "digest",
        "digest_hour": "8",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    }
    sub, errors = form_to_subscription(form)
    assert sub is not None, errors
    owner = uuid4()
    values = stored_values(sub)
    search = Search(
        **asdict(values),
        id=uuid4(),
        freelancer_id=owner,
        active=True,
        created_at=NOW,
        updated_at=NOW,
    )
    assert search.quiet_start == time(22, 0)
    again, errors = form_to_subscription(_as_posted(subscription_to_form(search)))
    assert again is not None and stored_values(again) == values, errors
    stored, unsaved = criteria_of_stored(search), criteria_of(sub, owner)
    assert replace(stored, subscription_id=unsaved.subscription_id) == unsaved
    assert as_input(search, name="copy").name == "copy"
