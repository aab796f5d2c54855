"""SQL renderings of reading data and of logic: ``var val preserve and or ! !! if ?: ?? coalesce
is_blank is_not_blank``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr.ops.sql_base import (
    FALSE,
    Expr,
    _common_kind,
    _exactly,
    _is_null,
    _listed,
)
from jimu.engines.expr.sql import SqlGen, SqlValue, bind, boolean


# -- data ---------------------------------------------------------------------------------------
def sql_var(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    if args.__class__ is list:
        path = args[0] if args else None
        if len(args) > 1:
            value = gen.field(path, f"{pointer}/0")
            default = gen.render(args[1], f"{pointer}/1")
            return sql_coalesce_values(gen, [value, default], pointer)
    else:
        path = args
    if path.__class__ is dict or path in (None, "", []):
        gen.refuse(pointer, "var needs a field name to have a SQL form")
    return gen.field(path, pointer)


def sql_val(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    keys = args if args.__class__ is list else [args]
    if not keys or not all(key.__class__ is str for key in keys) or keys[0].startswith("$"):
        gen.refuse(pointer, "val needs a field name to have a SQL form")
    if len(keys) == 1 and keys[0] in gen.columns:
        return gen.field(keys[0], pointer)
    return gen.field(".".join(keys), pointer)


def sql_preserve(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return bind(args)


def _connective(
    gen: SqlGen, args: Any, pointer: str, want_truth: bool, join: Callable[..., Expr]
) -> SqlValue:
    # As a condition only the operands' truth matters; as a value the result is an operand's
    # value, which SQL can only give when every operand is already a true/false condition.
    items = [
        gen.render(a, f"{pointer}/{i}", want_truth=want_truth)
        for i, a in enumerate(_listed(gen, args, pointer))
    ]
    if not items:
        return FALSE
    if not want_truth and not all(i.kind == "boolean" and not i.nullable for i in items):
        gen.refuse(
            pointer,
            "and/or of non-conditions yields one of its operands' values, "
            "which has no SQL form outside a condition",
        )
    truths = join(*(gen.truth(i) for i in items))
    # AND/OR keep "NULL only where false", so the WHERE form can join the bare conditions.
    return SqlValue(truths, "boolean", False, cond=join(*(gen.condition(i) for i in items)))


def sql_and(gen: SqlGen, args: Any, pointer: str, want_truth: bool = False) -> SqlValue:
    return _connective(gen, args, pointer, want_truth, sa.and_)


def sql_or(gen: SqlGen, args: Any, pointer: str, want_truth: bool = False) -> SqlValue:
    return _connective(gen, args, pointer, want_truth, sa.or_)


def _single(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    if args.__class__ is list:
        return gen.render(args[0], f"{pointer}/0", True) if args else bind(None)
    return gen.render(args, pointer, True)


def sql_not(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return SqlValue(sa.not_(gen.truth(_single(gen, args, pointer))), "boolean", False)


def sql_truthy(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return SqlValue(gen.truth(_single(gen, args, pointer)), "boolean", False)


def sql_if(gen: SqlGen, args: Any, pointer: str, want_truth: bool = False) -> SqlValue:
    items = _listed(gen, args, pointer)
    if not items:
        return bind(None)
    whens = []
    for i in range(0, len(items) - 1, 2):
        condition = gen.truth(gen.render(items[i], f"{pointer}/{i}", True))
        whens.append((condition, gen.render(items[i + 1], f"{pointer}/{i + 1}", want_truth)))
    if len(items) % 2:
        otherwise = gen.render(items[-1], f"{pointer}/{len(items) - 1}", want_truth)
    else:
        otherwise = bind(None)
    values = [v for _, v in whens] + [otherwise]
    if not whens:
        return SqlValue(gen.truth(otherwise), "boolean", False) if want_truth else otherwise
    if want_truth:
        expr = sa.case(*((c, gen.truth(v)) for c, v in whens), else_=gen.truth(otherwise))
        return SqlValue(expr, "boolean", False)
    kind = _common_kind(gen, values, pointer)
    if kind == "null":
        return bind(None)  # every branch is null
    expr = sa.case(*((c, v.expr) for c, v in whens), else_=otherwise.expr)
    return SqlValue(expr, kind, any(v.nullable for v in values), all(v.integer for v in values))


def sql_ternary(gen: SqlGen, args: Any, pointer: str, want_truth: bool = False) -> SqlValue:
    return sql_if(gen, _listed(gen, args, pointer)[:3], pointer, want_truth)


def sql_coalesce_values(gen: SqlGen, values: list[SqlValue], pointer: str) -> SqlValue:
    kind = _common_kind(gen, values, pointer)
    if not values or kind == "null":
        return bind(None)
    if len(values) == 1:
        return values[0]
    return SqlValue(
        sa.func.coalesce(*(v.expr for v in values)),
        kind,
        all(v.nullable for v in values),
        all(v.integer for v in values),
    )


def sql_coalesce(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return sql_coalesce_values(gen, gen.args(args, pointer), pointer)


def _blank(gen: SqlGen, value: SqlValue) -> Expr:
    if value.is_const:
        from jimu.engines.expr.ops.strings import is_blank

        return sa.true() if is_blank(value.const) else sa.false()
    if value.kind == "text":
        return sa.or_(_is_null(value), value.expr == "")
    return _is_null(value)


def sql_is_blank(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    (value,) = _exactly(gen, args, pointer, 1)
    return boolean(_blank(gen, value))


def sql_is_not_blank(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    (value,) = _exactly(gen, args, pointer, 1)
    return boolean(sa.not_(_blank(gen, value)))
