"""What platforms send (``GigIn``) and what ingest answers (``ItemResult``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from gigalert_shared.events import RateUnit, TaxBasis
from gigalert_shared.text_fields import Line100, Line200
from gigalert_shared.text_rules import STORABLE

Text200 = Annotated[str, StringConstraints(max_length=200), STORABLE]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[float, Field(gt=0, le=1e9, allow_inf_nan=False)]
Hours = Annotated[float, Field(ge=1, le=744, allow_inf_nan=False)]
Days = Annotated[float, Field(ge=0.5, le=7, allow_inf_nan=False)]
_AMOUNT = "Pay per `unit` in `currency`: more than 0, at most 1,000,000,000."
_HOURS = "Hours a month of the settlement band (精算幅): 1 to 744 (31 × 24)."
_DAYS = "Days a week: 0.5 to 7."

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


class RateIn(BaseModel):
    """A structured rate: amounts per unit in a currency. An hourly figure above ¥1,000,000
    (after the currency and the hours) is kept as sent but counts as unknown."""

    model_config = ConfigDict(extra="forbid")

    amount_min: Amount | None = Field(None, description=_AMOUNT)
    amount_max: Amount | None = Field(None, description=_AMOUNT)
    unit: RateUnit
    currency: Currency = "JPY"
    tax_basis: TaxBasis = TaxBasis.UNKNOWN
    hours_per_month_min: Hours | None = Field(None, description=_HOURS)
    hours_per_month_max: Hours | None = Field(None, description=_HOURS)

    @model_validator(mode="after")
    def _range(self) -> RateIn:
        if self.amount_min is None and self.amount_max is None:
            raise ValueError("give amount_min, amount_max or both")
        if (
            self.amount_min is not None
            and self.amount_max is not None
            and self.amount_min > self.amount_max
        ):
            raise ValueError("amount_min is greater than amount_max")
        lo, hi = self.hours_per_month_min, self.hours_per_month_max
        if lo is not None and hi is not None and lo > hi:
            raise ValueError("hours_per_month_min is greater than hours_per_month_max")
        return self


class DaysIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: Days | None = Field(None, description=_DAYS)
    max: Days | None = Field(None, description=_DAYS)

    @model_validator(mode="after")
    def _range(self) -> DaysIn:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


class GigIn(BaseModel):
    """One gig as a platform posts it. Free text is kept as written and normalised by us."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "job-20261127-001",
                    "title": "PMO支援（フルリモート・週2日〜）",
                    "description": "大手SaaSの新規事業PMO。",
                    "url": "https://jobs.example.jp/20261127-001",
                    "category": "PMO",
                    "skills": ["PMO", "Jira"],
                    "remote": "フルリモート",
                    "location": "東京都",
                    "rate": "月額60〜80万円（140-180h）",
                    "days_per_week": "週2〜3日",
                    "language": "ja",
                }
            ]
        },
    )

    external_id: Line200
    title: Line200
    description: Annotated[str, StringConstraints(max_length=20_000), STORABLE] = ""
    url: AnyHttpUrl | None = Field(None, description="The listing's page (http or https).")
    category: Text200 | None = Field(
        None, description="The platform's domain or category text (PMO, マーケティング, …)."
    )
    skills: list[Line100] = Field(default_factory=list, max_length=50)
    remote: Text200 | None = Field(
        None, description="remote | hybrid | onsite, or the listing's words (フルリモート, 常駐…)."
    )
    location: Text200 | None = None
    rate: RateIn | Annotated[str, StringConstraints(max_length=500), STORABLE] | None = Field(
        None,
        description="Structured, or the listing's text (時給4,500円〜, 月額60〜80万円…); "
        "a figure that is unreadable or over ¥1,000,000 an hour is kept, as unknown.",
    )
    days_per_week: DaysIn | Text200 | None = Field(
        None,
        description="{min, max} (0.5 to 7) or the listing's text (週2〜3日); a figure "
        "outside 0.5 to 7 in the text is kept, as unknown.",
    )
    posted_at: datetime | None = None
    expires_at: datetime | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")] | None = (
        None
    )

    @field_validator("posted_at", "expires_at")
    @classmethod
    def _plausible_date(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("give a time zone (e.g. +09:00 or Z)")
        if not EARLIEST <= value <= datetime.now(UTC) + timedelta(days=3650):
            raise ValueError("date is out of the plausible range (2000 to ten years ahead)")
        return value

    @field_validator("url")
    @classmethod
    def _url_length(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is not None and len(str(value)) > 2000:
            raise ValueError("url is longer than 2000 characters")
        return value


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gigs: list[Any] = Field(
        min_length=1,
        description="Gigs (each a GigIn); each is validated on its own and gets a result.",
        json_schema_extra={"items": {"$ref": "#/components/schemas/GigIn"}},
    )


class Outcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    UPDATED = "updated"
    REJECTED = "rejected"


class ItemError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ItemResult(BaseModel):
    index: int
    external_id: str | None = None
    status: Outcome
    gig_id: str | None = None
    errors: list[ItemError] = Field(default_factory=list)


class IngestAnswer(BaseModel):
    results: list[ItemResult]
    accepted: int
    rejected: int


class Problem(BaseModel):
    detail: str | list[dict[str, Any]]
    status: Literal[401, 403, 413, 422, 429] | int
