"""Storing gigs: one set-based upsert per batch, and the events in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter

from gigalert_ingest.build import search_text
from gigalert_shared.db import Conn, load_queries
from gigalert_shared.events import (
    GigBody,
    GigPosted,
    GigUpdated,
    RateSource,
    dump_event,
    event_headers,
)
from gigalert_shared.outbox import OutboxMessage, enqueue
from gigalert_shared.topics import GIGS_POSTED, GIGS_UPDATED


@dataclass(frozen=True, slots=True)
class Stored:
    external_id: str
    gig_id: uuid.UUID
    outcome: str  # created | updated | duplicate


def _q(name: str) -> str:
    return load_queries("gigalert_ingest")[name]


class _GigRow(BaseModel):
    """One row of the upsert's JSON input, serialised by pydantic-core in one pass."""

    id: uuid.UUID
    external_id: str
    title: str
    description: str
    url: str | None
    domains: list[str]
    skills: list[str]
    remote_mode: str | None
    location: str | None
    rate_min_jpy_h: int | None
    rate_max_jpy_h: int | None
    rate_source: RateSource
    days_per_week_min: float | None
    days_per_week_max: float | None
    language: str | None
    posted_at: datetime | None
    expires_at: datetime | None
    received_at: datetime
    content_hash: str
    search_text: str
    body: GigBody


_ROWS: TypeAdapter[list[_GigRow]] = TypeAdapter(list[_GigRow])


def _row(gig: GigBody) -> _GigRow:
    return _GigRow(
        id=gig.gig_id,
        external_id=gig.external_id,
        title=gig.title,
        description=gig.description,
        url=gig.url,
        domains=gig.domains,
        skills=gig.skills,
        remote_mode=gig.remote_mode.value if gig.remote_mode else None,
        location=gig.location,
        rate_min_jpy_h=gig.rate_min_jpy_h,
        rate_max_jpy_h=gig.rate_max_jpy_h,
        rate_source=gig.rate_source,
        days_per_week_min=gig.days_per_week_min,
        days_per_week_max=gig.days_per_week_max,
        language=gig.language,
        posted_at=gig.posted_at,
        expires_at=gig.expires_at,
        received_at=gig.received_at,
        content_hash=gig.content_hash,
        search_text=search_text(gig.title, gig.description, gig.skills),
        body=gig,
    )


def _event(gig: GigBody, row: Any) -> GigPosted | GigUpdated:
    """The event as stored: an update keeps the gig's id and first received_at."""
    fields = {**dict(gig), "gig_id": row["id"]}
    if row["inserted"]:
        return GigPosted.model_construct(**fields)
    fields["received_at"] = datetime.fromisoformat(row["received_at"])
    return GigUpdated.model_construct(**fields, previous_content_hash=row["previous_hash"] or "")


def _rounds(gigs: list[GigBody]) -> list[list[GigBody]]:
    """Split so no external id repeats within a round (one upsert can't touch a row twice)."""
    rounds: list[list[GigBody]] = []
    seen: list[set[str]] = []
    for gig in gigs:
        for i, ids in enumerate(seen):
            if gig.external_id not in ids:
                ids.add(gig.external_id)
                rounds[i].append(gig)
                break
        else:
            seen.append({gig.external_id})
            rounds.append([gig])
    return rounds


async def store_gigs(conn: Conn, platform_id: uuid.UUID, gigs: list[GigBody]) -> list[Stored]:
    """Upsert gigs and enqueue their events, in the caller's transaction. Results in order."""
    results: list[Stored] = []
    messages: list[OutboxMessage] = []
    for round_ in _rounds(gigs):
        payload = _ROWS.dump_json([_row(g) for g in round_]).decode()
        changed = {
            r["external_id"]: r for r in await conn.fetch(_q("upsert_gigs"), platform_id, payload)
        }
        unchanged = [g.external_id for g in round_ if g.external_id not in changed]
        existing = {}
        if unchanged:
            rows = await conn.fetch(_q("gig_ids_by_external_id"), platform_id, unchanged)
            existing = {r["external_id"]: r["id"] for r in rows}
        for gig in round_:
            row = changed.get(gig.external_id)
            if row is None:
                results.append(Stored(gig.external_id, existing[gig.external_id], "duplicate"))
                continue
            event = _event(gig, row)
            messages.append(
                OutboxMessage(
                    topic=GIGS_POSTED if row["inserted"] else GIGS_UPDATED,
                    payload=dump_event(event),
                    key=str(row["id"]).encode(),
                    headers=event_headers(event),
                )
            )
            results.append(
                Stored(gig.external_id, row["id"], "created" if row["inserted"] else "updated")
            )
    await enqueue(conn, messages)
    # Results in input order.
    order = {id(g): i for i, g in enumerate(gigs)}
    flat = [g for r in _rounds(gigs) for g in r]
    by_position = sorted(zip(flat, results, strict=True), key=lambda p: order[id(p[0])])
    return [s for _, s in by_position]
