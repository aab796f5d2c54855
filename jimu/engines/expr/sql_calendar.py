"""Calendar arithmetic in SQL, spelled per dialect (``@compiles``): moving a date by whole
units, the start of its period, whole units between two dates, rounding numbers.

Each element mirrors ``dates.py`` exactly. Values are naive UTC: ``date`` columns, and
``timestamp`` columns (SQLite stores them as text ``YYYY-MM-DD HH:MM:SS.ffffff``, the format
SQLAlchemy writes; results are built in the same format so they compare correctly as text).
Months clamp to the month's last day (``2025-01-31`` plus one month is ``2025-02-28``), weeks
start on Monday. Amounts are whole-number literals, units literals checked by the renderer.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

MONTHS_PER = {"year": 12, "quarter": 3, "month": 1}
DAYS_PER = {"week": 7, "day": 1}
SECONDS_PER = {"hour": 3600, "minute": 60, "second": 1}
_SECONDS_PER_ANY = {"week": 604800, "day": 86400, **SECONDS_PER}
_SQLITE_MIDNIGHT = "' 00:00:00.000000'"


class _Calendar(FunctionElement[Any]):
    """A calendar operation on one value: ``unit``, ``amount`` and the value's ``kind``."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own convention
        *FunctionElement._traverse_internals,
        ("unit", InternalTraversal.dp_string),
        ("kind", InternalTraversal.dp_string),
        ("amount", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, value: ColumnElement[Any], unit: str, kind: str, amount: int = 0) -> None:
        self.unit, self.kind, self.amount = unit, kind, amount
        self.type = sa.DateTime() if kind == "datetime" else sa.Date()
        super().__init__(value)


class DateShift(_Calendar):
    """``value`` moved by ``amount`` ``unit``s (``dates.shift``)."""

    inherit_cache = True
    name = "date_shift"


class PeriodStart(_Calendar):
    """The start of the ``unit`` holding ``value`` (``dates.start_of``)."""

    inherit_cache = True
    name = "period_start"


