"""Opaque keyset cursors: the sort values and id of the last row of a page."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jimu.errors import FieldError, ValidationFailed


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"D": str(value)}
    if isinstance(value, datetime):
        return {"T": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "D" in value:
            return Decimal(value["D"])
        if "T" in value:
            return datetime.fromisoformat(value["T"])
        if "d" in value:
            return date.fromisoformat(value["d"])
    return value


def encode_cursor(sort: list[str], values: list[Any]) -> str:
    payload = json.dumps({"s": sort, "v": [_encode(v) for v in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: list[str]) -> list[Any]:
    """The values of a cursor made for the same ``sort``; ValidationFailed otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values = [_decode(v) for v in payload["v"]]
        same_sort = payload["s"] == sort
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed(
            "Bad cursor.", [FieldError("/cursor", "is not a valid cursor")]
        ) from None
    if not same_sort or len(values) != len(sort) + 1:
        raise ValidationFailed(
            "Bad cursor.", [FieldError("/cursor", "belongs to a list with another sort order")]
        )
    return values
