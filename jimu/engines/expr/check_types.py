"""Value types of the static checks: what a literal is, what fits where, what can be compared."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jimu.engines.expr.dates import parse_temporal

_DATES = frozenset({"date", "datetime"})


def literal_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    return "any"


def is_date_text(value: Any) -> bool:
    """A text literal holding an ISO date or date-time (``"2024-01-31"``)."""
    return isinstance(value, str) and parse_temporal(value) is not None


def is_number_text(value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def fits(actual: str, expected: str, node: Any) -> bool:
    """Whether a value of type ``actual`` (the rule ``node``) may stand where ``expected`` is
    asked for. Text literals holding an ISO date fit dates; numeric text literals fit numbers."""
    if expected in ("any", "boolean") or actual in ("any", "null") or actual == expected:
        return True
    if actual in _DATES and expected in _DATES:
        return True
    if actual == "text" and expected in _DATES:
        return is_date_text(node)
    if actual == "text" and expected == "number":
        return is_number_text(node)
    return False


def _kinds(kind: str, node: Any) -> frozenset[str] | None:
    """What a value can be compared as; ``None``: with anything."""
    if kind in ("any", "null"):
        return None
    if kind in _DATES:
        return frozenset({"date"})
    if kind == "text" and isinstance(node, str):
        kinds = {"text"}
        if is_date_text(node):
            kinds.add("date")
        if is_number_text(node):
            kinds.add("number")
        return frozenset(kinds)
    return frozenset({kind})


def comparable(left: str, left_node: Any, right: str, right_node: Any) -> bool:
    a, b = _kinds(left, left_node), _kinds(right, right_node)
    return a is None or b is None or bool(a & b)


def unify(types: Iterable[str]) -> str:
    """The one type that covers ``types`` (nulls aside): itself, "datetime" for dates mixed with
    date-times, else "any"."""
    found = {t for t in types if t != "null"}
    if not found:
        return "null"
    if len(found) == 1:
        return found.pop()
    if found <= _DATES:
        return "datetime"
    return "any"
