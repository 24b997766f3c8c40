"""``python -m tests.integration.notifier.first_send_probe``: run the notifier app's startup
(settings from the ``GIGALERT_*`` variables; ``PROBE_SEND_ON_STARTUP=0`` starts it without the
delivery worker), then make the process's first Apprise send, a real mail to the SMTP server
of the settings, while a ticker task measures the longest stretch the event loop did not
run. Prints ``{"ok": bool, "longest_gap": seconds}``. A process of its own: Apprise loads
its plugins once per process, and the test process has long done so."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid

from gigalert_notifier.api.app import create_app
from gigalert_notifier.apprise_urls import email_url
from gigalert_notifier.sending import send
from gigalert_shared.settings import Settings

TICK = 0.005


async def main() -> None:
    settings = Settings()
    on_startup = os.environ.get("PROBE_SEND_ON_STARTUP", "1") == "1"
    app = create_app(settings, consume=False, send=on_startup)
    url = email_url(
        f"probe-{uuid.uuid4().hex[:8]}@example.jp",
        settings.smtp,
        delivery_id=str(uuid.uuid4()),
        unsubscribe_url=None,
    )
    async with app.router.lifespan_context(app):
        loop = asyncio.get_running_loop()
        longest = 0.0
        done = False

        async def tick() -> None:
            nonlocal longest
            last = loop.time()
            while not done:
                await asyncio.sleep(TICK)
                now = loop.time()
                longest = max(longest, now - last)
                last = now

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0.1)
        outcome = await send(
            url, title="初回送信", body="<p>probe</p>", body_format="html", timeout=15.0
        )
        done = True
        await ticker
    result = {"ok": outcome.ok, "error": outcome.error, "longest_gap": longest}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
