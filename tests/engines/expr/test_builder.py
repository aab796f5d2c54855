"""The condition builder's operators: each template is written and read back (``fill`` /
``match``), and each, filled for a column of its kind, selects in SQL exactly the rows the
Python evaluation accepts, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.expr import check, evaluate, to_sql
from jimu.engines.expr.builder import (
    BUILDER_OPERATORS,
    KIND_OPERATORS,
    PERIOD_UNITS,
    RELATIVE_UNITS,
    BuilderOperator,
    fill,
    match,
)

METADATA = sa.MetaData()
ROWS_TABLE = sa.Table(
    "builder_rows",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String(50)),
    sa.Column("number", sa.Integer),
    sa.Column("date", sa.Date),
    sa.Column("datetime", sa.DateTime(timezone=True)),
    sa.Column("boolean", sa.Boolean),
    sa.Column("choice", sa.String(20)),
    sa.Column("user", sa.BigInteger),
    sa.Column("department", sa.BigInteger),
    sa.Column("link", sa.BigInteger),
)
COLUMN_OF_KIND = {kind: kind for kind in KIND_OPERATORS if kind != "other"}
COLUMNS = {name: ROWS_TABLE.c[name] for name in COLUMN_OF_KIND.values()}
TYPES = {
    "text": "text",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "boolean": "boolean",
    "choice": "text",
    "user": "number",
    "department": "number",
    "link": "number",
}
CONTEXT = {"now": "2026-03-18T10:30:00+00:00", "today": "2026-03-18", "user": {"id": 2}}


def _rows() -> list[dict[str, Any]]:
    texts = ["Acme", "acme corp", "", None, "Beta Acme"]
    dates = [date(2026, 3, 18), date(2026, 3, 1), date(2026, 2, 28), None, date(2026, 12, 31)]
    moments = [
        datetime(2026, 3, 18, 1, tzinfo=UTC),
        datetime(2026, 3, 1, 0, tzinfo=UTC),
        datetime(2026, 2, 28, 23, 59, tzinfo=UTC),
        None,
        datetime(2026, 3, 25, 12, tzinfo=UTC),
    ]
    return [
        {
            "id": i + 1,
            "text": texts[i],
            "number": [5, 10, 0, None, 20][i],
            "date": dates[i],
            "datetime": moments[i],
            "boolean": [True, False, None, True, False][i],
            "choice": ["won", "new", None, "lost", "won"][i],
            "user": [1, 2, None, 3, 2][i],
            "department": [10, None, 11, 12, 10][i],
            "link": [None, 7, 8, 7, None][i],
        }
        for i in range(5)
    ]


def _sample_slots(kind: str, operator: BuilderOperator) -> list[dict[str, Any]]:
    """Slot values worth trying for ``operator`` on the column of ``kind``."""
    field = COLUMN_OF_KIND[kind]
    value: Any = {
        "text": "Acme",
        "number": 10,
        "date": "2026-03-01",
        "boolean": True,
        "choice": "won",
        "user": 2,
        "department": 10,
        "link": 7,
    }.get(kind)
    values: Any = {"text": ["Acme", ""], "choice": ["won", "lost"]}.get(kind, [2, 3])
    if operator.operand == "relative":
        return [{"field": field, "amount": 7, "unit": unit} for unit in RELATIVE_UNITS]
    if operator.operand == "period":
        return [{"field": field, "unit": unit} for unit in PERIOD_UNITS]
    low, high = (0, 10) if kind == "number" else ("2026-03-01", "2026-03-18")
    slots = {"field": field, "value": value, "values": values, "low": low, "high": high}
    extra = []
    if kind == "user":
        extra = [{**slots, "value": {"var": "$user.id"}}]
    return [slots, *extra]


CASES = [
    (kind, operator, slots)
    for kind, operators in KIND_OPERATORS.items()
    if kind != "other"
    for operator in operators
    for slots in _sample_slots(kind, operator)
]


@pytest.mark.parametrize(("kind", "operator", "slots"), CASES)
def test_a_filled_template_reads_back_to_its_slots(
    kind: str, operator: BuilderOperator, slots: dict[str, Any]
) -> None:
    rule = fill(operator.template, slots)
    used = {k: v for k, v in slots.items() if k in _slot_names(operator.template)}
    assert match(operator.template, rule) == used
    first = next(op for op in KIND_OPERATORS[kind] if match(op.template, rule) is not None)
    assert first.id == operator.id, f"{rule} reads back as {first.id}"
    assert check(rule, TYPES, {"user.id": "number"}, require_sql=True) == []


def _slot_names(template: Any) -> set[str]:
    if isinstance(template, dict):
        if set(template) == {"slot"}:
            return {template["slot"]}
        return set().union(*(_slot_names(v) for v in template.values()))
    if isinstance(template, list):
        return set().union(*(_slot_names(v) for v in template)) if template else set()
    return set()


def test_match_refuses_what_the_template_does_not_describe() -> None:
    equals = BUILDER_OPERATORS["equals"].template
    assert match(equals, {"!=": [{"var": "a"}, 1]}) is None
    assert match(equals, {"==": [{"var": "a"}, 1, 2]}) is None
    assert match(equals, {"==": [{"var": "$user.id"}, 1]}) is None  # no field
    assert match(equals, {"==": [1, {"var": "a"}]}) is None
    assert match(BUILDER_OPERATORS["is_true"].template, {"==": [{"var": "a"}, 1]}) is None
    period = KIND_OPERATORS["date"][-3].template
    assert match(period, fill(period, {"field": "d", "unit": "month"})) == {
        "field": "d",
        "unit": "month",
    }
    mixed = {
        "==": [{"start_of": [{"var": "d"}, "month"]}, {"start_of": [{"var": "$today"}, "year"]}]
    }
    assert match(period, mixed) is None  # one slot, two values


@pytest.fixture
def rows(engine: sa.Engine) -> sa.Engine:
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(ROWS_TABLE.insert(), _rows())
    return engine


def test_every_operator_selects_in_sql_what_python_accepts(rows: sa.Engine) -> None:
    with rows.connect() as conn:
        stored = [dict(r) for r in conn.execute(sa.select(ROWS_TABLE)).mappings()]
        for kind, operator, slots in CASES:
            rule = fill(operator.template, slots)
            bound = fill(operator.template, {**slots, "value": _bound(slots.get("value"))})
            where = to_sql(bound, COLUMNS, CONTEXT, where=True)
            query = sa.select(ROWS_TABLE.c.id).where(where).order_by(ROWS_TABLE.c.id)
            selected = list(conn.scalars(query))
            accepted = [r["id"] for r in stored if evaluate(rule, r, CONTEXT)]
            assert selected == accepted, f"{kind} {operator.id}: {rule}"


def _bound(value: Any) -> Any:
    """``$user.id`` written as the policy binds it (a literal) before SQL."""
    return CONTEXT["user"]["id"] if value == {"var": "$user.id"} else value  # type: ignore[index]


def test_the_operators_select_something_and_not_everything(rows: sa.Engine) -> None:
    """The sample rows make each kind's operators tell rows apart (the test above is not
    vacuous): ``in_period`` of a month selects some rows of March and not the others."""
    month = {"field": "date", "unit": "month"}
    rule = fill(KIND_OPERATORS["date"][-3].template, month)
    assert [r["id"] for r in _rows() if evaluate(rule, r, CONTEXT)] == [1, 2]
    moments = fill(KIND_OPERATORS["datetime"][2].template, {"field": "datetime", "unit": "month"})
    assert [r["id"] for r in _rows() if evaluate(moments, r, CONTEXT)] == [1, 2, 5]
    last_week = fill(
        BUILDER_OPERATORS["within_last"].template, {**month, "amount": 7, "unit": "day"}
    )
    assert [r["id"] for r in _rows() if evaluate(last_week, r, CONTEXT)] == [1]
