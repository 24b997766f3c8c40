"""The freelancer API's request and response bodies (the pages build the same models from
their forms, so one set of rules checks both)."""

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
    check_recipient_email,
)
from gigalert_shared.events import RemoteMode
from gigalert_shared.taxonomy import DOMAIN_KEYS
from gigalert_shared.text_fields import Line50, Line100
from gigalert_shared.text_rules import STORABLE

# Checked against the taxonomy too; first these, so the error message can quote it safely.
Domain = Annotated[str, StringConstraints(max_length=50), STORABLE]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FreelancerIn(_In):
    display_name: Line100
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
    webhook_url: str = Field(
        max_length=500,
        description=f"An incoming-webhook URL: {SLACK_PREFIX}T…/B…/… "
        "(ASCII letters, digits, _ and - in each part).",
    )


class LineChannelIn(_In):
    """A LINE channel starts pending: the answer carries a one-time code, which the user
    sends to the official account; its webhook then links the user. Nobody types a userId."""

    kind: Literal["line"]


ChannelIn = Annotated[EmailChannelIn | SlackChannelIn | LineChannelIn, Field(discriminator="kind")]


class ChannelOut(BaseModel):
    id: UUID
    kind: str
    target: str | None = Field(
        description="The address, the masked LINE user id or webhook URL; none while a LINE "
        "channel waits for its code."
    )
    status: Literal["pending", "active", "paused", "disabled"] = Field(
        description="pending: not proven yet, receives nothing; active; paused by you; "
        "disabled: by repeated permanent failures or a LINE unfollow (see disabled_reason)."
    )
    active: bool
    paused: bool
    verified_at: datetime | None
    consecutive_failures: int
    disabled_reason: str | None
    last_error: str | None
    last_error_at: datetime | None
    used_by: list[str] = Field(description="Names of the searches that send to it.")
    created_at: datetime
    link_code: str | None = Field(
        None,
        description="LINE only, in the answer that creates it: send this to the official "
        "account (shown once).",
    )
    add_friend_url: str | None = None


class SubscriptionIn(_In):
    name: Line100 = "マイ条件"
    remote_modes: list[RemoteMode] = Field(
        default_factory=lambda: list(RemoteMode), min_length=1, max_length=3
    )
    min_rate_jpy_h: int | None = Field(
        None, ge=0, le=1_000_000, description="The least yen an hour: 0 to 1,000,000."
    )
    include_unknown_rate: bool = True
    domains: list[Domain] = Field(default_factory=list, max_length=20)
    keywords_any: list[Line50] = Field(default_factory=list, max_length=20)
    keywords_none: list[Line50] = Field(default_factory=list, max_length=20)
    max_days_per_week: float | None = Field(
        None, ge=0.5, le=7, allow_inf_nan=False, description="The most days a week: 0.5 to 7."
    )
    locations: list[Line50] = Field(default_factory=list, max_length=20)
    frequency: Literal["instant", "digest", "weekly"] = "instant"
    digest_hour: int | None = Field(None, ge=0, le=23)
    weekly_day: int | None = Field(None, ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    quiet_start: time | None = None
    quiet_end: time | None = None
    channel_ids: list[UUID] | None = Field(
        None, max_length=10, description="The channels this search sends to; none = all."
    )

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
        if self.frequency in ("digest", "weekly") and self.digest_hour is None:
            self.digest_hour = 8
        if self.frequency == "weekly" and self.weekly_day is None:
            self.weekly_day = 0
        if self.channel_ids is not None:
            self.channel_ids = sorted(set(self.channel_ids)) or None
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
    weekly_day: int | None
    quiet_start: time | None
    quiet_end: time | None
    channel_ids: list[UUID] | None
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


class DeliveryOut(BaseModel):
    channel_id: UUID
    kind: str
    target: str | None = Field(None, description="The address; LINE and Slack masked.")
    status: str = Field(description="pending, sending, sent, failed (retrying) or dead.")
    attempts: int
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None


class AlertOut(BaseModel):
    id: UUID
    gig_id: UUID
    title: str | None
    url: str | None
    subscription_ids: list[UUID]
    reasons_ja: list[str]
    reasons_en: list[str]
    created_at: datetime
    deliveries: list[DeliveryOut]


class AlertPage(BaseModel):
    alerts: list[AlertOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class TokenIn(_In):
    label: Line100 = "API"


class TokenOut(BaseModel):
    id: UUID
    label: str
    token_prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once, stored hashed.")
