"""What a rollup may aggregate: sums and averages of numbers (however they are stored: a
money field, a lookup or a formula giving a number), the least / greatest of what compares."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.form import AppModel, default_registry
from jimu.metadata.validate import field_errors_in_app

REGISTRY = default_registry()
ORDER = {"kind": "entity", "name": "order", "label": {"en": "Order"}, "fields": []}


def problems(function: str, field: str) -> list[str]:
    rollup: dict[str, Any] = {
        "name": "total",
        "type": "rollup",
        "entity": "line",
        "link": "order",
        "function": function,
        "field": field,
    }
    line = {
        "kind": "entity",
        "name": "line",
        "label": {"en": "Line"},
        "fields": [
            {"name": "order", "type": "link", "target": "order"},
            {"name": "amount", "type": "money", "scale": 2},
            {"name": "paid", "type": "boolean"},
            {"name": "due", "type": "date"},
            {"name": "note", "type": "text"},
            {"name": "double", "type": "formula", "formula": "amount * 2"},
            {"name": "shout", "type": "formula", "formula": "UPPER(note)"},
            {"name": "order_total", "type": "lookup", "link": "order", "field": "budget"},
        ],
    }
    order = {**ORDER, "fields": [{"name": "budget", "type": "number"}, rollup]}
    app = AppModel.from_documents("shop", [order, line])
    return [e.message for e in field_errors_in_app(app, app.entity("order"), REGISTRY)]


@pytest.mark.parametrize("field", ["amount", "double", "order_total"])
def test_sums_of_numbers_however_stored(field: str) -> None:
    assert problems("sum", field) == []
    assert problems("avg", field) == []


@pytest.mark.parametrize("field", ["paid", "due", "note", "shout", "order"])
def test_a_sum_of_what_is_not_a_number_is_refused(field: str) -> None:
    (problem,) = problems("sum", field)
    assert problem == f"sum needs a number; line.{field} is not"


def test_min_and_max_take_what_compares_but_not_a_yes_no() -> None:
    assert problems("min", "due") == [] and problems("max", "note") == []
    assert problems("max", "paid") == ["max needs a number, text or date; line.paid is not"]


def test_a_filter_naming_a_field_the_records_lack_is_refused_at_the_filter() -> None:
    rollup: dict[str, Any] = {
        "name": "dues",
        "type": "rollup",
        "entity": "line",
        "link": "order",
        "function": "count",
    }
    line = {
        "kind": "entity",
        "name": "line",
        "label": {"en": "Line"},
        "fields": [
            {"name": "order", "type": "link", "target": "order"},
            {"name": "memo", "type": "text"},
        ],
    }

    def found(condition: dict[str, Any]) -> list[tuple[str, str]]:
        order = {**ORDER, "fields": [{**rollup, "filter": condition}]}
        app = AppModel.from_documents("shop", [order, line])
        errors = field_errors_in_app(app, app.entity("order"), REGISTRY)
        return [(e.pointer, e.message) for e in errors]

    assert found({"==": [{"var": "memo"}, "dues"]}) == []
    assert found({">": [{"var": "created_at"}, {"var": "updated_at"}]}) == []
    ((pointer, message),) = found({"==": [{"var": "memoo"}, "dues"]})
    assert pointer == "/fields/0/filter/==/0" and "memoo" in message
