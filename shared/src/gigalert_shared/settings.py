"""Settings, one class per concern, read from ``GIGALERT_*`` variables and ``.env``.

Build them in ``main()`` or a lifespan (``get_settings()`` is cached and tests clear it),
never at import time.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _count(default: int, description: str) -> Any:
    """A setting that counts something: at least 1."""
    return Field(default, ge=1, description=description)


def _positive(default: float, description: str) -> Any:
    """A duration or a rate: more than 0."""
    return Field(default, gt=0, description=description)


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=f"GIGALERT_{prefix}",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )


class KafkaSettings(BaseSettings):
    model_config = _config("KAFKA_")

    bootstrap_servers: str = Field(
        "127.0.0.1:19092", description="Comma-separated host:port list of Kafka brokers."
    )
    partitions: int = Field(6, ge=1, le=1000, description="Partitions per topic on creation.")
    replication_factor: int = _count(1, "Replication factor on creation.")
    topic_prefix: str = Field(
        "", description="Prefix for every topic name and consumer group (tests use one per test)."
    )
    client_id: str = Field("gigalert", description="Kafka client id.")
    max_delivery_attempts: int = _count(5, "Attempts at one message before it is dead-lettered.")


class PostgresSettings(BaseSettings):
    model_config = _config("POSTGRES_")

    dsn: SecretStr = Field(
        SecretStr("postgresql://gigalert:gigalert@127.0.0.1:15432/gigalert"),
        description="asyncpg DSN of the gigalert database.",
    )
    pool_min_size: int = Field(1, ge=0, description="Connections kept open per process.")
    pool_max_size: int = _count(10, "Connection pool size per process.")
    command_timeout: float = _positive(30.0, "Seconds before a query is cancelled.")


class HttpSettings(BaseSettings):
    model_config = _config("HTTP_")

    host: str = Field("127.0.0.1", description="Address the HTTP APIs bind to.")
    ingest_port: int = Field(8001, description="Port of the ingest API.")
    matcher_port: int = Field(
        8002, description="Port of the matcher (ops routes only: /healthz, /readyz, /metrics)."
    )
    notifier_port: int = Field(8003, description="Port of the notifier ops API.")
    max_body_bytes: int = Field(
        2_000_000, ge=1024, description="Largest request body accepted (413 beyond)."
    )
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token for ops endpoints (and /metrics); unset or empty disables "
        "them (answered 403 or 404, never served).",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token that may read /metrics only (Prometheus); the admin token "
        "may too. Neither set: /metrics answers 404.",
    )
    docs: bool = Field(
        False, description="Serve /docs and /openapi.json (off in production: leave unset)."
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Peers whose X-Forwarded-For/-Proto uvicorn believes (comma list, or *). "
        "Empty: none, the peer's own address is the client's.",
    )


class SmtpSettings(BaseSettings):
    model_config = _config("SMTP_")

    host: str = Field("127.0.0.1", description="SMTP server host.")
    port: int = Field(8025, description="SMTP server port.")
    security: Literal["none", "starttls", "tls"] = Field(
        "none", description="none (local development), starttls or tls."
    )
    username: str | None = Field(None, description="SMTP user, if the server wants one.")
    password: SecretStr | None = Field(None, description="SMTP password.")
    sender: str = Field("alerts@gigalert.local", description="From address of alert mail.")
    sender_name: str = Field("gigalert", description="From display name.")
    maildir: str = Field(
        "deploy/local/.state/mail", description="Where the local SMTP sink keeps messages."
    )


class NotifierSettings(BaseSettings):
    model_config = _config("NOTIFIER_")

    max_attempts: int = _count(8, "Attempts before a delivery is dead.")
    base_delay_seconds: float = _positive(30.0, "First retry delay.")
    max_delay_seconds: float = _positive(3600.0, "Longest retry delay.")
    lease_seconds: float = _positive(60.0, "How long a claimed delivery is held.")
    send_timeout_seconds: float = _positive(20.0, "Timeout of one send.")
    line_channel_token: SecretStr | None = Field(
        None, description="LINE Messaging API channel access token."
    )
    line_api_base_url: str = Field(
        "https://api.line.me", description="LINE Messaging API host (its push quota is read)."
    )
    line_quota_poll_seconds: float = Field(
        300.0, ge=0, description="How often LINE's push quota is read (0: never)."
    )
    batch_size: int = Field(100, ge=1, le=1000, description="Deliveries claimed per round.")
    poll_interval_seconds: float = _positive(0.5, "Idle wait between claims.")
    smtp_concurrency: int = _count(8, "Mails sent at once per process.")
    line_concurrency: int = _count(4, "LINE pushes at once per process.")
    smtp_max_messages_per_connection: int = _count(
        100, "Mails sent over one kept SMTP session before it is renewed."
    )
    smtp_idle_seconds: float = _positive(30.0, "A kept SMTP session unused this long is closed.")
    line_pushes_per_second: float = _positive(
        1000.0, "LINE pushes per second at most, per channel access token."
    )
    slack_min_interval_seconds: float = Field(
        1.0, ge=0, description="Least time between two posts to one Slack webhook."
    )
    rate_limited_pause_seconds: float = _positive(
        60.0, "Wait after a 429 when no Retry-After is known."
    )
    disable_channel_after: int = _count(3, "Consecutive permanent failures that disable a channel.")
    email_daily_cap: int = _count(
        100, "Alert mails one address receives a day at most (later ones wait)."
    )


class WebSettings(BaseSettings):
    """The freelancer's side (services/web): its address, sessions, links and limits."""

    model_config = _config("WEB_")

    public_base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Where freelancers reach the web app: links in mail (login, confirm, "
        "unsubscribe) start with it. https in production (cookies are Secure then).",
    )
    port: int = Field(8000, description="Port of the web app (pages and the freelancer API).")
    session_days: int = Field(30, ge=1, le=365, description="A login session lasts this long.")
    link_minutes: int = Field(15, ge=1, le=1440, description="A mailed login link lasts this long.")
    confirm_hours: int = _count(48, "A mailed confirmation link lasts this long.")
    mails_per_address_hour: int = _count(
        5, "Login or confirmation mails one address is sent an hour at most."
    )
    mails_per_ip_hour: int = _count(
        20, "Login or confirmation mails one client IP may ask for an hour."
    )
    signups_per_ip_hour: int = _count(
        10, "Accounts one client IP may create through the API an hour."
    )
    link_code_attempts_hour: int = _count(
        10, "Wrong LINE link codes one LINE user may send an hour."
    )
    previews_per_minute: int = _count(60, "Previews one account may ask for a minute (429 beyond).")
    line_channel_secret: SecretStr | None = Field(
        None, description="LINE Messaging API channel secret: checks X-Line-Signature."
    )
    line_add_friend_url: str = Field(
        "https://line.me/R/ti/p/@gigalert",
        description="The official account's add-friend link (shown with its QR code).",
    )
    slack_webhook_prefix: str = Field(
        "https://hooks.slack.com/services/",
        description="Slack webhooks must start with this. Tests only point it at a local "
        "endpoint; production keeps the default.",
    )


