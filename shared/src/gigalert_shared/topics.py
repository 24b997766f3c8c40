"""Topic names, in one place. A prefix (per test, or per environment) is applied by ``Topics``."""

from __future__ import annotations

from dataclasses import dataclass

GIGS_RAW = "gigs.raw"
GIGS_POSTED = "gigs.posted"
GIGS_UPDATED = "gigs.updated"
GIGS_REJECTED = "gigs.rejected"
GIGS_POSTED_DLQ = "gigs.posted.dlq"
ALERTS_MATCHED = "alerts.matched"
ALERTS_MATCHED_DLQ = "alerts.matched.dlq"

ALL = (
    GIGS_RAW,
    GIGS_POSTED,
    GIGS_UPDATED,
    GIGS_REJECTED,
    GIGS_POSTED_DLQ,
    ALERTS_MATCHED,
    ALERTS_MATCHED_DLQ,
)


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str = ""

    def name(self, base: str) -> str:
        return f"{self.prefix}{base}"

    @property
    def gigs_raw(self) -> str:
        return self.name(GIGS_RAW)

    @property
    def gigs_posted(self) -> str:
        return self.name(GIGS_POSTED)

    @property
    def gigs_updated(self) -> str:
        return self.name(GIGS_UPDATED)

    @property
    def gigs_rejected(self) -> str:
        return self.name(GIGS_REJECTED)

    @property
    def gigs_posted_dlq(self) -> str:
        return self.name(GIGS_POSTED_DLQ)

    @property
    def alerts_matched(self) -> str:
        return self.name(ALERTS_MATCHED)

    @property
    def alerts_matched_dlq(self) -> str:
        return self.name(ALERTS_MATCHED_DLQ)

    def all(self) -> list[str]:
        return [self.name(t) for t in ALL]
