"""The web app's SQL lives in queries.sql, as named blocks."""

from __future__ import annotations

from gigalert_shared.db import load_queries


def q(name: str) -> str:
    return load_queries("gigalert_web")[name]
