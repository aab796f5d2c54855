"""Running totals and rolling windows over a chart's period dimension.

A measure ``{"running": {"of": "total"}}`` is the sum of ``total`` over the periods up to each
row's period; ``{"rolling": {"of": "total", "periods": 3, "agg": "avg"}}`` the sum or average
of ``total`` over the row's period and the ``periods - 1`` before it. Both are window functions
over the grouped values in the chart's one SELECT, ordered by a period number worked out from
the period key (months since year 0, days since an epoch…), with ``RANGE`` frames: a period
without rows is a gap, not a row, so "3 months" stays three calendar months. A second
dimension partitions the windows (one running total per series); the empty-date group gets no
window value and adds to none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

Expr = sa.ColumnElement[Any]

KINDS = ("running", "rolling")
ROLLING_AGGREGATES = ("sum", "avg")
MAX_PERIODS = 366


def window_properties() -> dict[str, dict[str, Any]]:
    """The JSON Schema of a measure's ``running`` and ``rolling`` keys."""
    of = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}
    return {
        "running": {
            "type": "object",
            "properties": {"of": of},
            "required": ["of"],
            "additionalProperties": False,
        },
        "rolling": {
            "type": "object",
            "properties": {
                "of": of,
                "periods": {"type": "integer", "minimum": 2, "maximum": MAX_PERIODS},
                "agg": {"enum": list(ROLLING_AGGREGATES)},
            },
            "required": ["of", "periods"],
            "additionalProperties": False,
        },
    }


def kind_of(spec: Mapping[str, Any]) -> str | None:
    for kind in KINDS:
        if kind in spec:
            return kind
    return None


def _int(value: Expr) -> Expr:
    return sa.cast(value, sa.Integer)


def _lit(number: int) -> Expr:
    return sa.literal_column(str(number))


def _part(key: Expr, start: int, length: int) -> Expr:
    return _int(sa.func.substr(key, _lit(start), _lit(length)))


def _day_number(key: Expr, dialect: str) -> Expr:
    day = sa.func.substr(key, _lit(1), _lit(10))
    if dialect == "postgresql":
        return sa.cast(day, sa.Date) - sa.cast(sa.literal_column("'2000-01-01'"), sa.Date)
    return _int(sa.func.julianday(day))


def period_number(key: Expr, grain: str, dialect: str) -> Expr:
    """Consecutive integers for consecutive periods of ``grain``, from the period's key text
    (``2025-06-01``, ``2025-06-15 09:00``)."""
    if grain == "year":
        return _part(key, 1, 4)
    month = _part(key, 1, 4) * _lit(12) + _part(key, 6, 2) - _lit(1)
    if grain == "month":
        return month
    if grain == "quarter":
        return sa.Grouping(month).op("/")(_lit(3))  # integer division on both databases
    day = _day_number(key, dialect)
    if grain == "week":
        return sa.Grouping(day).op("/")(_lit(7))
    if grain == "hour":
        return day * _lit(24) + _part(key, 12, 2)
    return day


def window_value(
    spec: Mapping[str, Any],
    of: Expr,
    period_key: Expr,
    grain: str,
    partition: list[Expr],
    dialect: str,
) -> Expr:
    """The running or rolling value of the measure ``of`` (an aggregate of the group)."""
    present = sa.case((period_key.is_not(None), of))
    number = period_number(period_key, grain, dialect)
    if "running" in spec:
        value: Expr = sa.func.sum(present).over(
            partition_by=partition or None, order_by=number, range_=(None, 0)
        )
    else:
        rolling = spec["rolling"]
        periods = int(rolling["periods"])
        how = str(rolling.get("agg", "sum"))
        function = sa.func.sum(present) if how == "sum" else sa.func.avg(sa.cast(present, sa.Float))
        value = function.over(
            partition_by=partition or None, order_by=number, range_=(-(periods - 1), 0)
        )
    return sa.type_coerce(sa.case((period_key.is_not(None), value)), sa.Float)
