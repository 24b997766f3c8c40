"""Accepting gigs: validate each item on its own, normalise, store with its event."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from pydantic import TypeAdapter, ValidationError

from gigalert_ingest.build import Platform, build_gig
from gigalert_ingest.metrics import GIGS, IMPLAUSIBLE_RATES
from gigalert_ingest.repository import store_gigs
from gigalert_ingest.schemas import GigIn, ItemError, ItemResult, Outcome
from gigalert_shared.events import GigBody

_GIG = TypeAdapter(GigIn)


def item_errors(exc: ValidationError) -> list[ItemError]:
    return [
        ItemError(
            loc=[p for p in e["loc"] if isinstance(p, str | int)], msg=e["msg"], type=e["type"]
        )
        for e in exc.errors(include_url=False, include_input=False)
    ]


def validate_item(raw: Any) -> GigIn | list[ItemError]:
    try:
        return _GIG.validate_python(raw)
    except ValidationError as exc:
        return item_errors(exc)


def validate_json(raw: bytes) -> GigIn | list[ItemError]:
    try:
        return _GIG.validate_json(raw)
    except ValidationError as exc:
        return item_errors(exc)


class IngestService:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        fx_to_jpy: Mapping[str, float],
        on_stored: Any = None,
    ) -> None:
        self._pool = pool
        self._fx = dict(fx_to_jpy)
        self._on_stored = on_stored

    async def accept(
        self, platform: Platform, items: Sequence[GigIn | list[ItemError]]
    ) -> list[ItemResult]:
        """One result per item, in order. Valid items are stored in one transaction."""
        now = datetime.now(UTC)
        results: list[ItemResult | None] = [None] * len(items)
        valid: list[tuple[int, GigIn]] = []
        for i, item in enumerate(items):
            if isinstance(item, GigIn):
                valid.append((i, item))
            else:
                results[i] = ItemResult(index=i, status=Outcome.REJECTED, errors=item)
        built: list[tuple[int, GigIn, GigBody]] = []
        for i, gig in valid:
            try:
                body = build_gig(
                    gig, platform=platform, gig_id=uuid.uuid4(), received_at=now, fx_to_jpy=self._fx
                )
            except ValueError as exc:  # a combination the schema can't see
                results[i] = ItemResult(
                    index=i,
                    external_id=gig.external_id,
                    status=Outcome.REJECTED,
                    errors=[ItemError(loc=["rate"], msg=str(exc), type="value_error")],
                )
                continue
            built.append((i, gig, body))
        if built:
            async with self._pool.acquire() as conn, conn.transaction():
                stored = await store_gigs(conn, platform.id, [b for _, _, b in built])
            implausible = 0
            for (i, gig, body), s in zip(built, stored, strict=True):
                results[i] = ItemResult(
                    index=i,
                    external_id=gig.external_id,
                    status=Outcome(s.outcome),
                    gig_id=str(s.gig_id),
                )
                rs = body.rate_source
                if s.outcome != Outcome.DUPLICATE and (
                    rs.implausible_min_jpy_h is not None or rs.implausible_max_jpy_h is not None
                ):
                    implausible += 1
            if implausible:
                IMPLAUSIBLE_RATES.labels(platform=platform.name).inc(implausible)
            if self._on_stored is not None:
                self._on_stored()
        final = [r for r in results if r is not None]
        for outcome, n in Counter(r.status.value for r in final).items():
            GIGS.labels(outcome=outcome).inc(n)
        return final
