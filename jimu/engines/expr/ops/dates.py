"""Dates: ``now today date datetime date_add date_diff start_of year month day weekday
within_last within_next`` (Python side). ``now``/``today`` come from the context (``$now``,
``$today``) and default to the current UTC time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jimu.engines.expr import dates
from jimu.engines.expr.codegen import Expr, Gen
from jimu.engines.expr.errors import invalid
from jimu.engines.expr.ops.data import now_of, read_context, today_of


def _context_read(name: str) -> Any:
    def render(gen: Gen, args: Any, pointer: str) -> Expr:
        if args not in (None, []):
            raise invalid(f"{name} takes no arguments", pointer)
        keys = (name,)
        return Expr(gen.read(("ctx", keys), f"{gen.name(read_context)}(ctx, {keys!r})"))

    return render


py_now = _context_read("now")
py_today = _context_read("today")


def year_of(value: Any) -> int | None:
    moment = dates.to_temporal(value)
    return None if moment is None else moment.year


def month_of(value: Any) -> int | None:
    moment = dates.to_temporal(value)
    return None if moment is None else moment.month


def day_of(value: Any) -> int | None:
    moment = dates.to_temporal(value)
    return None if moment is None else moment.day


def weekday_of(value: Any) -> int | None:
    """1 = Monday … 7 = Sunday."""
    moment = dates.to_temporal(value)
    return None if moment is None else moment.isoweekday()


def within_last(value: Any, amount: Any, unit: Any, ctx: Any) -> bool:
    return dates.within(value, amount, unit, now_of(ctx), today_of(ctx), past=True)


def within_next(value: Any, amount: Any, unit: Any, ctx: Any) -> bool:
    return dates.within(value, amount, unit, now_of(ctx), today_of(ctx), past=False)


def _within(fn: Any) -> Any:
    def render(gen: Gen, args: Any, pointer: str) -> Expr:
        items = gen.args(args, pointer)
        if len(items) != 3:
            raise invalid("takes [date, how many, unit]", pointer)
        if items[2].is_const:
            dates.check_unit(items[2].const)
        code = ", ".join(item.code for item in items)
        return Expr(f"{gen.name(fn)}({code}, ctx)", "boolean")

    return render


py_within_last = _within(within_last)
py_within_next = _within(within_next)

__all__ = ["date", "datetime"]
