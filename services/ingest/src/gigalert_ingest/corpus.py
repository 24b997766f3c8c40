"""Scoring the normaliser against a labelled corpus of real listings
(``tests/data/corpus/*.json``; ``uv run gigalert ingest score-corpus``).

Each listing has an ``input`` (what a platform would POST) and ``labels`` (what a person read
in it). The input goes through :func:`gigalert_ingest.build.build_gig`, the normalisation the
HTTP API runs, and each label is compared with the gig:

* ``rate_unit``, ``unpaid``, ``remote_mode``: equal.
* ``currency``: the rate source's, when it holds an amount (else none).
* ``amount_min`` / ``amount_max``: equal as numbers.
* ``jpy_h_min`` / ``jpy_h_max``: the hourly figure we derived, within ¥1 (rounding); an
  implausible figure kept only in the rate source counts (the label is what the text says;
  that we do not match on it is another question); unpaid work is 0.
* ``days_min`` / ``days_max``: within 0.01.
* ``location``: both none, or one contains the other after NFKC + casefold (``壱岐市`` and
  ``長崎県壱岐市`` are one place).
* ``domains``: the same set of taxonomy keys; a label's ``other`` beside real keys ("and
  something outside the taxonomy") is ignored, since a gig is ``other`` only when it has
  no other domain.

Pure: no I/O beyond what the caller passes in.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gigalert_ingest.build import Platform, build_gig
from gigalert_ingest.schemas import GigIn
from gigalert_shared.events import GigBody
from gigalert_shared.taxonomy import normalise_text

__all__ = ["FACTS", "Miss", "Score", "load_corpus", "score_corpus"]

FACTS = (
    "rate_unit",
    "currency",
    "amount_min",
    "amount_max",
    "unpaid",
    "jpy_h_min",
    "jpy_h_max",
    "remote_mode",
    "days_min",
    "days_max",
    "location",
    "domains",
)

_PLATFORM = Platform(id=uuid.UUID(int=0), name="corpus")
_RECEIVED = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Miss:
    listing: str
    fact: str
    label: Any
    got: Any


@dataclass
class Score:
    held: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACTS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACTS, 0))
    misses: list[Miss] = field(default_factory=list)
    listings: int = 0

    def share(self, fact: str | None = None) -> float:
        held = sum(self.held.values()) if fact is None else self.held[fact]
        total = sum(self.total.values()) if fact is None else self.total[fact]
        return held / total if total else 1.0

    def report(self) -> str:
        lines = [f"{self.listings} listings, {sum(self.total.values())} labels"]
        for fact in FACTS:
            if self.total[fact]:
                lines.append(
                    f"  {fact:<12} {self.share(fact):7.1%}  ({self.held[fact]}/{self.total[fact]})"
                )
        lines.append(
            f"  {'overall':<12} {self.share():7.1%}  "
            f"({sum(self.held.values())}/{sum(self.total.values())})"
        )
        if self.misses:
            lines.append(f"{len(self.misses)} misses:")
            for m in self.misses:
                label = json.dumps(m.label, ensure_ascii=False)
                got = json.dumps(m.got, ensure_ascii=False)
                lines.append(f"  {m.listing} {m.fact}: label {label}, got {got}")
        return "\n".join(lines)


def load_corpus(directory: Path) -> list[dict[str, Any]]:
    """Every listing of every ``*.json`` file in ``directory``, in file order."""
    listings: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        listings.extend(data if isinstance(data, list) else [data])
    return listings


def _facts(gig: GigBody) -> dict[str, Any]:
    rs = gig.rate_source
    has_amount = rs.amount_min is not None or rs.amount_max is not None
    lo = gig.rate_min_jpy_h if gig.rate_min_jpy_h is not None else rs.implausible_min_jpy_h
    hi = gig.rate_max_jpy_h if gig.rate_max_jpy_h is not None else rs.implausible_max_jpy_h
    return {
        "rate_unit": None if rs.unit is None else rs.unit.value,
        "currency": rs.currency if has_amount else None,
        "amount_min": rs.amount_min,
        "amount_max": rs.amount_max,
        "unpaid": rs.unpaid,
        "jpy_h_min": lo,
        "jpy_h_max": hi,
        "remote_mode": None if gig.remote_mode is None else gig.remote_mode.value,
        "days_min": gig.days_per_week_min,
        "days_max": gig.days_per_week_max,
        "location": gig.location,
        "domains": gig.domains,
    }


def _close(a: Any, b: Any, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=tolerance)


def _place(s: str) -> str:
    return normalise_text(s).strip().rstrip(".")


def holds(fact: str, label: Any, got: Any) -> bool:
    """Whether the gig's ``got`` agrees with the ``label`` for ``fact`` (module rules)."""
    if fact in ("amount_min", "amount_max"):
        return _close(label, got, 1e-6)
    if fact in ("jpy_h_min", "jpy_h_max"):
        return _close(label, got, 1)
    if fact in ("days_min", "days_max"):
        return _close(label, got, 0.01)
    if fact == "location":
        if label is None or got is None:
            return label is None and got is None
        a, b = _place(label), _place(got)
        return a in b or b in a
    if fact == "domains":
        want = set(label or [])
        if len(want) > 1:
            want.discard("other")
        have = set(got)
        if len(have) > 1:
            have.discard("other")
        return want == have
    return bool(label == got)


def score_corpus(listings: Iterable[Mapping[str, Any]], fx_to_jpy: Mapping[str, float]) -> Score:
    """Every label of every listing, held or missed."""
    score = Score()
    for listing in listings:
        score.listings += 1
        ident = str(listing.get("id", "?"))
        labels: Mapping[str, Any] = listing.get("labels", {})
        try:
            gig_in = GigIn.model_validate(listing["input"])
            got = _facts(
                build_gig(
                    gig_in,
                    platform=_PLATFORM,
                    gig_id=uuid.UUID(int=score.listings),
                    received_at=_RECEIVED,
                    fx_to_jpy=fx_to_jpy,
                )
            )
        except (ValidationError, ValueError) as exc:
            got = dict.fromkeys(FACTS, f"rejected: {exc}")
        for fact in FACTS:
            if fact not in labels:
                continue
            score.total[fact] += 1
            if holds(fact, labels[fact], got[fact]):
                score.held[fact] += 1
            else:
                score.misses.append(Miss(ident, fact, labels[fact], got[fact]))
    return score
