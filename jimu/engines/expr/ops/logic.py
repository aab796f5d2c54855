"""Logic and control: ``and``, ``or``, ``!``, ``!!``, ``if``/``?:``, ``??``/``coalesce``,
``throw``, ``try``, ``preserve`` (Python side)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimu.engines.expr.codegen import UNEXPECTED, Expr, Gen, as_expr_error, const_expr
from jimu.engines.expr.errors import ExprError, invalid
from jimu.engines.expr.values import truthy


def _listed(op: str, args: Any, pointer: str) -> list[Any]:
    if args.__class__ is not list:
        raise invalid(f"{op} takes a list of arguments", pointer)
    return list(args)


def _connective(gen: Gen, op: str, args: Any, pointer: str) -> Expr:
    items = [gen.compile(a, f"{pointer}/{i}") for i, a in enumerate(_listed(op, args, pointer))]
    if not items:
        return const_expr(False, gen)
    if all(item.kind == "boolean" for item in items):
        return Expr("(" + f" {op} ".join(item.code for item in items) + ")", "boolean")
    code = items[-1].code
    for item in reversed(items[:-1]):
        first, again = gen.once(item)
        test = gen.truth(Expr(first, item.kind, item.const))
        if op == "and":
            code = f"({again} if not {test} else {code})"
        else:
            code = f"({again} if {test} else {code})"
    return Expr(code)


def py_and(gen: Gen, args: Any, pointer: str) -> Expr:
    return _connective(gen, "and", args, pointer)


def py_or(gen: Gen, args: Any, pointer: str) -> Expr:
    return _connective(gen, "or", args, pointer)


def _single(gen: Gen, args: Any, pointer: str) -> Expr:
    if args.__class__ is list:
        return gen.compile(args[0], f"{pointer}/0") if args else const_expr(None, gen)
    return gen.compile(args, pointer)


def py_not(gen: Gen, args: Any, pointer: str) -> Expr:
    value = _single(gen, args, pointer)
    if value.is_const:
        return const_expr(not truthy(value.const), gen)
    return Expr(f"(not {gen.truth(value)})", "boolean")


def py_truthy(gen: Gen, args: Any, pointer: str) -> Expr:
    value = _single(gen, args, pointer)
    if value.is_const:
        return const_expr(truthy(value.const), gen)
    return Expr(gen.truth(value), "boolean")


def py_if(gen: Gen, args: Any, pointer: str) -> Expr:
    items = _listed("if", args, pointer)
    if not items:
        return const_expr(None, gen)
    pairs = []
    for i in range(0, len(items) - 1, 2):
        pairs.append((gen.compile(items[i], f"{pointer}/{i}"), items[i + 1], i + 1))
    if len(items) % 2:
        otherwise = gen.compile(items[-1], f"{pointer}/{len(items) - 1}")
    else:
        otherwise = const_expr(None, gen)
    code, kinds = otherwise.code, {otherwise.kind}
    for condition, branch_rule, index in reversed(pairs):
        branch = gen.compile(branch_rule, f"{pointer}/{index}")
        kinds.add(branch.kind)
        if condition.is_const:
            code = branch.code if truthy(condition.const) else code
            continue
        code = f"({branch.code} if {gen.truth(condition)} else {code})"
    return Expr(code, kinds.pop() if len(kinds) == 1 else "any")


def py_ternary(gen: Gen, args: Any, pointer: str) -> Expr:
    return py_if(gen, _listed("?:", args, pointer)[:3], pointer)


def py_coalesce(gen: Gen, args: Any, pointer: str) -> Expr:
    items = gen.args(args, pointer) if args.__class__ is list else [gen.compile(args, pointer)]
    if not items:
        return const_expr(None, gen)
    code = items[-1].code
    for item in reversed(items[:-1]):
        if item.is_const:
            code = item.code if item.const is not None else code
            continue
        first, again = gen.once(item)
        code = f"({again} if {first} is not None else {code})"
    return Expr(code)


def throw(value: Any) -> Any:
    if value.__class__ is dict and "type" in value:
        raise ExprError(f"error {value['type']!r}", error_type=str(value["type"]), value=value)
    raise ExprError(f"error {value!r}", error_type=str(value), value={"type": value})


def py_throw(gen: Gen, args: Any, pointer: str) -> Expr:
    return gen.call(throw, [_single(gen, args, pointer)], fold=False)


def attempt(
    first: Callable[[], Any],
    handlers: list[Callable[[Any, Any, tuple[Any, ...]], Any]],
    data: Any,
    ctx: Any,
    parents: tuple[Any, ...],
) -> Any:
    """``try``: the first argument's value, or each handler in turn on the previous error,
    with the error (``{"type": ...}``) as its data."""
    try:
        return first()
    except (ExprError, *UNEXPECTED) as error:
        failure = as_expr_error(error)
    for handler in handlers:
        try:
            return handler(failure.value, ctx, (*parents, data, failure.value))
        except (ExprError, *UNEXPECTED) as error:
            failure = as_expr_error(error)
    raise failure


def py_try(gen: Gen, args: Any, pointer: str) -> Expr:
    if args.__class__ is not list:
        return gen.compile(args, pointer)
    if not args:
        return const_expr(None, gen)
    first = gen.compile(args[0], f"{pointer}/0")
    handlers = [gen.nested(rule, f"{pointer}/{i + 1}") for i, rule in enumerate(args[1:])]
    return Expr(
        f"{gen.name(attempt)}({gen.thunk(first)}, [{', '.join(handlers)}], data, ctx, parents)"
    )


def py_preserve(gen: Gen, args: Any, pointer: str) -> Expr:
    return const_expr(args, gen)
