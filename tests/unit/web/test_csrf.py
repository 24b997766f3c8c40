"""A signed-in form's CSRF token: from the form, else the htmx header; compared by the
shared constant-time check."""

from __future__ import annotations

from uuid import uuid4

import pytest
from starlette.requests import Request

from gigalert_web.deps import CsrfFailed, check_csrf
from gigalert_web.repository.accounts import Account
from gigalert_web.sessions import Viewer

ACCOUNT = Account(uuid4(), "a", "ja", "Asia/Tokyo", "a@example.jp")
SIGNED_IN = Viewer.of(ACCOUNT, csrf_token="right-token")


def _request(header: str | None = None) -> Request:
    headers = [] if header is None else [(b"x-csrf-token", header.encode())]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers})


def test_the_sessions_token_passes_from_the_form_or_the_htmx_header() -> None:
    check_csrf(SIGNED_IN, "right-token", _request())
    check_csrf(SIGNED_IN, None, _request("right-token"))


@pytest.mark.parametrize(
    ("viewer", "form_token", "header"),
    [
        (SIGNED_IN, "wrong-token", None),
        (SIGNED_IN, "", "right-token"),  # a form field, even empty, is what is checked
        (SIGNED_IN, None, None),
        (SIGNED_IN, "right-token-and-more", None),
        (SIGNED_IN, "ríght-token", None),  # not ASCII: refused, not an error
        (Viewer.of(ACCOUNT), "", None),  # no session, no token: nothing passes
    ],
)
def test_anything_else_is_refused(viewer: Viewer, form_token: object, header: str | None) -> None:
    with pytest.raises(CsrfFailed):
        check_csrf(viewer, form_token, _request(header))
