"""Sends keep SMTP sessions and HTTP connections open between them: none outlive a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gigalert_notifier import sending


@pytest.fixture(autouse=True)
def _close_kept_connections() -> Iterator[None]:
    yield
    sending.close()
