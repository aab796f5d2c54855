"""Python and SQL agree: random records × random conditions, evaluated in Python and run as SQL
(SQLite and PostgreSQL), must select exactly the same rows — NULLs and coercions included."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from expr_strategies import (
    COLUMNS,
    CONTEXT,
    METADATA,
    TABLE,
    any_rules,
    records,
    rules,
    values,
)
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from jimu.engines.expr import OPERATORS, ExprError, NoSql, compile, to_sql
from jimu.engines.expr.values import truthy

D, T = date(2025, 6, 15), datetime(2025, 6, 15, 10, 0)
# i, j, f, n, s, t, b, d, ts — nulls, zeros, empties, numeric text, dates around "today"
ROW_VALUES = [
    (None, None, None, None, None, None, None, None, None),
    (0, 0, 0.0, Decimal("0"), "", "", False, D, T),
    (1, -1, 2.5, Decimal("1.5"), "a", "华东", True, date(2025, 6, 1), datetime(2025, 6, 15, 9)),
    (5, 2, -1.5, Decimal("-2"), "1", "2.5", None, date(2024, 1, 1), datetime(2025, 6, 16, 11)),
    (-3, None, 0.5, None, "华东", "a", True, None, None),
    (2, 3, None, Decimal("2.5"), "hour", "day", False, date(2025, 7, 1), datetime(2024, 6, 15)),
]


def as_float(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def operators_in(rule: Any) -> set[str]:
    if isinstance(rule, dict):
        found = set(rule)
        for args in rule.values():
            found |= operators_in(args)
        return found
    if isinstance(rule, list):
        return set().union(*map(operators_in, rule)) if rule else set()
    return set()


def python_ids(rule: Any, rows: list[dict[str, Any]]) -> list[int]:
    evaluator = compile(rule)
    return sorted(row["id"] for row in rows if truthy(evaluator(row, CONTEXT)))


def sql_ids(conn: sa.Connection, rule: Any) -> list[int]:
    """The ids SQL selects, through the two-valued form and through the WHERE form, which must
    agree with each other (the WHERE form may be NULL where the two-valued one is false)."""
    selected = []
    for where in (False, True):
        condition = to_sql(rule, COLUMNS, CONTEXT, where=where)
        query = sa.select(TABLE.c.id).where(condition).order_by(TABLE.c.id)
        selected.append(list(conn.execute(query).scalars()))
    two_valued, where_form = selected
    assert where_form == two_valued, f"rule {rule}: WHERE form {where_form}, {two_valued}"
    return two_valued


def test_python_and_sql_select_the_same_rows(engine: sa.Engine) -> None:
    METADATA.create_all(engine)
    checked = {"rules": 0}

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(records, min_size=1, max_size=25), st.lists(rules, min_size=4, max_size=10))
    def agree(generated: list[dict[str, Any]], conditions: list[Any]) -> None:
        with engine.begin() as conn:
            conn.execute(TABLE.delete())
            conn.execute(TABLE.insert(), [{"id": i, **r} for i, r in enumerate(generated, 1)])
            # Evaluate Python on the rows as the database returns them (as the platform will).
            stored = [dict(row) for row in conn.execute(sa.select(TABLE)).mappings()]
            for rule in conditions:
                expected = python_ids(rule, stored)
                got = sql_ids(conn, rule)
                assert got == expected, (
                    f"rule {rule}: SQL selected {got}, Python {expected}; rows {stored}"
                )
                checked["rules"] += 1

    agree()
    assert checked["rules"] > 150


def test_python_and_sql_compute_the_same_values(engine: sa.Engine) -> None:
    """Numbers and texts computed in SQL (``as_condition=False``) equal Python's, row by row."""
    METADATA.create_all(engine)
    checked = {"values": 0}

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(records, min_size=1, max_size=15), st.lists(values, min_size=1, max_size=6))
    def agree(generated: list[dict[str, Any]], expressions: list[Any]) -> None:
        with engine.begin() as conn:
            conn.execute(TABLE.delete())
            conn.execute(TABLE.insert(), [{"id": i, **r} for i, r in enumerate(generated, 1)])
            rows = conn.execute(sa.select(TABLE).order_by(TABLE.c.id)).mappings()
            stored = [dict(row) for row in rows]
            for rule in expressions:
                evaluator = compile(rule)
                expected = [evaluator(row, CONTEXT) for row in stored]
                value = to_sql(rule, COLUMNS, CONTEXT, as_condition=False)
                query = sa.select(value).select_from(TABLE).order_by(TABLE.c.id)
                # A NUMERIC column's value comes back as a Decimal from SQL (exact) and may be
                # a float in Python (computed): compare them as numbers.
                got = [as_float(v) for v in conn.execute(query).scalars()]
                expected = [as_float(v) for v in expected]
                assert got == expected, f"rule {rule}: SQL {got}, Python {expected}; {stored}"
                checked["values"] += len(stored)

    agree()
    assert checked["values"] > 100


def test_any_rule_that_renders_agrees(engine: sa.Engine) -> None:
    """Rules made of any operators over any fields: where ``to_sql`` renders one (instead of
    refusing), it selects what Python accepts, and Python raises no error on the rows."""
    METADATA.create_all(engine)
    rows = [dict(zip(COLUMNS, values, strict=True)) for values in ROW_VALUES]
    with engine.begin() as conn:
        conn.execute(TABLE.insert(), [{"id": i, **r} for i, r in enumerate(rows, 1)])
        stored = [dict(r) for r in conn.execute(sa.select(TABLE).order_by(TABLE.c.id)).mappings()]
    with_sql = sorted(n for n, entry in OPERATORS.items() if not isinstance(entry.sql, NoSql))
    rendered = {"rules": 0}

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(any_rules(with_sql))
    def agree(rule: Any) -> None:
        try:
            to_sql(rule, COLUMNS, CONTEXT)
        except ExprError as refused:
            assert refused.error_type in ("No SQL Form", "Unknown Operator", "Invalid Arguments")
            return
        with engine.connect() as conn:
            assert sql_ids(conn, rule) == python_ids(rule, stored), f"rule {rule}"
        rendered["rules"] += 1

    agree()
    assert rendered["rules"] > 30


def test_the_generator_covers_every_operator_with_a_sql_form() -> None:
    with_sql = sorted(n for n, entry in OPERATORS.items() if not isinstance(entry.sql, NoSql))
    for name in with_sql:
        found = find(
            rules,
            lambda rule, name=name: name in operators_in(rule),
            settings=settings(database=None, max_examples=5000, phases=[Phase.generate]),
        )
        assert name in operators_in(found)
