"""Parsing a record list request (query string or ``POST .../query`` body) into a ListQuery."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from jimu.errors import FieldError, ValidationFailed
from jimu.platform import input_guard
from jimu.platform.api.params import StrictBody
from jimu.platform.records import ListQuery

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


class QueryBody(StrictBody):
    """The body of ``POST .../records/query``."""

    filter: dict[str, Any] | None = Field(
        default=None, description="A JsonLogic condition over field names."
    )
    sort: list[str] = Field(default_factory=list, description='e.g. ["-amount", "name"]')
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, description="next_cursor of the previous page")
    fields: list[str] | None = Field(default=None, description="None = every field")
    count: bool = Field(default=False, description="also return the number of matching rows")

    def to_list_query(self, *, deleted: bool = False) -> ListQuery:
        return ListQuery(
            filter=self.filter,
            sort=self.sort,
            limit=self.limit,
            cursor=self.cursor,
            fields=self.fields,
            count=self.count,
            deleted=deleted,
        )


def parse_filter(text: str | None) -> dict[str, Any] | None:
    """The ``filter`` query parameter: JsonLogic as JSON text."""
    if text is None or not text.strip():
        return None
    try:
        value = input_guard.loads(text, "/filter")
    except json.JSONDecodeError as error:
        raise ValidationFailed(
            "The filter is not valid JSON.",
            [FieldError("/filter", f"Not JSON: {error.msg} at character {error.pos}.", "json")],
        ) from error
    if not isinstance(value, dict):
        raise ValidationFailed(
            "The filter must be a JsonLogic object.",
            [FieldError("/filter", 'Expected a JSON object such as {"==": [...]}.', "type")],
        )
    return value


def split_list(values: list[str] | None) -> list[str]:
    """``?sort=-amount,name`` and ``?sort=-amount&sort=name`` both give ["-amount", "name"]."""
    items: list[str] = []
    for value in values or []:
        items.extend(part.strip() for part in value.split(",") if part.strip())
    return items


def query_from_params(
    filter_text: str | None,
    sort: list[str] | None,
    limit: int,
    cursor: str | None,
    fields: list[str] | None,
    count: bool,
) -> QueryBody:
    return QueryBody(
        filter=parse_filter(filter_text),
        sort=split_list(sort),
        limit=limit,
        cursor=cursor or None,
        fields=split_list(fields) or None,
        count=count,
    )