class UnitsBetween(FunctionElement[int]):
    """Whole ``unit``s from the first value to the second, toward zero (``dates.difference``)."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "units_between"
    _traverse_internals = [  # noqa: RUF012
        *FunctionElement._traverse_internals,
        ("unit", InternalTraversal.dp_string),
        ("kind", InternalTraversal.dp_string),
    ]

    def __init__(
        self, first: ColumnElement[Any], second: ColumnElement[Any], unit: str, kind: str
    ) -> None:
        self.unit, self.kind = unit, kind
        super().__init__(first, second)


def _one(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f"({compiler.process(value, **kw)})"


# -- SQLite ------------------------------------------------------------------------------------
def _sqlite_add_months(value: str, months: str) -> str:
    """The date part of ``value`` plus ``months`` (an SQL integer), clamped to the month end."""
    first = f"date({value}, 'start of month', ({months}) || ' months')"
    last = f"date({first}, '+1 month', '-1 day')"
    day = f"date({first}, (CAST(strftime('%d', {value}) AS INTEGER) - 1) || ' days')"
    return f"min({day}, {last})"


def _sqlite_time_of(value: str, kind: str) -> str:
    """What follows the date in a stored value: `` HH:MM:SS.ffffff`` (nothing for a date)."""
    return f" || substr({value}, 11)" if kind == "datetime" else ""


def _sqlite_shift(value: str, unit: str, amount: int, kind: str) -> str:
    if unit in MONTHS_PER:
        return _sqlite_add_months(value, str(amount * MONTHS_PER[unit])) + _sqlite_time_of(
            value, kind
        )
    if unit in DAYS_PER:
        days = amount * DAYS_PER[unit]
        return f"date({value}, '{days:+d} days')" + _sqlite_time_of(value, kind)
    seconds = amount * SECONDS_PER[unit]
    moved = f"strftime('%Y-%m-%d %H:%M:%S', {value}, '{seconds:+d} seconds')"
    return f"({moved} || substr({value}, 20))"


@compiles(DateShift)
def _shift_default(element: DateShift, compiler: SQLCompiler, **kw: Any) -> str:
    value = _one(element, compiler, **kw)
    return f"({_sqlite_shift(value, element.unit, element.amount, element.kind)})"


def _sqlite_start_date(value: str, unit: str) -> str:
    if unit == "year":
        return f"date({value}, 'start of year')"
    if unit == "month":
        return f"date({value}, 'start of month')"
    if unit == "quarter":
        back = f"-((CAST(strftime('%m', {value}) AS INTEGER) - 1) % 3)"
        return f"date({value}, 'start of month', ({back}) || ' months')"
    if unit == "week":
        back = f"-((CAST(strftime('%w', {value}) AS INTEGER) + 6) % 7)"
        return f"date({value}, ({back}) || ' days')"
    return f"date({value})"


@compiles(PeriodStart)
def _start_default(element: PeriodStart, compiler: SQLCompiler, **kw: Any) -> str:
    value, unit = _one(element, compiler, **kw), element.unit
    if element.kind == "date":
        return _sqlite_start_date(value, unit) if unit not in SECONDS_PER else value
    if unit == "hour":
        return f"strftime('%Y-%m-%d %H:00:00.000000', {value})"
    if unit == "minute":
        return f"strftime('%Y-%m-%d %H:%M:00.000000', {value})"
    if unit == "second":
        return f"(strftime('%Y-%m-%d %H:%M:%S', {value}) || '.000000')"
    return f"({_sqlite_start_date(value, unit)} || {_SQLITE_MIDNIGHT})"


def _whole_months(first: str, second: str, shifted: str, months: str) -> str:
    """Calendar months from ``first`` to ``second``, less one where the last is not whole
    (``relativedelta``): ``shifted`` is ``first`` moved by ``months``."""
    return (
        f"({months} - CASE WHEN {second} >= {first} AND {second} < {shifted} THEN 1 "
        f"WHEN {second} < {first} AND {second} > {shifted} THEN -1 ELSE 0 END)"
    )


@compiles(UnitsBetween)
def _between_default(element: UnitsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (f"({compiler.process(c, **kw)})" for c in element.clauses)
    unit = element.unit

    def part(value: str, code: str) -> str:
        return f"CAST(strftime('{code}', {value}) AS INTEGER)"

    if unit in MONTHS_PER:
        months = (
            f"(({part(second, '%Y')} - {part(first, '%Y')}) * 12 "
            f"+ {part(second, '%m')} - {part(first, '%m')})"
        )
        shifted = _sqlite_add_months(first, months) + _sqlite_time_of(first, element.kind)
        whole = _whole_months(first, second, f"({shifted})", months)
        return f"({whole} / {MONTHS_PER[unit]})"
    if element.kind == "date":
        days = f"CAST(julianday({second}) - julianday({first}) AS INTEGER)"
        per_day = 86400 // _SECONDS_PER_ANY[unit] if unit in SECONDS_PER else 0
        return f"({days} * {per_day})" if per_day else f"({days} / {DAYS_PER[unit]})"
    micro = (
        f"(({part(second, '%s')} - {part(first, '%s')}) * 1000000 "
        f"+ CAST(substr({second}, 21, 6) AS INTEGER) - CAST(substr({first}, 21, 6) AS INTEGER))"
    )
    return f"({micro} / {_SECONDS_PER_ANY[unit] * 1000000})"


# -- PostgreSQL --------------------------------------------------------------------------------
def _pg_interval(unit: str, amount: int) -> str:
    if unit in MONTHS_PER:
        return f"INTERVAL '{amount * MONTHS_PER[unit]} months'"
    if unit in DAYS_PER:
        return f"INTERVAL '{amount * DAYS_PER[unit]} days'"
    return f"INTERVAL '{amount * SECONDS_PER[unit]} seconds'"


@compiles(DateShift, "postgresql")
def _shift_pg(element: DateShift, compiler: SQLCompiler, **kw: Any) -> str:
    value = _one(element, compiler, **kw)
    moved = f"({value} + {_pg_interval(element.unit, element.amount)})"
    return f"CAST({moved} AS DATE)" if element.kind == "date" else moved


@compiles(PeriodStart, "postgresql")
def _start_pg(element: PeriodStart, compiler: SQLCompiler, **kw: Any) -> str:
    value = _one(element, compiler, **kw)
    if element.kind == "date":
        if element.unit in SECONDS_PER:
            return value
        return f"CAST(date_trunc('{element.unit}', {value}) AS DATE)"
    return f"date_trunc('{element.unit}', {value})"


@compiles(UnitsBetween, "postgresql")
def _between_pg(element: UnitsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (f"({compiler.process(c, **kw)})" for c in element.clauses)
    unit = element.unit
    if unit in MONTHS_PER:
        months = (
            f"CAST((EXTRACT(YEAR FROM {second}) - EXTRACT(YEAR FROM {first})) * 12 "
            f"+ EXTRACT(MONTH FROM {second}) - EXTRACT(MONTH FROM {first}) AS BIGINT)"
        )
        shifted = f"({first} + make_interval(months => CAST({months} AS INTEGER)))"
        whole = _whole_months(first, second, shifted, months)
        return f"({whole} / {MONTHS_PER[unit]})"
    if element.kind == "date":
        days = f"CAST({second} - {first} AS BIGINT)"
        if unit in SECONDS_PER:
            return f"({days} * {86400 // SECONDS_PER[unit]})"
        return f"({days} / {DAYS_PER[unit]})"
    micro = f"CAST(EXTRACT(EPOCH FROM ({second} - {first})) * 1000000 AS BIGINT)"
    return f"({micro} / {_SECONDS_PER_ANY[unit] * 1000000})"


# -- rounding ----------------------------------------------------------------------------------
class Floor(FunctionElement[Any]):
    """The largest whole number not above a float: PostgreSQL's ``floor``; on SQLite (whose
    ``floor`` needs the optional math functions) from ``CAST(x AS INTEGER)``, which truncates.
    Floats beyond 2**52 are whole already."""

    type = sa.Float()
    inherit_cache = True
    name = "floor_of"


class Ceil(FunctionElement[Any]):
    type = sa.Float()
    inherit_cache = True
    name = "ceil_of"


_WHOLE = "4503599627370496.0"


@compiles(Floor)
def _floor_default(element: Floor, compiler: SQLCompiler, **kw: Any) -> str:
    x = _one(element, compiler, **kw)
    return (
        f"(CASE WHEN abs({x}) >= {_WHOLE} THEN {x} WHEN CAST({x} AS INTEGER) > {x} "
        f"THEN CAST({x} AS INTEGER) - 1 ELSE CAST({x} AS INTEGER) END)"
    )


@compiles(Ceil)
def _ceil_default(element: Ceil, compiler: SQLCompiler, **kw: Any) -> str:
    x = _one(element, compiler, **kw)
    return (
        f"(CASE WHEN abs({x}) >= {_WHOLE} THEN {x} WHEN CAST({x} AS INTEGER) < {x} "
        f"THEN CAST({x} AS INTEGER) + 1 ELSE CAST({x} AS INTEGER) END)"
    )


@compiles(Floor, "postgresql")
def _floor_pg(element: Floor, compiler: SQLCompiler, **kw: Any) -> str:
    return f"floor{_one(element, compiler, **kw)}"


@compiles(Ceil, "postgresql")
def _ceil_pg(element: Ceil, compiler: SQLCompiler, **kw: Any) -> str:
    return f"ceil{_one(element, compiler, **kw)}"
