"""The AsyncAPI document of every gigalert topic, generated from the event models.

``uv run faststream docs gen gigalert_shared.asyncapi:app --out docs/asyncapi.json``
writes it; a test checks that the committed document is current. The services register
their real subscribers at start-up; this module declares the same channels for the
document only (it never connects).
"""

from __future__ import annotations

from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel, Field

from gigalert_shared.events import AlertMatched, GigPosted, GigRejected, GigUpdated
from gigalert_shared.topics import Topics


class DeadLetter(BaseModel):
    """What gigs.posted.dlq and alerts.matched.dlq carry."""

    reason: str
    original_b64: str = Field(description="The original message value, base64.")
    original_headers: dict[str, str] = Field(
        default_factory=dict, description="Its headers as text, credentials left out."
    )
    source_topic: str
    source_partition: int
    source_offset: int
    failed_at: str


class RawGig(BaseModel):
    """A platform's gig on gigs.raw: the same body as POST /v1/gigs (see the ingest OpenAPI
    document), with the platform's API key in the `x-api-key` header."""

    external_id: str
    title: str
    extra: dict[str, Any] = Field(default_factory=dict, description="Every other GigIn field.")


def build() -> FastStream:
    t = Topics()
    broker = KafkaBroker("localhost:9092")

    documented: list[tuple[str, type[BaseModel], str, str | None]] = [
        (t.gigs_raw, RawGig, "Platforms produce raw gigs (header x-api-key).", "ingest"),
        (t.gigs_posted, GigPosted, "A new normalised gig, keyed by gig id.", "matcher"),
        (t.gigs_updated, GigUpdated, "A gig whose content changed, keyed by gig id.", "matcher"),
        (t.gigs_rejected, GigRejected, "Raw gigs that could not be accepted.", None),
        (t.gigs_posted_dlq, DeadLetter, "Gigs the matcher failed on repeatedly.", None),
        (
            t.alerts_matched,
            AlertMatched,
            "An explained alert, keyed by freelancer.",
            "notifier",
        ),
        (t.alerts_matched_dlq, DeadLetter, "Alerts the notifier could not decode.", None),
    ]
    for topic, model, description, group in documented:
        broker.publisher(topic, schema=model, description=description)
        if group is not None:
            handler = _typed_noop(model)
            broker.subscriber(topic, group_id=group, description=description)(handler)
    return FastStream(
        broker,
        specification=AsyncAPI(
            broker,
            title="gigalert events",
            version="1.0.0",
            description="Topics between ingest, matcher and notifier. Every event has a "
            "schema_version; consumers are idempotent, so replays create no duplicates.",
        ),
    )


def _typed_noop(model: type[BaseModel]) -> Any:
    async def handle(body: Any) -> None:
        return None

    # The schema comes from the annotation; set it at run time (annotations are strings here).
    handle.__annotations__ = {"body": model, "return": None}
    handle.__name__ = f"consume_{model.__name__}"
    return handle


app = build()
