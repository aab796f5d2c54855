"""Comparison: ``==``, ``!=``, ``===``, ``!==``, ``<``, ``<=``, ``>``, ``>=`` (Python side).

Every comparison chains over its arguments (``{"<": [1, x, 10]}`` is "x between 1 and 10")
and stops at the first pair that fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimu.engines.expr.codegen import Expr, Gen, const_expr
from jimu.engines.expr.errors import invalid
from jimu.engines.expr.values import ge, gt, le, loose_eq, lt, strict_eq


def loose_ne(a: Any, b: Any) -> bool:
    return not loose_eq(a, b)


def strict_ne(a: Any, b: Any) -> bool:
    return not strict_eq(a, b)


_PY_OP: dict[Callable[[Any, Any], bool], str] = {
    lt: "<",
    le: "<=",
    gt: ">",
    ge: ">=",
    loose_eq: "==",
    loose_ne: "!=",
}
_NUMS = (int, float)


def _pair(gen: Gen, fn: Callable[[Any, Any], bool], a: Expr, b: Expr) -> str:
    """``fn(a, b)``, with a fast path when one side is a literal number or text."""
    if a.is_const and b.is_const:
        folded = gen.call(fn, [a, b])
        if folded.is_const:
            return repr(folded.const)
    py_op = _PY_OP.get(fn)
    for value, literal, flipped in ((a, b, False), (b, a, True)):
        if py_op is None or not literal.is_const or value.is_const:
            continue
        const = literal.const
        left, right = (literal.code, "{x}") if flipped else ("{x}", literal.code)
        if const.__class__ in _NUMS:
            test = f"{{x}}.__class__ in {gen.name(_NUMS, 'nums')}"
        elif const.__class__ is str and fn in (loose_eq, loose_ne):
            test = "{x}.__class__ is str"
        else:
            continue
        first, again = gen.once(value)
        fast = f"{left} {py_op} {right}".format(x=again)
        slow_args = f"{literal.code}, {again}" if flipped else f"{again}, {literal.code}"
        return f"({fast} if {test.format(x=first)} else {gen.name(fn)}({slow_args}))"
    if fn is strict_eq and (a.is_const or b.is_const):
        literal = a if a.is_const else b
        if literal.const.__class__ is str:
            other = b if a.is_const else a
            return (
                f"({other.code} == {literal.code} and {other.code}.__class__ is str)"
                if (other.code.isidentifier())
                else f"{gen.name(fn)}({a.code}, {b.code})"
            )
    return f"{gen.name(fn)}({a.code}, {b.code})"


def _chain(fn: Callable[[Any, Any], bool]) -> Callable[[Gen, Any, str], Expr]:
    def render(gen: Gen, args: Any, pointer: str) -> Expr:
        if args.__class__ is not list or len(args) < 2:
            raise invalid("a comparison takes at least two arguments", pointer)
        items = [gen.compile(arg, f"{pointer}/{i}") for i, arg in enumerate(args)]
        if len(items) == 2:
            code = _pair(gen, fn, items[0], items[1])
        else:
            tests, previous = [], items[0]
            for item in items[1:-1]:
                first, again = gen.once(item)
                tests.append(_pair(gen, fn, previous, Expr(first, item.kind, item.const)))
                previous = Expr(again, item.kind, item.const)
            tests.append(_pair(gen, fn, previous, items[-1]))
            code = "(" + " and ".join(tests) + ")"
        if code in ("True", "False"):
            return const_expr(code == "True", gen)
        return Expr(code, "boolean")

    return render


py_eq = _chain(loose_eq)
py_ne = _chain(loose_ne)
py_strict_eq = _chain(strict_eq)
py_strict_ne = _chain(strict_ne)
py_lt = _chain(lt)
py_le = _chain(le)
py_gt = _chain(gt)
py_ge = _chain(ge)
