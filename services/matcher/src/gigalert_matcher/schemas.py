"""The freelancer API's request and response bodies."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from gigalert_shared.channel_rules import (
    MAX_EMAIL_LENGTH,
    SLACK_PREFIX,
    check_line_id,
    check_recipient_email,
    check_slack_webhook,
)
from gigalert_shared.events import RemoteMode
from gigalert_shared.taxonomy import DOMAIN_KEYS
from gigalert_shared.text_rules import STORABLE

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), STORABLE
]
Keyword = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), STORABLE
]
# Checked against the taxonomy too; first these, so the error message can quote it safely.
Domain = Annotated[str, StringConstraints(max_length=50), STORABLE]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FreelancerIn(_In):
    display_name: Name
    locale: Literal["ja", "en"] = "ja"
    timezone: str = Field("Asia/Tokyo", max_length=64, description="An IANA time zone.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError("unknown time zone; use an IANA name such as Asia/Tokyo")
        ZoneInfo(value)
        return value


class FreelancerOut(BaseModel):
    id: UUID
    display_name: str
    locale: str
    timezone: str
    created_at: datetime


class FreelancerCreated(FreelancerOut):
    token: str = Field(description="Bearer token; shown once, stored hashed.")


# The notifier sends with the same rules (gigalert_shared.channel_rules): what is stored
# can be delivered, and only to Slack's webhook host, a LINE user or a public mail domain.


class EmailChannelIn(_In):
    kind: Literal["email"]
    address: Annotated[str, AfterValidator(check_recipient_email)] = Field(
        max_length=MAX_EMAIL_LENGTH,
        description="A plain ASCII address on a public domain: no quotes, spaces, "
        "IP addresses or URL characters (? % / ; ,).",
        json_schema_extra={"format": "email"},
    )


class SlackChannelIn(_In):
    kind: Literal["slack"]
    webhook_url: Annotated[str, AfterValidator(check_slack_webhook)] = Field(
        max_length=500,
        description=f"An incoming-webhook URL: {SLACK_PREFIX}T…/B…/… "
        "(ASCII letters, digits, _ and - in each part).",
    )


class LineChannelIn(_In):
    kind: Literal["line"]
    user_id: Annotated[str, AfterValidator(check_line_id)] = Field(
        description="A LINE user id: U and 32 lower-case hex digits."
    )


ChannelIn = Annotated[EmailChannelIn | SlackChannelIn | LineChannelIn, Field(discriminator="kind")]


class ChannelOut(BaseModel):
    id: UUID
    kind: str
    target: str = Field(description="The address, user id, or the masked webhook URL.")
    active: bool
    consecutive_failures: int
    disabled_reason: str | None
    created_at: datetime


class SubscriptionIn(_In):
    name: Name = "マイ条件"
    remote_modes: list[RemoteMode] = Field(
        default_factory=lambda: list(RemoteMode), min_length=1, max_length=3
    )
    min_rate_jpy_h: int | None = Field(
        None, ge=0, le=1_000_000, description="The least yen an hour: 0 to 1,000,000."
    )
    include_unknown_rate: bool = True
    domains: list[Domain] = Field(default_factory=list, max_length=20)
    keywords_any: list[Keyword] = Field(default_factory=list, max_length=20)
    keywords_none: list[Keyword] = Field(default_factory=list, max_length=20)
    max_days_per_week: float | None = Field(
        None, ge=0.5, le=7, allow_inf_nan=False, description="The most days a week: 0.5 to 7."
    )
    locations: list[Keyword] = Field(default_factory=list, max_length=20)
    frequency: Literal["instant", "digest"] = "instant"
    digest_hour: int | None = Field(None, ge=0, le=23)
    quiet_start: time | None = None
    quiet_end: time | None = None

    @field_validator("domains")
    @classmethod
    def _known_domains(cls, value: list[str]) -> list[str]:
        unknown = [d for d in value if d not in DOMAIN_KEYS]
        if unknown:
            raise ValueError(
                f"unknown domain {', '.join(unknown)}; valid: {', '.join(sorted(DOMAIN_KEYS))}"
            )
        return sorted(set(value))

    @field_validator("remote_modes")
    @classmethod
    def _dedup_modes(cls, value: list[RemoteMode]) -> list[RemoteMode]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _schedule(self) -> SubscriptionIn:
        if self.frequency == "digest" and self.digest_hour is None:
            self.digest_hour = 8
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("give both quiet_start and quiet_end, or neither")
        return self


class SubscriptionOut(BaseModel):
    id: UUID
    name: str
    remote_modes: list[str]
    min_rate_jpy_h: int | None
    include_unknown_rate: bool
    domains: list[str]
    keywords_any: list[str]
    keywords_none: list[str]
    max_days_per_week: float | None
    locations: list[str]
    frequency: str
    digest_hour: int | None
    quiet_start: time | None
    quiet_end: time | None
    active: bool
    created_at: datetime
    updated_at: datetime


class PreviewGig(BaseModel):
    gig_id: UUID
    title: str
    url: str | None
    received_at: datetime
    reasons_ja: list[str]
    reasons_en: list[str]


class Preview(BaseModel):
    days: int
    count: int
    per_week: float = Field(description="Expected alerts a week at this rate.")
    gigs: list[PreviewGig] = Field(description="The newest matches (at most 50).")
