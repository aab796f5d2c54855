"""Measures as SQL aggregates: on the base rows, on joined fields, on child entities (partial
aggregates per parent row, summed up so totals never double), ratios and formulas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError, parse_formula, to_sql

Expr = sa.ColumnElement[Any]

#: Aggregates of a linked field that count no linked record twice: the same whether a linked
#: record is reached once or many times (``count`` counts the chart's own records).
OVER_LINKS = frozenset({"count", "count_distinct", "min", "max"})
#: Child aggregates that can be re-aggregated exactly from per-parent partials.
DECOMPOSABLE = frozenset({"count", "sum", "avg", "min", "max"})


def as_float(value: Expr) -> Expr:
    return sa.cast(value, sa.Float)


def divide(numerator: Expr, denominator: Expr) -> Expr:
    """``numerator / denominator`` as a float, NULL where the denominator is 0 or NULL."""
    return sa.type_coerce(
        as_float(numerator) / sa.func.nullif(as_float(denominator), sa.literal_column("0")),
        sa.Float,
    )


def filtered(value: Expr | None, condition: Expr | None) -> Expr | None:
    """The value on the rows meeting ``condition``, NULL elsewhere (aggregates skip NULL)."""
    if condition is None:
        return value
    return sa.case((condition, value if value is not None else sa.literal_column("1")))


def aggregate(agg: str, value: Expr | None, dialect: str) -> Expr:
    """``agg`` over ``value`` (None: the rows themselves, for ``count``)."""
    if agg == "count":
        return sa.func.count() if value is None else sa.func.count(value)
    assert value is not None
    if agg == "count_distinct":
        return sa.func.count(sa.distinct(value))
    if agg == "sum":
        return sa.func.sum(value)
    if agg == "avg":
        return sa.func.avg(as_float(value), type_=sa.Float)
    if agg == "min":
        return sa.func.min(value)
    if agg == "max":
        return sa.func.max(value)
    if agg == "median":
        if dialect != "postgresql":
            raise ValueError("median needs PostgreSQL")
        median = sa.func.percentile_cont(sa.literal_column("0.5")).within_group(value)
        return sa.type_coerce(median, sa.Float)
    raise ValueError(f"unknown aggregate {agg!r}")


def child_partials(agg: str, value: Expr | None) -> list[Expr]:
    """The per-parent partial aggregates a child measure needs."""
    if agg == "count":
        return [sa.func.count() if value is None else sa.func.count(value)]
    assert value is not None
    if agg == "sum":
        return [sa.func.sum(value)]
    if agg == "avg":
        return [sa.func.sum(as_float(value), type_=sa.Float), sa.func.count(value)]
    if agg == "min":
        return [sa.func.min(value)]
    if agg == "max":
        return [sa.func.max(value)]
    raise ValueError(f"{agg} of a child cannot be split per parent")


def child_total(agg: str, partials: list[Expr]) -> Expr:
    """The chart's value from the partials of the parent rows of one group."""
    if agg == "count":
        return sa.func.coalesce(sa.func.sum(partials[0]), sa.literal_column("0"))
    if agg == "sum":
        return sa.func.sum(partials[0])
    if agg == "avg":
        return divide(sa.func.sum(partials[0]), sa.func.sum(partials[1]))
    if agg == "min":
        return sa.func.min(partials[0])
    return sa.func.max(partials[0])


def formula_rule(text: str) -> Any:
    """The IR of a formula measure (ExprError if its syntax is wrong)."""
    return parse_formula(text)


def render_formula(rule: Any, measures: Mapping[str, Expr]) -> Expr:
    """A formula over measure names as SQL. ``/`` divides as a ratio does (NULL for a zero
    divisor: a measure is 0 in some groups, which the expression language's ``/`` refuses)."""
    columns: dict[str, Expr] = {
        name: sa.type_coerce(value, sa.Float) for name, value in measures.items()
    }
    counter = [0]

    def lift(node: Any, pointer: str) -> Any:
        if isinstance(node, list):
            return [lift(item, f"{pointer}/{i}") for i, item in enumerate(node)]
        if not isinstance(node, dict) or len(node) != 1:
            return node
        ((op, args),) = node.items()
        if op != "/":
            return {op: lift(args, f"{pointer}/{op}")}
        items = args if isinstance(args, list) else [args]
        if len(items) != 2:
            raise ExprError("/ takes two arguments", pointer=f"{pointer}/~1")
        left, right = (
            to_sql(lift(item, f"{pointer}/~1/{i}"), columns, as_condition=False)
            for i, item in enumerate(items)
        )
        name = f"_q{counter[0]}"
        counter[0] += 1
        columns[name] = divide(left, right)
        return {"var": name}

    return to_sql(lift(rule, ""), columns, as_condition=False)
