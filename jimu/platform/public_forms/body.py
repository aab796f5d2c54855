"""Reading an anonymous request body without ever holding more than the limit.

A ``Content-Length`` over the limit is refused before anything is read; a body sent without
one (chunked) is read until it passes the limit. Then the body is parsed: a URL-encoded form
(what the page posts) or a JSON object (the API).

The routes take the body through the :data:`PublicBody` dependency, which reads it on the event
loop; the routes themselves are plain ``def`` and run in the thread pool (their database work
never blocks the loop).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from jimu.errors import FieldError, ValidationFailed
from jimu.platform import input_guard
from jimu.platform.dependencies import get_settings
from jimu.platform.public_forms.limits import TooLarge

#: More inputs than any form has: refuses junk with thousands of keys cheaply.
MAX_FIELDS = 200
URLENCODED = "application/x-www-form-urlencoded"


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class LimitedBody:
    """A request body read up to the public forms' limit, or the ``TooLarge`` met reading it
    (raised by :meth:`read`, so the route decides when: after a 404 for an unknown form)."""

    content: bytes
    too_large: TooLarge | None = None

    def read(self) -> bytes:
        if self.too_large is not None:
            raise self.too_large
        return self.content


async def limited_body(request: Request) -> LimitedBody:
    try:
        return LimitedBody(await read_body(request, get_settings(request).public_form_max_bytes))
    except TooLarge as error:
        return LimitedBody(b"", error)


PublicBody = Annotated[LimitedBody, Depends(limited_body)]


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "The submission is not UTF-8 text.", [FieldError("", "is not UTF-8", "encoding")]
        ) from None


def parse_form(request: Request, body: bytes) -> FormData:
    """The posted URL-encoded form (other content types are refused with a clear error)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != URLENCODED:
        message = f"A public form takes {URLENCODED} (or JSON at /api/public/...), not {media!r}."
        raise ValidationFailed(message, [FieldError("", message, "media_type")])
    try:
        pairs = parse_qsl(_text(body), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        message = f"The submission has more than {MAX_FIELDS} inputs."
        raise ValidationFailed(message, [FieldError("", message, "too_many")]) from None
    items: list[tuple[str, str | UploadFile]] = list(pairs)
    return FormData(items)


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        value = input_guard.loads(_text(body)) if body.strip() else None
    except json.JSONDecodeError as exc:
        message = f"is not valid JSON: {exc.msg} at line {exc.lineno}"
        error = FieldError("", message, "json")
        raise ValidationFailed("The body is not valid JSON.", [error]) from None
    if not isinstance(value, dict):
        message = "must be a JSON object of field values"
        raise ValidationFailed("The body must be a JSON object.", [FieldError("", message)])
    return value
