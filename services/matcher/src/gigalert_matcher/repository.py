"""The matcher's SQL, as named blocks in queries.sql."""

from __future__ import annotations

from gigalert_shared.db import load_queries


def q(name: str) -> str:
    return load_queries("gigalert_matcher")[name]
