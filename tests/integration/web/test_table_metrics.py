"""Web's hourly housekeeping sets the pruned tables' row and byte gauges."""

from __future__ import annotations

import asyncpg
import pytest
from prometheus_client import REGISTRY

from gigalert_shared.retention import TABLES
from gigalert_web.app import refresh_table_metrics

pytestmark = [pytest.mark.postgres]


async def test_the_table_gauges_are_set_after_a_refresh(db: asyncpg.Connection) -> None:
    await db.execute(
        "INSERT INTO rate_events (bucket, at) SELECT 'b', now() FROM generate_series(1, 5)"
    )
    await db.execute("SELECT pg_stat_force_next_flush()")
    await refresh_table_metrics(db)
    for table in TABLES:
        size = REGISTRY.get_sample_value("gigalert_table_bytes", {"table": table})
        rows = REGISTRY.get_sample_value("gigalert_table_rows", {"table": table})
        assert size is not None and size > 0, table
        assert rows is not None and rows >= 0, table
    assert REGISTRY.get_sample_value("gigalert_table_rows", {"table": "rate_events"}) == 5
