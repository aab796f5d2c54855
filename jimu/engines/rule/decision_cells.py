"""The cells of a decision table: which conditions a cell may hold, and reading one back.

A cell is a condition on one input, stored as the expression language's JsonLogic with the
input read as ``{"var": <input name>}``; ``null`` is "any". The kinds are the condition
builder's templates (jimu/engines/expr/builder.py), so the grid and the condition builder
write and read the same JSON: ``{"==": [{"var": "type"}, "download"]}``,
``{"<=": [10, {"var": "score"}, 20]}`` (between, inclusive), ``{"in_list": [{"var": "region"},
["east", "north"]]}``, ``{"is_blank": [{"var": "city"}]}`` ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jimu.engines.expr.builder import BUILDER_OPERATORS, match

#: The cell kinds, in the order the grid's menu offers them (builder operator ids).
CELL_KINDS = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "is_empty",
    "is_not_empty",
)
#: The kinds each input type may use ("choice": a text input with options).
KINDS_BY_TYPE: Mapping[str, tuple[str, ...]] = {
    "number": CELL_KINDS,
    "text": CELL_KINDS,
    "date": CELL_KINDS,
    "datetime": CELL_KINDS,
    "choice": ("equals", "not_equals", "in", "not_in", "is_empty", "is_not_empty"),
    "boolean": ("equals", "not_equals", "is_empty", "is_not_empty"),
}
#: Value types an input may have (the expression language's).
INPUT_TYPES = ("number", "text", "date", "datetime", "boolean")


@dataclass(frozen=True)
class Cell:
    """A cell read back: its kind (``any`` or a builder operator id) and its literals."""

    kind: str
    slots: Mapping[str, Any]

    def literals(self) -> list[Any]:
        """Every value the cell compares with (for the domain's critical points)."""
        out: list[Any] = []
        for name in ("value", "low", "high"):
            if name in self.slots:
                out.append(self.slots[name])
        values = self.slots.get("values")
        if isinstance(values, list):
            out.extend(values)
        return out


ANY = Cell("any", {})


def read_cell(cell: Any, input_name: str) -> Cell | None:
    """The cell's kind and slots, or None when it is not a cell on ``input_name``."""
    if cell is None:
        return ANY
    for kind in CELL_KINDS:
        slots = match(BUILDER_OPERATORS[kind].template, cell)
        if slots is not None and slots.get("field") == input_name:
            return Cell(kind, {k: v for k, v in slots.items() if k != "field"})
    return None


def literal_problem(value: Any, value_type: str, options: tuple[str, ...] | None) -> str | None:
    """Why ``value`` cannot be compared with an input of ``value_type`` (None: it can)."""
    if value is None:
        return "is empty: use the kind 'is empty' to match empty values"
    if value_type == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"{value!r} is not a number"
    if value_type == "boolean":
        return None if isinstance(value, bool) else f"{value!r} is not true or false"
    if not isinstance(value, str):
        return f"{value!r} is not a text"
    if options is not None and value not in options:
        return f"{value!r} is not an option of the input ({', '.join(options)})"
    if value_type == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a date (write 2024-01-31)"
    if value_type == "datetime":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return f"{value!r} is not a date-time (write 2024-01-31T09:00:00)"
    return None
