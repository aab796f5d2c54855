"""The rows of a compiled chart as JSON values, keyed by the columns' names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa


@dataclass
class CompiledReport:
    """A chart's one SELECT and the description of its columns."""

    statement: sa.Select[Any]
    columns: list[dict[str, Any]]
    #: What a drill-down needs: dimension name → (path, grain, bin) and the base entity.
    entity: str
    dimensions: list[dict[str, Any]]


def json_value(value: Any) -> Any:
    """Numbers as JSON numbers (NUMERIC → float, the same on SQLite and PostgreSQL), dates as
    ISO text."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def shape_rows(
    columns: Sequence[dict[str, Any]], rows: Iterable[Sequence[Any]]
) -> list[dict[str, Any]]:
    """``rows`` (in the statement's column order) as dicts keyed by column name."""
    names = [str(c["name"]) for c in columns]
    flags = [c.get("role") == "others" for c in columns]
    return [
        {
            name: (bool(v) if flag else json_value(v))
            for name, flag, v in zip(names, flags, row, strict=True)
        }
        for row in rows
    ]
