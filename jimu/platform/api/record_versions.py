"""Optimistic concurrency over HTTP: ``version`` in the body, or ``If-Match`` with the ETag."""

from __future__ import annotations

from typing import Any

from jimu.errors import FieldError, ValidationFailed

Record = dict[str, Any]


def split_version(body: Record, if_match: str | None = None) -> tuple[Record, int | None]:
    """The record's values without ``version``, and the version the client saw: the body's
    ``version``, else the ``If-Match`` header (``"3"`` or ``W/"3"``, as sent in ``ETag``)."""
    values = dict(body)
    version = values.pop("version", None)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationFailed(
            "The version must be an integer.", [FieldError("/version", "Expected an integer.")]
        )
    if version is None and if_match:
        version = version_of_etag(if_match)
    return values, version


def etag(record: Record) -> str:
    return f'W/"{record["version"]}"'


def version_of_etag(value: str) -> int:
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ValidationFailed(
            "If-Match must be the ETag of the record you read.",
            [FieldError("/headers/if-match", 'Expected W/"<version>".', "format")],
        )
    return int(text)
