"""The committed AsyncAPI document matches the event models.

Regenerate with: uv run faststream docs gen gigalert_shared.asyncapi:app --out docs/asyncapi.json
"""

from __future__ import annotations

import json
from pathlib import Path

from gigalert_shared.asyncapi import build

DOC = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.json"


def test_committed_asyncapi_document_is_current() -> None:
    app = build()
    assert app.schema is not None
    fresh = app.schema.to_specification().to_jsonable()
    assert json.loads(DOC.read_text(encoding="utf-8")) == fresh


def test_every_topic_is_documented() -> None:
    channels = json.loads(DOC.read_text(encoding="utf-8"))["channels"]
    documented = {name.split(":")[0] for name in channels}
    assert documented == {
        "gigs.raw",
        "gigs.posted",
        "gigs.updated",
        "gigs.rejected",
        "gigs.posted.dlq",
        "alerts.matched",
        "alerts.matched.dlq",
    }