class Settings(BaseSettings):
    """All settings of one process."""

    model_config = _config("")

    env: Literal["development", "production"] = Field(
        "production",
        description="production refuses to start with unsafe settings (placeholder, empty or "
        "short secrets, a public URL without https); development only warns.",
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    notifier: NotifierSettings = Field(default_factory=NotifierSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    channel_secret_key: SecretStr = Field(
        SecretStr("dev-only-change-me-dev-only-change-me"),
        description="Encrypts channel secrets at rest and signs mail links (web, notifier).",
    )
    channel_secret_key_old: SecretStr | None = Field(
        None,
        description="Former channel keys during a rotation (comma list): still decrypt "
        "channel secrets and verify unsubscribe links; never used to seal or sign.",
    )
    channel_secret_key_old_links_until: datetime | None = Field(
        None,
        description="Unsubscribe links signed with an old key are accepted until then "
        "(ISO 8601); unset: as long as the old key is set.",
    )
    retention_days: int = Field(
        90,
        ge=1,
        description="Gigs, alerts, sent or dead deliveries and unsubscribe records older than "
        "this are pruned (gigs with a kept alert stay).",
    )
    log_level: str = Field("INFO", description="Log level of every service.")
    fx_to_jpy: dict[str, float] = Field(
        default_factory=lambda: {"JPY": 1.0, "USD": 150.0, "EUR": 160.0, "GBP": 190.0},
        description="JPY per unit of a foreign currency, for rate normalisation (JSON).",
    )


@cache
def get_settings() -> Settings:
    return Settings()
