"""A freelancer's whole journey in Debian's Chromium, at a phone and a desktop viewport:
sign up, log in, confirm a second address, link LINE, add Slack, build a search while the
preview changes, receive a gig by mail and in the history, unsubscribe and undo, delete the
account. Every page passes axe-core with no serious or critical violation."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from gigalert_ingest.platforms import create_platform
from tests.e2e.browser.conftest import Stack, screenshot_path
from tests.integration.web.conftest import line_event, line_signature
from tests.integration.web.mail import body_of, latest_link, wait_for_mails

VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 860}},
}
AXE = Axe()


async def audit(page: Page, name: str, viewport: str) -> None:
    """axe-core in the page: no serious or critical violation; a screenshot when asked."""
    results = await AXE.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"
    target = screenshot_path(f"{name}-{viewport}")
    if target is not None:
        await page.screenshot(path=str(target), full_page=True)


async def post_gig(stack: Stack, key: str, marker: str, *, title: str, rate: str) -> None:
    gig = {
        "external_id": f"job-{marker}-{uuid.uuid4().hex[:6]}",
        "title": title,
        "description": "週2日から。Jira/Confluence運用。",
        "url": f"https://jobs.example.jp/{marker}",
        "category": "PMO",
        "remote": "フルリモート",
        "rate": rate,
        "days_per_week": "週2〜3日",
    }
    answer = await stack.ingest.post("/v1/gigs", json=gig, headers={"X-API-Key": key})
    assert answer.status_code == 202, answer.text


@pytest.mark.timeout(240)
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_freelancer_journey(
    viewport: str, stack: Stack, browser: Browser, db: asyncpg.Connection, maildir: Path
) -> None:
    marker = uuid.uuid4().hex[:10]
    address = f"hanako.{marker}@example.jp"
    second = f"hanako.side.{marker}@example.jp"
    _, key = await create_platform(db, name=f"board-{marker}")
    await post_gig(stack, key, marker, title="既存のPMO案件（時給5,000円）", rate="時給5,000円")
    await post_gig(stack, key, marker, title="既存のPMO案件（時給3,000円）", rate="時給3,000円")

    context = await browser.new_context(locale="ja-JP", **VIEWPORTS[viewport])
    page = await context.new_page()
    base = stack.base

    # 1. Sign up from the keyboard; the magic link comes from the SMTP sink.
    await page.goto(base + "/")
    await expect(page.get_by_role("heading", name="ログイン・新規登録")).to_be_visible()
    await audit(page, "login", viewport)
    await page.keyboard.press("Tab")  # the skip link
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.tagName")
    while focused != "INPUT":
        await page.keyboard.press("Tab")
        focused = await page.evaluate("document.activeElement.tagName")
    await page.keyboard.type(address)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="メールを確認してください")).to_be_visible()
    await audit(page, "login-sent", viewport)
    await page.goto(await latest_link(maildir, address, "/auth/"))
    await audit(page, "login-confirm", viewport)
    await page.get_by_role("button", name="ログインする").press("Enter")
    await expect(page).to_have_url(base + "/home")
    await audit(page, "home", viewport)

    # 2. Log out, log in again, then add and confirm a second address.
    await page.get_by_role("button", name="ログアウト").click()
    await page.goto(base + "/")
    await page.get_by_label("メールアドレス").fill(address)
    await page.get_by_role("button", name="ログインリンクを送る").click()
    await page.goto(await latest_link(maildir, address, "/auth/", count=2))
    await page.get_by_role("button", name="ログインする").click()
    await expect(page).to_have_url(base + "/home")
    await page.get_by_role("link", name="受け取り方法", exact=True).first.click()
    await audit(page, "channels", viewport)
    await page.locator("#address").fill(second)
    await page.locator("form[action='/channels/email'] button").click()
    await expect(page.locator(".notice")).to_contain_text(second)
    confirm_page = await context.new_page()
    await confirm_page.goto(await latest_link(maildir, second, "/confirm/"))
    await audit(confirm_page, "confirm", viewport)
    await confirm_page.get_by_role("button", name="確認する").click()
    await expect(confirm_page.get_by_role("status")).to_contain_text(second)
    await confirm_page.close()

    # 3. LINE: the page shows the add-friend link, QR and code; the webhook links the user.
    await page.goto(base + "/channels")
    await page.get_by_role("button", name="LINEで受け取る").first.click()
    code = await page.locator("[data-code]").get_attribute("data-code")
    assert code and len(code) == 6
    qr = page.get_by_role("img", name="友だち追加用QRコード")
    await expect(qr).to_be_visible()
    assert await qr.evaluate("(img) => img.complete && img.naturalWidth > 0")  # it renders
    await audit(page, "channels-line", viewport)
    user = "U" + uuid.uuid4().hex
    for event in (line_event("follow", user), line_event("message", user, code)):
        body = json.dumps({"destination": "U0", "events": [event]}).encode()
        answer = await page.request.post(
            base + "/line/webhook",
            data=body,
            headers={"content-type": "application/json", "x-line-signature": line_signature(body)},
        )
        assert answer.status == 200
    await expect(page.locator("#line-status")).to_contain_text(
        "LINEの連携が完了しました", timeout=10_000
    )

    # 4. Slack, pointed at the local endpoint: on once the test message went through.
    await page.goto(base + "/channels")
    await page.locator("#webhook_url").fill(stack.slack.prefix + "T0K/B0K/abcdef123456")
    await page.locator("form[action='/channels/slack'] button").click()
    await expect(page.locator(".notice")).to_contain_text("Slack")
    assert stack.slack.received
    assert await page.locator("article.channel[data-status='active']").count() == 4

    # 5. A search; the live preview changes as a criterion changes.
    await page.goto(base + "/searches/new")
    await page.get_by_label("条件の名前").fill("PMO副業")
    await page.get_by_label("出社・常駐").uncheck()
    await page.get_by_label("一部リモート").uncheck()
    await page.get_by_label("PMO", exact=True).check()
    await expect(page.locator("#preview [data-count]")).to_have_attribute("data-count", "2")
    await page.get_by_label("時給の下限（円）").fill("4500")
    await expect(page.locator("#preview [data-count]")).to_have_attribute("data-count", "1")
    await expect(page.locator("#preview")).to_contain_text("既存のPMO案件（時給5,000円）")
    await audit(page, "search-form", viewport)
    await page.get_by_role("button", name="保存する").click()
    await expect(page).to_have_url(base + "/searches")
    await audit(page, "searches", viewport)

    # 6. A matching gig through ingest. 7. The mail, and the history with status sent.
    await post_gig(stack, key, marker, title=f"新着PMO案件 {marker}", rate="月額80万円（140-180h）")
    mails = [
        m
        for m in await wait_for_mails(maildir, address, 3, timeout=60)
        if marker in body_of(m) and "/v1/unsubscribe/" in str(m.get("List-Unsubscribe", ""))
    ]
    assert len(mails) == 1, "one alert mail to the login address"
    assert "¥5,000" in body_of(mails[0])

    async def history_says_sent() -> Any:
        await page.goto(base + "/alerts")
        return await page.locator(".alert", has_text=marker).locator(".status-sent").count()

    for _ in range(40):
        if await history_says_sent() >= 2:  # both proven addresses
            break
        await page.wait_for_timeout(500)
    alert = page.locator(".alert", has_text=marker)
    await expect(alert.locator(".status-sent").first).to_have_text("送信済み")
    await expect(alert).to_contain_text("¥5,000")
    await audit(page, "alerts", viewport)

    # 8. Unsubscribe from the mail's link, then undo.
    link = re.search(r"<([^>]+/v1/unsubscribe/[^>]+)>", str(mails[0]["List-Unsubscribe"]))
    assert link is not None
    await page.goto(link.group(1))
    assert await db.fetchval("SELECT bool_and(active) FROM subscriptions")  # GET: nothing
    await audit(page, "unsubscribe", viewport)
    await page.get_by_role("button", name="通知を停止する").click()
    await expect(page.get_by_role("status")).to_contain_text("PMO副業")
    assert not await db.fetchval("SELECT bool_or(active) FROM subscriptions")
    await page.get_by_role("button", name="元に戻す").click()
    await expect(page.get_by_role("status")).to_contain_text("再開")
    assert await db.fetchval("SELECT bool_and(active) FROM subscriptions")

    # 9. Delete the account, confirmed by mail.
    await page.goto(base + "/account")
    await audit(page, "account", viewport)
    await page.get_by_role("button", name="削除用のリンクを送る").click()
    await page.goto(await latest_link(maildir, address, "/account/delete/", count=4))
    await page.get_by_role("button", name="完全に削除する").click()
    await expect(page.get_by_role("status")).to_contain_text("削除しました")
    assert await db.fetchval("SELECT count(*) FROM freelancers WHERE email = $1", address) == 0
    await context.close()
