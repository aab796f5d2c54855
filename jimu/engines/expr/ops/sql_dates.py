"""SQL renderings of dates: ``now today date year month day weekday within_last within_next``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import dates
from jimu.engines.expr.ops.sql_base import (
    _as_column_time,
    _exactly,
    _not_null,
)
from jimu.engines.expr.sql import SqlGen, SqlValue, bind, boolean
from jimu.engines.expr.sql_functions import (
    DatePart,
)


# -- dates --------------------------------------------------------------------------------------
def sql_now(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    if args not in (None, []):
        gen.refuse(pointer, "now takes no arguments")
    return bind(gen.now)


def sql_today(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    if args not in (None, []):
        gen.refuse(pointer, "today takes no arguments")
    return bind(gen.today)


def sql_date(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    (value,) = _exactly(gen, args, pointer, 1)
    if value.kind == "date":
        return value
    if value.is_const:
        return bind(dates.to_date(value.const))
    gen.refuse(pointer, f"converting a {value.kind} to a date has no portable SQL form")


def _date_part(part: str) -> Callable[[SqlGen, Any, str], SqlValue]:
    def render(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
        (value,) = _exactly(gen, args, pointer, 1)
        if value.is_const and value.kind in ("date", "datetime", "null", "text"):
            from jimu.engines.expr.errors import ExprError
            from jimu.engines.expr.ops import dates as python_dates

            try:
                return bind(getattr(python_dates, f"{part}_of")(value.const))
            except ExprError:
                gen.refuse(pointer, f"{value.const!r} is not a date")
        if value.kind not in ("date", "datetime") or value.is_const:
            gen.refuse(pointer, f"{part} needs a date")
        return SqlValue(DatePart(part, value.expr), "number", value.nullable, True)

    return render


sql_year = _date_part("year")
sql_month = _date_part("month")
sql_day = _date_part("day")
sql_weekday = _date_part("weekday")


def _within(past: bool) -> Callable[[SqlGen, Any, str], SqlValue]:
    def render(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
        value, amount, unit = _exactly(gen, args, pointer, 3)
        if value.kind not in ("date", "datetime") or value.is_const:
            gen.refuse(pointer, "needs a date field")
        if not (amount.is_const and unit.is_const) or amount.const.__class__ not in (int, float):
            gen.refuse(pointer, "the amount and the unit must be literals")
        anchor: date = gen.now if value.kind == "datetime" else gen.today
        other = dates.shift(anchor, -amount.const if past else amount.const, unit.const)
        assert other is not None
        if value.kind == "date" and isinstance(other, datetime):
            other = other.date()
        if value.kind == "datetime" and not isinstance(other, datetime):
            other = dates.to_datetime(other)
        assert other is not None
        low, high = (other, anchor) if past else (anchor, other)
        low_bound = _as_column_time(bind(low), value).expr
        high_bound = _as_column_time(bind(high), value).expr
        expr = sa.and_(value.expr >= low_bound, value.expr <= high_bound)
        return boolean(sa.and_(_not_null(value), expr))

    return render


sql_within_last = _within(True)
sql_within_next = _within(False)
