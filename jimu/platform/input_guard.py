"""Input no part of Jimu can store or process safely, refused before it reaches a route.

Three things are refused wherever they come in (JSON bodies, URL-encoded form bodies, the query
string, the path) with a 422 naming where they are:

- JSON nested deeper than :data:`MAX_JSON_DEPTH` (Python's parser and every recursive walk
  after it would run out of stack);
- lone UTF-16 surrogates such as ``"\\ud800"`` (no UTF-8 text, so no database, can hold them);
- NUL characters (PostgreSQL cannot store them in text; SQLite would keep them and hand them to
  every export).

:func:`loads` is the one JSON parser for text that routes read themselves (the ``filter`` query
parameter, an import's ``mapping``, public-form bodies with their ``capture``);
:class:`InputGuard` checks the bodies FastAPI parses, the query string and the path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jimu.errors import FieldError, ValidationFailed

#: Deeper than any filter, document or record a person writes (a JsonLogic filter of nested
#: groups five levels deep is about 15).
MAX_JSON_DEPTH = 64


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL or a lone surrogate), or None."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate (such as \\ud800), which is not text"
    return None


def _walk(value: Any, pointer: str) -> Iterator[FieldError]:
    """Every string problem in a parsed JSON value, and the first place it is too deep."""
    stack: list[tuple[Any, str, int]] = [(value, pointer, 0)]
    too_deep = False
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                yield FieldError(where, problem, "invalid_text")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_JSON_DEPTH:
            if not too_deep:
                too_deep = True
                message = f"is nested more than {MAX_JSON_DEPTH} levels deep"
                yield FieldError(where, message, "too_deep")
            continue
        if isinstance(item, dict):
            for key, child in item.items():
                problem = text_problem(key)
                if problem is not None:
                    yield FieldError(where, f"has a key that {problem}", "invalid_text")
                stack.append((child, f"{where}/{_escape(key)}", depth + 1))
        else:
            stack.extend((child, f"{where}/{i}", depth + 1) for i, child in enumerate(item))


def _maybe_unsafe(text: str) -> bool:
    """Whether ``text`` (JSON) could hold a problem at all: cheap, so most bodies skip the walk.

    A NUL or a surrogate can only be written as a ``\\u`` escape in valid JSON, and a document
    with fewer brackets than the limit cannot be nested deeper than it.
    """
    return "\\u" in text or "\x00" in text or text.count("[") + text.count("{") > MAX_JSON_DEPTH


def json_problems(text: str, pointer: str = "") -> list[FieldError]:
    """What makes the JSON ``text`` unsafe; [] when it is safe or is not JSON at all (the
    parser of whoever reads it reports that)."""
    if not _maybe_unsafe(text):
        return []
    try:
        value = json.loads(text)
    except RecursionError:
        message = f"is nested more than {MAX_JSON_DEPTH} levels deep"
        return [FieldError(pointer, message, "too_deep")]
    except ValueError:
        return []
    return list(_walk(value, pointer))


def utf8(body: bytes, pointer: str = "") -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        error = FieldError(pointer, f"is not UTF-8 text (byte {exc.start})", "encoding")
        raise ValidationFailed("The request is not UTF-8 text.", [error]) from None


def loads(text: str | bytes, pointer: str = "") -> Any:
    """``json.loads`` that refuses what :func:`json_problems` finds (ValidationFailed naming
    ``pointer`` and below); a syntax error is still ``json.JSONDecodeError``."""
    if isinstance(text, bytes):
        text = utf8(text, pointer)
    errors = json_problems(text, pointer)
    if errors:
        raise ValidationFailed("The request holds values Jimu cannot store.", errors)
    return json.loads(text)


class RefusedInput(HTTPException):
    """Raised from inside a body read, so FastAPI's body parsing lets it through unchanged
    (it re-raises HTTP exceptions); the problem handler renders ``error`` itself."""

    def __init__(self, error: ValidationFailed) -> None:
        super().__init__(status_code=error.status, detail=error.message)
        self.error = error


def _query_problems(query: str) -> list[FieldError]:
    if "%" not in query:
        return []
    errors = []
    for name, value in parse_qsl(query, keep_blank_values=True, errors="surrogateescape"):
        for text in (name, value):
            problem = text_problem(text)
            if problem is not None:
                errors.append(FieldError(f"/query/{_escape(name)}", problem, "invalid_text"))
                break
    return errors


def _form_problems(body: str) -> list[FieldError]:
    if "%00" not in body:
        return []
    return [
        FieldError(f"/{_escape(name)}", "contains a NUL character (\\u0000)", "invalid_text")
        for name, value in parse_qsl(body, keep_blank_values=True)
        if "\x00" in value or "\x00" in name
    ]


def _media_type(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return str(value.decode("latin-1")).split(";")[0].strip().lower()
    return ""


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _is_checked(media: str) -> bool:
    return _is_json(media) or media == "application/x-www-form-urlencoded"


def body_problems(media: str, body: bytes) -> list[FieldError]:
    """What makes a request body of ``media`` type unsafe (JSON and URL-encoded forms)."""
    if not _is_checked(media):
        return []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [FieldError("", f"is not UTF-8 text (byte {exc.start})", "encoding")]
    return json_problems(text) if _is_json(media) else _form_problems(text)


class InputGuard:
    """ASGI middleware: refuses a path or query string with a NUL or a broken UTF-8 sequence at
    once, and checks a JSON or URL-encoded body when its last chunk is read (nothing is
    buffered that the route would not read anyway, so body limits such as the public forms'
    still stop a large body early)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors = self._url_problems(scope)
        if errors:
            from jimu.platform.problems import problem_response

            refused = ValidationFailed("The request holds values Jimu cannot store.", errors)
            response = problem_response(422, refused.code, refused.message, refused.errors)
            await response(scope, receive, send)
            return
        media = _media_type(scope)
        checked = self._checked(media, receive) if _is_checked(media) else receive
        await self.app(scope, checked, send)

    @staticmethod
    def _url_problems(scope: Scope) -> list[FieldError]:
        errors = []
        path = scope.get("path", "")
        if text_problem(path) is not None or "\ufffd" in path:
            message = "contains a NUL or a byte that is not UTF-8"
            errors.append(FieldError("/path", message, "invalid_text"))
        query = scope.get("query_string", b"").decode("latin-1")
        errors.extend(_query_problems(query))
        return errors

    @staticmethod
    def _checked(media: str, receive: Receive) -> Receive:
        chunks: list[bytes] = []

        async def checked_receive() -> Message:
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                errors = body_problems(media, b"".join(chunks))
                chunks.clear()
                if errors:
                    refused = ValidationFailed(
                        "The request holds values Jimu cannot store.", errors
                    )
                    raise RefusedInput(refused)
            return message

        return checked_receive
