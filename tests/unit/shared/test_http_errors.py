"""The shared 422 answer: every error keeps its location, message and type; an input is echoed
only when it can be written as JSON."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from gigalert_shared.http_errors import MAX_ECHO_CHARS, install_http_errors, safe_errors


def _error(value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "x", "loc": ("body", "f"), "msg": "bad", "input": value, **extra}


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        b"\x80\xff",
        "a\ud800",
        {"k": float("nan")},
        ["ok", b"x"],
        "長" * (MAX_ECHO_CHARS + 1),
        object(),
    ],
    ids=repr,
)
def test_unsafe_inputs_are_not_echoed(value: Any) -> None:
    [out] = safe_errors([_error(value)])
    assert out == {"type": "x", "loc": ["body", "f"], "msg": "bad"}
    json.dumps(out, allow_nan=False).encode()


@pytest.mark.parametrize("value", [None, 1, 2.5, "ｱ😀", [1, "a"], {"a": None}], ids=repr)
def test_safe_inputs_are_echoed(value: Any) -> None:
    assert safe_errors([_error(value)])[0]["input"] == value


def test_locations_messages_and_context_are_made_encodable() -> None:
    [out] = safe_errors(
        [
            {
                "type": "extra_forbidden",
                "loc": ("body", "\udfff", 3),
                "msg": "unknown domain \ud800",
                "ctx": {"error": ValueError("x\ud800"), "le": float("inf"), "ge": 1},
            }
        ]
    )
    assert out["loc"] == ["body", "\\udfff", 3]
    assert out["msg"] == "unknown domain \\ud800"
    assert out["ctx"] == {"error": "x\\ud800", "le": "inf", "ge": 1}
    json.dumps(out, allow_nan=False, ensure_ascii=False).encode()


class _Body(BaseModel):
    name: str
    days: float


async def test_an_app_answers_422_for_input_its_default_handler_could_not_render() -> None:
    app = FastAPI()
    install_http_errors(app)

    @app.post("/x")
    async def x(body: _Body) -> dict[str, str]:
        return {"ok": body.name}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.post(
            "/x",
            content=b'{"name": NaN, "days": 1e400}',
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 422
        assert [e["loc"] for e in r.json()["detail"]] == [["body", "name"]]
        assert "input" not in r.json()["detail"][0]
        r = await client.post("/x", content=b"\x80\xff")
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body"]
