"""Sends keep SMTP sessions and HTTP connections open between them: none outlive a test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gigalert_notifier import sending


@pytest.fixture(autouse=True)
async def _close_kept_connections() -> AsyncIterator[None]:
    yield
    await sending.aclose()
