"""Error answers shared by the three HTTP APIs, and their documentation.

FastAPI's own 422 handler echoes every error's ``input`` as it was parsed: NaN, Infinity,
1e400, lone surrogates or undecodable bytes in that echo make rendering the answer fail, and
the client gets a 500 instead. :func:`validation_error_handler` answers 422 with each error's
location, message and type, and the input only where it is small and can be written as JSON.

Every operation that takes credentials can also answer 401 and, after repeated failures from
one address (:mod:`gigalert_shared.auth_limit`), 429 with ``Retry-After``;
:func:`document_auth_failures` writes that into the OpenAPI document.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gigalert_shared.text_rules import encodable

__all__ = [
    "AUTH_FAILURE_RESPONSES",
    "MAX_ECHO_CHARS",
    "document_auth_failures",
    "install_http_errors",
    "safe_errors",
    "validation_error_handler",
]

MAX_ECHO_CHARS: Final = 1000  # a longer input is not echoed: the client has it already


def _json_safe(value: Any) -> bool:
    try:
        dumped = json.dumps(value, allow_nan=False, ensure_ascii=False)
        dumped.encode("utf-8")
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return False
    return len(dumped) <= MAX_ECHO_CHARS


def _context_value(value: Any) -> Any:
    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, float) and _json_safe(value):
        return value
    return encodable(str(value))


def safe_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors as JSON-safe dicts: ``type``, ``loc``, ``msg``, ``ctx`` when there is
    one, and ``input`` only when it is JSON-safe and at most :data:`MAX_ECHO_CHARS` long."""
    out: list[dict[str, Any]] = []
    for error in errors:
        item: dict[str, Any] = {
            "type": encodable(str(error.get("type", "value_error"))),
            "loc": [p if isinstance(p, int) else encodable(str(p)) for p in error.get("loc", ())],
            "msg": encodable(str(error.get("msg", ""))),
        }
        if "input" in error and _json_safe(error["input"]):
            item["input"] = error["input"]
        ctx = error.get("ctx")
        if isinstance(ctx, Mapping):
            item["ctx"] = {encodable(str(k)): _context_value(v) for k, v in ctx.items()}
        out.append(item)
    return out


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each wrong field; never fails to render, whatever the input was."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse({"detail": safe_errors(errors)}, status_code=422)


_RETRY_AFTER: Final[dict[str, Any]] = {
    "Retry-After": {
        "description": "Whole seconds until this address may try again.",
        "schema": {"type": "integer"},
    }
}
AUTH_FAILURE_RESPONSES: Final[dict[str, dict[str, Any]]] = {
    "401": {"description": "Missing or wrong credentials."},
    "429": {
        "description": "Too many failed authentications from this address: every request "
        "that needs credentials is refused until `Retry-After` seconds have passed.",
        "headers": _RETRY_AFTER,
    },
}


def document_auth_failures(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (an OpenAPI document, changed in place) with 401 and 429 on every operation
    that has a security requirement, and ``Retry-After`` on every 429."""
    for item in doc.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses: dict[str, Any] = op["responses"]
            if op.get("security"):
                for code, response in AUTH_FAILURE_RESPONSES.items():
                    responses.setdefault(code, copy.deepcopy(response))
            if "429" in responses:
                responses["429"].setdefault("headers", copy.deepcopy(_RETRY_AFTER))
            op["responses"] = dict(sorted(responses.items()))
    return doc


def install_http_errors(app: FastAPI) -> None:
    """Register the shared 422 handler on ``app``, and document the auth failures (401, 429)
    of its operations in its OpenAPI document."""
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_auth_failures(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
