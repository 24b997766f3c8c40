"""Gigs written straight into Postgres, as ingest stores them, for previews and history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from gigalert_shared.events import GigBody, RemoteMode


async def insert_gig(
    db: asyncpg.Connection,
    *,
    title: str,
    rate: int | None = 5000,
    remote: RemoteMode | None = RemoteMode.REMOTE,
    domains: tuple[str, ...] = ("pmo",),
    url: str | None = "https://jobs.example.jp/1",
    description: str = "",
    age: timedelta = timedelta(hours=1),
) -> uuid.UUID:
    platform = await db.fetchval("SELECT id FROM platforms LIMIT 1")
    if platform is None:
        platform = await db.fetchval(
            "INSERT INTO platforms (name, api_key_hash, api_key_prefix) "
            "VALUES ('test-board', $1, 'gk_') RETURNING id",
            uuid.uuid4().bytes,
        )
    gig_id = uuid.uuid4()
    received = datetime.now(UTC) - age
    body: dict[str, Any] = {
        "gig_id": str(gig_id),
        "platform_id": str(platform),
        "platform_name": "test-board",
        "external_id": gig_id.hex,
        "title": title,
        "description": description,
        "url": url,
        "domains": list(domains),
        "remote_mode": remote.value if remote else None,
        "rate_min_jpy_h": rate,
        "rate_max_jpy_h": rate,
        "received_at": received.isoformat(),
        "content_hash": "h",
    }
    gig = GigBody.model_validate(body)
    await db.execute(
        "INSERT INTO gigs (id, platform_id, external_id, title, description, url, domains, "
        "remote_mode, rate_min_jpy_h, rate_max_jpy_h, content_hash, body, received_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'h', $11, $12)",
        gig_id,
        platform,
        gig_id.hex,
        title,
        description,
        url,
        list(domains),
        gig.remote_mode.value if gig.remote_mode else None,
        rate,
        rate,
        gig.model_dump(mode="json"),
        received,
    )
    return gig_id
