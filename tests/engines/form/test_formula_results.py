"""A formula field without ``returns`` stores (and shows) the type its formula gives."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.engines.form import AppModel, default_registry
from jimu.engines.form.formula_results import formula_returns, inferred_type
from jimu.engines.form.types.base import FieldContext

REGISTRY = default_registry()


def context(*formulas: dict[str, Any]) -> FieldContext:
    fields = [
        {"name": "name", "type": "text"},
        {"name": "amount", "type": "money", "scale": 2},
        {"name": "due", "type": "date"},
        {"name": "account", "type": "link", "target": "account"},
        {"name": "account_name", "type": "lookup", "link": "account", "field": "title"},
        *formulas,
    ]
    doc = {"kind": "entity", "name": "lead", "label": {"en": "Lead"}, "fields": fields}
    account = {
        "kind": "entity",
        "name": "account",
        "label": {"en": "Account"},
        "fields": [{"name": "title", "type": "text"}],
    }
    app = AppModel.from_documents("crm", [doc, account])
    return FieldContext(app, app.entity("lead"), REGISTRY)


def stored(formula: str, **more: Any) -> tuple[str, sa.types.TypeEngine[Any]]:
    ctx = context({"name": "f", "type": "formula", "formula": formula, **more})
    field = ctx.entity.field("f")
    assert field is not None
    return formula_returns(field, ctx), REGISTRY.get("formula").column_type(field, ctx)


def test_a_text_formula_without_returns_is_stored_as_text() -> None:
    returns, column = stored('CONCAT(name, "!")')
    assert returns == "text" and isinstance(column, sa.Text)


def test_the_inferred_type_follows_the_fields_read() -> None:
    assert stored("amount * 2")[0] == "number"
    assert stored("due")[0] == "date"
    assert stored("amount > 10")[0] == "boolean"
    assert stored("UPPER(account_name)")[0] == "text"  # through a lookup


def test_returns_wins_and_an_unknown_type_stays_a_number() -> None:
    assert stored('CONCAT(name, "!")', returns="number")[0] == "number"
    assert stored("IF(amount > 1, NULL, NULL)")[0] == "number"


def test_formulas_reading_each_other_are_inferred_without_recursing_for_ever() -> None:
    ctx = context(
        {"name": "a", "type": "formula", "formula": 'CONCAT(b, "")'},
        {"name": "b", "type": "formula", "formula": "a"},
        {"name": "c", "type": "formula", "formula": 'CONCAT(name, "-")'},
        {"name": "d", "type": "formula", "formula": "c"},
    )
    a, d = ctx.entity.field("a"), ctx.entity.field("d")
    assert a is not None and d is not None
    assert inferred_type(a, ctx) == "text"
    assert formula_returns(d, ctx) == "text"  # a formula of a text formula is a text
