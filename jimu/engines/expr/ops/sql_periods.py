"""SQL renderings of calendar arithmetic: ``date_add date_diff start_of`` (their Python twins
are ``dates.shift``, ``dates.difference`` and ``dates.start_of``).

The date (or both dates) must be of one kind, ``date`` or ``date-time``: a date field, a
date-time field, a literal, or such a value computed by these operators. Amounts and units
are literals. Literal-only calls are computed in Python.
"""

from __future__ import annotations

from typing import Any

from jimu.engines.expr import dates
from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.ops.sql_base import _exactly
from jimu.engines.expr.sql import SqlGen, SqlValue, bind
from jimu.engines.expr.sql_calendar import DateShift, PeriodStart, UnitsBetween

# Further than this from year 2000, a date leaves what Python's dates (years 1-9999) hold.
_REACH = {
    "year": 1000,
    "quarter": 4000,
    "month": 12000,
    "week": 52000,
    "day": 365000,
    "hour": 8760000,
    "minute": 525600000,
    "second": 31536000000,
}


def _unit(gen: SqlGen, value: SqlValue, pointer: str) -> str:
    if not value.is_const or value.const not in dates.UNITS:
        gen.refuse(pointer, f"the unit must be a literal: one of {', '.join(dates.UNITS)}")
    return str(value.const)


def _temporal(gen: SqlGen, value: SqlValue, pointer: str) -> SqlValue:
    """A date or date-time value; ISO text literals are read as Python reads them."""
    if value.is_const and value.const.__class__ is str:
        try:
            parsed = dates.to_temporal(value.const)
        except ExprError:  # Python fails on this text; SQL must not guess
            gen.refuse(pointer, f"{value.const!r} is not a date")
        return bind(parsed)
    if value.kind not in ("date", "datetime", "null"):
        gen.refuse(pointer, f"a {value.kind} is not a date")
    if value.kind == "datetime" and getattr(value.expr.type, "timezone", False):
        gen.refuse(pointer, "calendar arithmetic on a 'timestamp with time zone' column")
    return value


def _whole_amount(gen: SqlGen, value: SqlValue, unit: str, pointer: str) -> int | None:
    if value.is_const and value.const is None:
        return None
    if not value.is_const or value.const.__class__ not in (int, float):
        gen.refuse(pointer, "the amount must be a literal number")
    amount = int(value.const)
    if abs(amount) > _REACH[unit]:
        gen.refuse(pointer, f"{amount} {unit}s reaches beyond the years a date can hold")
    return amount


def sql_date_add(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    value, amount_arg, unit_arg = _exactly(gen, args, pointer, 3)
    unit = _unit(gen, unit_arg, pointer)
    moment = _temporal(gen, value, pointer)
    amount = _whole_amount(gen, amount_arg, unit, pointer)
    if moment.kind == "null" or amount is None:
        return bind(None)
    if moment.is_const:
        return bind(dates.shift(moment.const, amount, unit))
    if moment.kind == "date" and unit not in dates.CALENDAR_UNITS:
        gen.refuse(pointer, f"adding {unit}s to a date field: use a date-time field")
    shifted = DateShift(moment.expr, unit, moment.kind, amount)
    return SqlValue(shifted, moment.kind, moment.nullable)


def sql_start_of(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    value, unit_arg = _exactly(gen, args, pointer, 2)
    unit = _unit(gen, unit_arg, pointer)
    moment = _temporal(gen, value, pointer)
    if moment.kind == "null":
        return bind(None)
    if moment.is_const:
        return bind(dates.start_of(moment.const, unit))
    return SqlValue(PeriodStart(moment.expr, unit, moment.kind), moment.kind, moment.nullable)


def sql_date_diff(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    first_arg, second_arg, unit_arg = _exactly(gen, args, pointer, 3)
    unit = _unit(gen, unit_arg, pointer)
    first, second = _temporal(gen, first_arg, pointer), _temporal(gen, second_arg, pointer)
    if "null" in (first.kind, second.kind):
        return bind(None)
    if first.is_const and second.is_const:
        return bind(dates.difference(first.const, second.const, unit))
    if first.kind != second.kind:
        gen.refuse(pointer, "the difference between a date and a date-time: convert one first")
    between = UnitsBetween(first.expr, second.expr, unit, first.kind)
    return SqlValue(between, "number", first.nullable or second.nullable, True)
