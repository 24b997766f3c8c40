"""The committed OpenAPI documents of the four HTTP apps (``docs/openapi/*.json``).

Regenerate after changing an endpoint and review the diff::

    uv run python -m tests.support.openapi_docs

``tests/security/test_openapi_current.py`` fails while a committed document is stale.
Building an app needs neither Kafka nor Postgres: they are opened in the lifespan, which
this never runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from gigalert_ingest.api.app import create_app as create_ingest
from gigalert_matcher.api.app import create_app as create_matcher
from gigalert_notifier.api.app import create_app as create_notifier
from gigalert_shared.settings import Settings
from gigalert_web.app import create_app as create_web

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "openapi"

APPS: dict[str, Callable[[Settings], FastAPI]] = {
    "ingest": create_ingest,
    "matcher": create_matcher,
    "notifier": create_notifier,
    "web": create_web,
}


def document(name: str) -> dict[str, Any]:
    """The OpenAPI document of one service, as its app builds it now."""
    return APPS[name](Settings()).openapi()


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def path_of(name: str) -> Path:
    return DOCS / f"{name}.json"


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in APPS:
        path = path_of(name)
        text = render(document(name))
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")  # noqa: T201
        else:
            print(f"{path.relative_to(ROOT)} is current")  # noqa: T201


if __name__ == "__main__":
    main()
