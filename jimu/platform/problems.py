"""Every error as ``application/problem+json`` (RFC 9457) with per-field errors.

Body: ``{type, title, status, detail, code, errors: [{pointer, message, code}], ...extra}``;
``extra`` carries e.g. ``current`` (the current record) on a 409 version conflict.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from jimu.errors import FieldError, JimuError, NotAuthenticated
from jimu.platform.input_guard import RefusedInput
from jimu.platform.method_routing import allowed_methods

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:jimu:problem:"
log = logging.getLogger(__name__)

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "message", "code"],
                "properties": {
                    "pointer": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
        "current": {"type": "object", "description": "The current record (409 only)."},
    },
    "additionalProperties": True,
}


def problem_body(
    status: int,
    code: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": _title(status),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [error.as_dict() for error in errors],
    }
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    extra: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = jsonable_encoder(problem_body(status, code, detail, errors, extra))
    return JSONResponse(
        body, status_code=status, media_type=MEDIA_TYPE, headers=dict(headers or {})
    )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def pointer_for(loc: Sequence[int | str]) -> str:
    """A JSON pointer for a FastAPI error location: body fields at the root, others prefixed."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + "/".join(escaped) if parts else ""


def validation_field_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for item in exc.errors():
        message = str(item.get("msg", "Invalid value."))
        errors.append(FieldError(pointer_for(item.get("loc", ())), message, str(item["type"])))
    return errors


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


async def handle_jimu_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JimuError)
    if isinstance(exc, NotAuthenticated) and wants_html(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    if exc.status in (429, 503) and "retry_after" in exc.extra:
        headers["Retry-After"] = str(exc.extra["retry_after"])
    return problem_response(exc.status, exc.code, exc.message, exc.errors, exc.extra, headers)


async def handle_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = validation_field_errors(exc)
    return problem_response(422, "validation_failed", "The request is not valid.", errors)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, RefusedInput):
        return await handle_jimu_error(request, exc.error)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
    code = codes.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else _title(exc.status_code)
    headers = http_error_headers(request, exc)
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed here; use {headers['Allow']}."
    return problem_response(exc.status_code, code, detail, headers=headers)


def http_error_headers(request: Request, exc: StarletteHTTPException) -> dict[str, str]:
    """The headers of an HTTP error; a 405's ``Allow`` lists every method the path takes
    (Starlette's names only the first matching route's)."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return headers


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(500, "internal_error", "Something went wrong on the server.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(JimuError, handle_jimu_error)
    app.add_exception_handler(RequestValidationError, handle_request_validation)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(Exception, handle_unexpected)
