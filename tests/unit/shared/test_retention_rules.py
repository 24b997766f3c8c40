"""What retention prunes and after how long, as prune passes it to each batched DELETE:
the retention period where a rule says so, each rule's own age elsewhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gigalert_shared.retention import ORDER, RULES, prune, prune_outbox


class Recording:
    """A connection outside any transaction whose DELETEs find nothing."""

    def __init__(self) -> None:
        self.ages: dict[str, timedelta] = {}

    def is_in_transaction(self) -> bool:
        return False

    async def execute(self, query: str, *args: Any) -> str:
        table = query.split()[2]
        self.ages[table] = args[1]
        assert args[0] == 7  # the batch
        return "DELETE 0"


async def test_each_table_is_pruned_once_in_order_after_its_age() -> None:
    conn = Recording()
    counts = await prune(conn, retention_days=30, batch=7)  # type: ignore[arg-type]
    assert tuple(counts) == ORDER == tuple(r.table for r in RULES)
    month, day = timedelta(days=30), timedelta(days=1)
    assert conn.ages == {
        "outbox": timedelta(hours=1),
        "deliveries": month,
        "alerts": month,
        "unsubscribe_uses": month,
        "gigs": month,
        "rate_events": day,
        "mail_links": day,
        "web_sessions": timedelta(0),
        "email_daily_counts": 2 * day,
        "subscription_changes": 7 * day,
    }


async def test_the_outbox_relay_chooses_its_own_age() -> None:
    conn = Recording()
    await prune_outbox(conn, keep_seconds=90, batch=7)  # type: ignore[arg-type]
    assert conn.ages == {"outbox": timedelta(seconds=90)}
