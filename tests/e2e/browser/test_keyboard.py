"""The core flows work from the keyboard alone, and without JavaScript."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.browser.conftest import Stack
from tests.integration.web.mail import latest_link


async def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if await page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus by Tab")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("javascript", [True, False])
async def test_search_saved_from_the_keyboard(
    javascript: bool, stack: Stack, browser: Browser, db: asyncpg.Connection, maildir: Path
) -> None:
    address = f"keys.{uuid.uuid4().hex[:10]}@example.jp"
    context = await browser.new_context(locale="ja-JP", java_script_enabled=javascript)
    page = await context.new_page()
    await page.goto(stack.base + "/")
    await tab_to(page, "#email")
    await page.keyboard.type(address)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="メールを確認してください")).to_be_visible()
    await page.goto(await latest_link(maildir, address, "/auth/"))
    await tab_to(page, "button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(stack.base + "/home")

    await page.goto(stack.base + "/searches/new")
    await tab_to(page, "#name")
    await page.keyboard.type("キーボードで作った条件")
    await tab_to(page, "input[value=onsite]")
    await page.keyboard.press("Space")  # uncheck 出社・常駐
    await tab_to(page, "#min_rate_jpy_h")
    await page.keyboard.type("4000")
    await tab_to(page, "input[value=data]")
    await page.keyboard.press("Space")
    await tab_to(page, "button[type=submit]:not([name])")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(stack.base + "/searches")
    row = await db.fetchrow("SELECT name, remote_modes, min_rate_jpy_h, domains FROM subscriptions")
    assert row is not None
    assert row["name"] == "キーボードで作った条件"
    assert row["remote_modes"] == ["hybrid", "remote"]
    assert row["min_rate_jpy_h"] == 4000 and row["domains"] == ["data"]
    await context.close()
