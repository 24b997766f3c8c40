"""Events carried on Kafka topics. Every event has a ``schema_version``; consumers accept
the versions they know and dead-letter the rest."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Final = 1


class RemoteMode(StrEnum):
    REMOTE = "remote"
    HYBRID = "hybrid"
    ONSITE = "onsite"


class RateUnit(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"  # 年収, per year: never an hourly figure without stated hours
    PROJECT = "project"  # the whole job (案件総額, honorarium)
    PIECE = "piece"  # per item of work (1記事, 1投稿, 文字単価, per article)


class TaxBasis(StrEnum):
    INCLUDED = "included"  # 税込
    EXCLUDED = "excluded"  # 税抜
    UNKNOWN = "unknown"


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class RateSource(_Event):
    """What the listing said about pay, and how it became JPY per hour."""

    text: str | None = Field(None, description="The listing's own words, verbatim.")
    amount_min: float | None = Field(None, description="Lower amount in `currency` per `unit`.")
    amount_max: float | None = Field(None, description="Upper amount in `currency` per `unit`.")
    unit: RateUnit | None = None
    currency: str = "JPY"
    tax_basis: TaxBasis = TaxBasis.UNKNOWN
    negotiable: bool = Field(False, description="応相談: the listing leaves pay open.")
    unpaid: bool = Field(
        False,
        description="無報酬, ボランティア, unpaid: the work pays nothing; the gig's hourly "
        "figure is 0, which passes no rate floor.",
    )
    hours_per_month_min: float | None = Field(None, description="Settlement band (精算幅) low.")
    hours_per_month_max: float | None = Field(None, description="Settlement band (精算幅) high.")
    hours_divisor: float | None = Field(
        None, description="Hours the amount was divided by to get a rate per hour."
    )
    fx_rate_to_jpy: float | None = Field(None, description="JPY per unit of `currency` used.")
    convention: str = Field(
        "unknown", description="How the hourly figure was derived, readable by a person."
    )
    implausible_min_jpy_h: int | None = Field(
        None,
        description="An hourly figure derived from the amounts but outside the plausible "
        "band for paid work (¥1,000 to ¥50,000 an hour): a sign of a misreading. Kept here "
        "only; the gig's rate_min_jpy_h is then null.",
    )
    implausible_max_jpy_h: int | None = Field(
        None, description="As implausible_min_jpy_h, for the top of the range."
    )


class GigBody(_Event):
    """The normalised gig, as stored and as published."""

    gig_id: UUID
    platform_id: UUID
    platform_name: str
    external_id: str
    title: str
    description: str = ""
    url: str | None = None
    domains: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    remote_mode: RemoteMode | None = None
    remote_text: str | None = None
    location: str | None = None
    rate_min_jpy_h: int | None = None
    rate_max_jpy_h: int | None = None
    rate_source: RateSource = Field(default_factory=RateSource)
    days_per_week_min: float | None = None
    days_per_week_max: float | None = None
    days_text: str | None = None
    language: str | None = None
    posted_at: datetime | None = None
    expires_at: datetime | None = None
    received_at: datetime
    content_hash: str


class GigPosted(GigBody):
    schema_version: Literal[1] = SCHEMA_VERSION
    event: Literal["gig.posted"] = "gig.posted"


class GigUpdated(GigBody):
    schema_version: Literal[1] = SCHEMA_VERSION
    event: Literal["gig.updated"] = "gig.updated"
    previous_content_hash: str


class FieldError(_Event):
    loc: list[str | int]
    msg: str
    type: str


class GigRejected(_Event):
    """A raw gig that could not be accepted: the reason, the errors and the original bytes."""

    schema_version: Literal[1] = SCHEMA_VERSION
    event: Literal["gig.rejected"] = "gig.rejected"
    reason: str
    errors: list[FieldError] = Field(default_factory=list)
    original_b64: str = Field(description="The original message value, base64.")
    original_key_b64: str | None = None
    original_headers: dict[str, str] = Field(default_factory=dict)
    source_topic: str
    source_partition: int
    source_offset: int
    rejected_at: datetime


class GigSummary(_Event):
    gig_id: UUID
    title: str
    url: str | None = None
    platform_name: str
    domains: list[str] = Field(default_factory=list)
    remote_mode: RemoteMode | None = None
    location: str | None = None
    rate_min_jpy_h: int | None = None
    rate_max_jpy_h: int | None = None
    rate_source: RateSource = Field(default_factory=RateSource)
    days_per_week_min: float | None = None
    days_per_week_max: float | None = None
    posted_at: datetime | None = None


class MatchReason(_Event):
    criterion: Literal["remote_mode", "rate", "domain", "keyword", "days", "location"]
    ok: bool = True
    text_ja: str
    text_en: str


class AlertMatched(_Event):
    schema_version: Literal[1] = SCHEMA_VERSION
    event: Literal["alert.matched"] = "alert.matched"
    alert_id: UUID
    freelancer_id: UUID
    gig: GigSummary
    subscription_ids: list[UUID]
    reasons: dict[str, list[MatchReason]] = Field(
        description="Reasons per subscription id (as a string)."
    )
    created_at: datetime


AnyGigEvent = Annotated[GigPosted | GigUpdated, Field(discriminator="event")]


def dump_event(event: _Event) -> bytes:
    return event.model_dump_json().encode()


def event_headers(event: Any) -> dict[str, str]:
    return {
        "schema-version": str(getattr(event, "schema_version", SCHEMA_VERSION)),
        "event": str(getattr(event, "event", type(event).__name__)),
    }
