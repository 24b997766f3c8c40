"""Every statement ingest runs (``queries.sql``): platforms and their API keys, and storing
gigs (one statement per batch upserts the gigs and writes their events to the outbox, in
the caller's transaction)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gigalert_ingest.build import search_text
from gigalert_shared.db import Conn, Pool, Queries
from gigalert_shared.events import GigBody
from gigalert_shared.outbox import notify
from gigalert_shared.topics import GIGS_POSTED, GIGS_UPDATED


@dataclass(frozen=True, slots=True)
class Stored:
    external_id: str
    gig_id: uuid.UUID
    outcome: str  # created | updated | duplicate


@dataclass(frozen=True, slots=True)
class PlatformKey:
    """The platform an API key hash belongs to."""

    id: uuid.UUID
    name: str
    revoked: bool


q = Queries("gigalert_ingest")


async def insert_platform(conn: Conn, *, name: str, key_hash: bytes, key_prefix: str) -> uuid.UUID:
    pid: uuid.UUID = await conn.fetchval(q("insert_platform"), name, key_hash, key_prefix)
    return pid


async def revoke_platform(conn: Conn, *, name: str) -> bool:
    """Revoke the active platform ``name`` (notifying every replica at commit); False when
    there is none."""
    return await conn.fetchval(q("revoke_platform"), name) is not None


async def platform_by_key_hash(db: Conn | Pool, *, key_hash: bytes) -> PlatformKey | None:
    row = await db.fetchrow(q("platform_by_key_hash"), key_hash)
    if row is None:
        return None
    return PlatformKey(row["id"], row["name"], row["revoked_at"] is not None)


def _rounds(gigs: list[GigBody]) -> list[list[int]]:
    """Positions split so no external id repeats within a round (one upsert can't touch a
    row twice); a batch without repeats is one round."""
    rounds: list[list[int]] = []
    seen: list[set[str]] = []
    for pos, gig in enumerate(gigs):
        for i, ids in enumerate(seen):
            if gig.external_id not in ids:
                ids.add(gig.external_id)
                rounds[i].append(pos)
                break
        else:
            seen.append({gig.external_id})
            rounds.append([pos])
    return rounds


async def store_gigs(conn: Conn, platform_id: uuid.UUID, gigs: list[GigBody]) -> list[Stored]:
    """Upsert gigs and enqueue their events, in the caller's transaction. Results in order."""
    results: list[Stored | None] = [None] * len(gigs)
    published = False
    for round_ in _rounds(gigs):
        batch = [gigs[pos] for pos in round_]
        rows = await conn.fetch(
            q("store_gigs"),
            platform_id,
            [g.model_dump_json() for g in batch],
            [search_text(g.title, g.description, g.skills) for g in batch],
            GIGS_POSTED,
            GIGS_UPDATED,
        )
        missing = [r["external_id"] for r in rows if r["id"] is None]
        late = {}
        if missing:  # duplicates of rows committed concurrently, after our snapshot
            found = await conn.fetch(q("gig_ids_by_external_id"), platform_id, missing)
            late = {r["external_id"]: r["id"] for r in found}
        for pos, row in zip(round_, rows, strict=True):
            outcome = row["outcome"]
            published = published or outcome != "duplicate"
            gig_id = row["id"] if row["id"] is not None else late[row["external_id"]]
            results[pos] = Stored(row["external_id"], gig_id, outcome)
    if published:
        await notify(conn)
    return [s for s in results if s is not None]
