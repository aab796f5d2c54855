"""SQL renderings of arithmetic: ``+ - * / % max min sum abs``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr.ops.sql_base import (
    Expr,
    _as_number,
    _decimal_as_float,
    _number,
    _numeric,
)
from jimu.engines.expr.sql import SqlGen, SqlValue, bind
from jimu.engines.expr.sql_functions import (
    Greatest,
    Least,
)


# -- arithmetic ---------------------------------------------------------------------------------
def _numbers(gen: SqlGen, args: Any, pointer: str) -> list[SqlValue]:
    if args.__class__ is not list:
        args = [args]
    items = gen.args(args, pointer)
    for item in items:
        if not (_numeric(item) or item.kind == "null"):
            gen.refuse(
                pointer,
                f"arithmetic on a {item.kind} has no faithful SQL form "
                "(Python converts text to numbers and fails on other text)",
            )
    return items


def _all_int(items: list[SqlValue]) -> bool:
    return all(i.integer or i.kind in ("boolean", "null") for i in items)


def _fold(
    gen: SqlGen, args: Any, pointer: str, combine: Callable[[Expr, Expr], Expr], empty: int
) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if not items:
        return bind(empty)
    expr = _as_number(items[0])
    for item in items[1:]:
        expr = combine(expr, _as_number(item))
    return _number(expr, _all_int(items))


def sql_add(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _fold(gen, args, pointer, lambda a, b: a + b, 0)


def sql_multiply(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _fold(gen, args, pointer, lambda a, b: a * b, 1)


def sql_subtract(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if not items:
        gen.refuse(pointer, "- needs at least one argument")
    if len(items) == 1:
        return _number(-_as_number(items[0]), _all_int(items))
    return _fold(gen, args, pointer, lambda a, b: a - b, 0)


def _nonzero_divisors(gen: SqlGen, items: list[SqlValue], pointer: str) -> None:
    from jimu.engines.expr.values import to_number

    for item in items:
        if not item.is_const or to_number(item.const) == 0:
            gen.refuse(
                pointer,
                "division by a field (which may be 0, an error in Python) has "
                "no faithful SQL form; divide by a non-zero number",
            )


def sql_divide(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if len(items) < 2:
        gen.refuse(pointer, "/ needs a dividend and a divisor in SQL")
    _nonzero_divisors(gen, items[1:], pointer)
    expr: Expr = sa.cast(_as_number(items[0]), sa.Float)
    for item in items[1:]:
        expr = expr / sa.cast(_as_number(item), sa.Float)
    return _number(expr, False)


def sql_modulo(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if len(items) < 2:
        gen.refuse(pointer, "% needs at least two arguments")
    if not _all_int(items):
        gen.refuse(pointer, "% of non-integers differs between SQLite and PostgreSQL")
    _nonzero_divisors(gen, items[1:], pointer)
    expr = _as_number(items[0])
    for item in items[1:]:
        expr = expr % _as_number(item)
    return _number(expr, True)


def _extreme(gen: SqlGen, args: Any, pointer: str, fn: type[Greatest] | type[Least]) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if not items:
        return bind(None)
    if len(items) == 1:
        return _number(_as_number(items[0]), _all_int(items))
    return _number(fn(*(_as_number(i) for i in items)), _all_int(items))


def sql_max(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _extreme(gen, args, pointer, Greatest)


def sql_min(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _extreme(gen, args, pointer, Least)


def sql_abs(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    numbers = _numbers(gen, args, pointer)
    if len(numbers) != 1:
        gen.refuse(pointer, "abs takes one argument")
    (value,) = numbers
    if value.kind == "text":
        gen.refuse(pointer, "abs of text")
    expr = value.expr
    expr = sa.cast(expr, sa.Integer) if value.kind == "boolean" else _decimal_as_float(expr)
    return SqlValue(sa.func.abs(expr), "number", value.nullable, value.integer)
