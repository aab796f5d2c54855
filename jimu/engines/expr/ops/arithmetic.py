"""Arithmetic: ``+ - * / %``, ``min``/``max`` and the business number helpers
``round floor ceil abs sum avg`` (Python side).

Operands are coerced with ``to_number`` (null and false are 0, numeric text is its number);
anything else is error ``NaN``, as are division by zero and non-finite results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jimu.engines.expr.codegen import Expr, Gen
from jimu.engines.expr.errors import invalid, nan_error
from jimu.engines.expr.values import finite, to_number


def add(*values: Any) -> int | float:
    total: int | float = 0
    for value in values:
        total += to_number(value)
    return finite(total) if total.__class__ is float else total


def multiply(*values: Any) -> int | float:
    product: int | float = 1
    for value in values:
        product *= to_number(value)
    return finite(product) if product.__class__ is float else product


def subtract(*values: Any) -> int | float:
    if not values:
        raise invalid("- needs at least one argument")
    if len(values) == 1:
        return -to_number(values[0])
    result = to_number(values[0])
    for value in values[1:]:
        result -= to_number(value)
    return finite(result) if result.__class__ is float else result


def divide(*values: Any) -> int | float:
    if not values:
        raise invalid("/ needs at least one argument")
    numbers = [to_number(v) for v in values]
    if len(numbers) == 1:
        numbers.insert(0, 1)
    result: float = numbers[0]
    for divisor in numbers[1:]:
        if divisor == 0:
            raise nan_error("division by zero")
        result = result / divisor
    return finite(result)


def _fmod(a: int | float, b: int | float) -> int | float:
    if b == 0:
        raise nan_error("modulo by zero")
    if a.__class__ is int and b.__class__ is int:
        remainder = abs(a) % abs(b)
        return -remainder if a < 0 else remainder
    return finite(math.fmod(a, b))


def modulo(*values: Any) -> int | float:
    if len(values) < 2:
        raise invalid("% needs at least two arguments")
    result = to_number(values[0])
    for value in values[1:]:
        result = _fmod(result, to_number(value))
    return result


def maximum(*values: Any) -> int | float | None:
    return max((to_number(v) for v in values), default=None)


def minimum(*values: Any) -> int | float | None:
    return min((to_number(v) for v in values), default=None)


def total(*values: Any) -> int | float:
    """``sum``: nulls are skipped."""
    return add(*(v for v in values if v is not None))


def average(*values: Any) -> int | float | None:
    """``avg``: the mean of the values that are not null (null when there are none)."""
    present = [to_number(v) for v in values if v is not None]
    return finite(sum(present) / len(present)) if present else None


# Rounding stops where a float's decimal digits stop being exact: past the 15th significant
# digit (a spreadsheet's precision) or beyond 2**52 the number is returned as it is.
ROUNDING_LIMIT = 1e14
EXACT_LIMIT = 4503599627370496.0  # 2**52


def round_to(value: Any, digits: Any = 0) -> int | float | None:
    """Half away from zero on the number as written, as spreadsheets round (``round(2.5) = 3``,
    ``round(-2.5) = -3``, ``round(1.005, 2) = 1.01``). The SQL rendering computes the same."""
    if value is None:
        return None
    number = to_number(value)
    places = int(to_number(digits))
    size = abs(number)
    scaled = size * 10.0**places if places >= 0 else size / 10.0 ** (-places)
    if scaled >= ROUNDING_LIMIT or size >= EXACT_LIMIT:
        return int(number) if places <= 0 and number == int(number) else number
    exponent = Decimal(1).scaleb(-places)
    written = Decimal(repr(number))
    if written.as_tuple().exponent >= -places:  # type: ignore[operator]
        rounded = written
    else:
        rounded = written.quantize(exponent, rounding=ROUND_HALF_UP)
    return int(rounded) if places <= 0 else float(rounded)


def floor_of(value: Any) -> int | None:
    return None if value is None else math.floor(to_number(value))


def ceil_of(value: Any) -> int | None:
    return None if value is None else math.ceil(to_number(value))


def abs_of(value: Any) -> int | float | None:
    return None if value is None else abs(to_number(value))


def spread(fn: Callable[..., Any]) -> Callable[[Any], Any]:
    """The form used when an operator's argument is one expression: a list result is the
    argument list (``{"max": {"var": "scores"}}``)."""

    def apply(value: Any) -> Any:
        return fn(*value) if value.__class__ is list else fn(value)

    apply.__name__ = f"{fn.__name__}_spread"
    return apply


_SPREAD: dict[Callable[..., Any], Callable[[Any], Any]] = {}


def variadic(fn: Callable[..., Any], kind: str = "number") -> Callable[[Gen, Any, str], Expr]:
    """A renderer for an operator taking any number of arguments (or one list-valued one)."""
    spread_fn = _SPREAD.setdefault(fn, spread(fn))

    def render(gen: Gen, args: Any, pointer: str) -> Expr:
        if args.__class__ is list:
            return gen.call(fn, gen.args(args, pointer), kind)
        return gen.call(spread_fn, [gen.compile(args, pointer)], kind)

    return render


def fixed(
    fn: Callable[..., Any], low: int, high: int, kind: str = "any"
) -> Callable[[Gen, Any, str], Expr]:
    """A renderer for an operator with ``low``..``high`` arguments."""

    def render(gen: Gen, args: Any, pointer: str) -> Expr:
        items = gen.args(args, pointer)
        if not low <= len(items) <= high:
            count = str(low) if low == high else f"{low} to {high}"
            raise invalid(f"takes {count} argument(s), got {len(items)}", pointer)
        return gen.call(fn, items, kind)

    return render


def _binary_fast(fn: Callable[..., Any], symbol: str) -> Callable[[Gen, Any, str], Expr]:
    """Integer arithmetic with an integer literal is inlined (ints cannot overflow)."""
    slow = variadic(fn)

    def render(gen: Gen, args: Any, pointer: str) -> Expr:
        if args.__class__ is list and len(args) == 2:
            a, b = gen.args(args, pointer)
            if b.is_const and b.const.__class__ is int and not a.is_const:
                first, again = gen.once(a)
                return Expr(
                    f"({again} {symbol} {b.code} if {first}.__class__ is int "
                    f"else {gen.name(fn)}({again}, {b.code}))",
                    "number",
                )
        return slow(gen, args, pointer)

    return render


py_add = _binary_fast(add, "+")
py_multiply = _binary_fast(multiply, "*")
py_subtract = _binary_fast(subtract, "-")
py_divide = variadic(divide)
py_modulo = variadic(modulo)
py_max = variadic(maximum)
py_min = variadic(minimum)
py_sum = variadic(total)
py_avg = variadic(average)
py_round = fixed(round_to, 1, 2, "number")
py_floor = fixed(floor_of, 1, 1, "number")
py_ceil = fixed(ceil_of, 1, 1, "number")
py_abs = fixed(abs_of, 1, 1, "number")
