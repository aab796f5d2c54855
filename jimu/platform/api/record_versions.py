"""Optimistic concurrency over HTTP: ``version`` in the body, or ``If-Match`` with the ETag."""

from __future__ import annotations

from typing import Any

from jimu.engines.form.patterns import SPACE
from jimu.errors import FieldError, ValidationFailed

Record = dict[str, Any]
#: What ``version_of_etag`` takes: the ETag (``W/"3"``), or its bare or quoted number.
IF_MATCH_PATTERN = f'^{SPACE}*(?:W/)?"*[0-9]+"*{SPACE}*$'


def split_version(body: Record, if_match: str | None = None) -> tuple[Record, int | None]:
    """The record's values without ``version``, and the version the client saw: the body's
    ``version``, else the ``If-Match`` header (``"3"`` or ``W/"3"``, as sent in ``ETag``)."""
    values = dict(body)
    version = values.pop("version", None)
    if type(version) is float and version.is_integer():  # 7.0 is 7, as JSON Schema reads it
        version = int(version)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationFailed(
            "The version must be an integer.", [FieldError("/version", "Expected an integer.")]
        )
    if if_match is not None:  # a malformed header is refused even when the body has "version"
        from_header = version_of_etag(if_match)
        version = from_header if version is None else version
    return values, version


def etag(record: Record) -> str:
    return f'W/"{record["version"]}"'


def version_of_etag(value: str) -> int:
    text = value.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()):  # "²".isdigit(), but int("²") fails
        raise ValidationFailed(
            "If-Match must be the ETag of the record you read.",
            [FieldError("/headers/if-match", 'Expected W/"<version>".', "format")],
        )
    return int(text)
