"""The committed OpenAPI documents (docs/openapi/*.json) describe the apps as they are."""

from __future__ import annotations

import json

import pytest

from tests.support.openapi_docs import APPS, document, path_of


@pytest.mark.parametrize("name", sorted(APPS))
def test_committed_openapi_document_is_current(name: str) -> None:
    path = path_of(name)
    assert path.exists(), f"{path} is missing: run `uv run python -m tests.support.openapi_docs`"
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == document(name), (
        f"{path} is stale: run `uv run python -m tests.support.openapi_docs` and review the diff"
    )
