"""The functions of the formula syntax: surface name → operator of the IR, with arity.

Every operator of the table whose name is a plain word (``starts_with``, ``date_diff``) is also
callable under its own name in upper case (``STARTS_WITH``); the entries of ``_ALIASES`` add the
Excel-like names (``DATEDIF``, ``MID`` …) and, where the surface differs from the IR, the
conversions both ways (``MID`` counts from 1, ``substr`` from 0). The first alias listed for an
operator is the name ``format_formula`` writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jimu.engines.expr.dates import UNITS
from jimu.engines.expr.operators import OPERATORS

ArgsMap = Callable[[list[Any]], list[Any]]


class BadArgument(Exception):
    """Raised by a function's ``to_ir`` for argument ``index``, with a message in both languages."""

    def __init__(self, index: int, en: str, zh: str) -> None:
        super().__init__(en)
        self.index = index
        self.en = en
        self.zh = zh


@dataclass(frozen=True)
class FormulaFunction:
    name: str
    op: str
    min_args: int
    max_args: int | None
    to_ir: ArgsMap | None = None
    from_ir: ArgsMap | None = None

    def arity_text(self) -> tuple[str, str]:
        """How many values it needs: "needs 3 values" / "需要 3 个值", "needs at least 1 value"
        / "至少需要 1 个值", "needs 1 to 2 values" / "需要 1 到 2 个值"."""
        low, high = self.min_args, self.max_args
        if high is None:
            return f"needs at least {_values(low)}", f"至少需要 {low} 个值"
        if low == high:
            return f"needs {_values(low)}", f"需要 {low} 个值"
        return f"needs {low} to {_values(high)}", f"需要 {low} 到 {high} 个值"


def _values(count: int) -> str:
    return f"{count} value" if count == 1 else f"{count} values"


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- units ------------------------------------------------------------------------------------

SHORT_UNITS: Mapping[str, str] = {
    "y": "year",
    "q": "quarter",
    "m": "month",
    "w": "week",
    "d": "day",
    "h": "hour",
    "n": "minute",
    "s": "second",
}
_LONG_TO_SHORT = {"year": "y", "month": "m", "day": "d", "hour": "h"}


def _unit_to_ir(position: int, function: str) -> ArgsMap:
    def convert(args: list[Any]) -> list[Any]:
        unit = args[position] if len(args) > position else None
        if not isinstance(unit, str):
            return args
        key = unit.strip().lower()
        name = SHORT_UNITS.get(key, key.rstrip("s") if key.rstrip("s") in UNITS else key)
        if name not in UNITS:
            raise BadArgument(
                position,
                f'{function} does not know the unit "{unit}"; use "d" (days), "m" (months), '
                f'"y" (years), "h" (hours) or one of {", ".join(UNITS)}',
                f'{function} 不认识单位 "{unit}"，请使用 "d"（天）、"m"（月）、"y"（年）、'
                f'"h"（小时）或 {"、".join(UNITS)} 之一',
            )
        return [*args[:position], name, *args[position + 1 :]]

    return convert


def _diff_from_ir(args: list[Any]) -> list[Any]:
    if len(args) == 3 and isinstance(args[2], str) and args[2] in _LONG_TO_SHORT:
        return [args[0], args[1], _LONG_TO_SHORT[args[2]]]
    return args


# -- positions counted from 1 on the surface, from 0 in the IR -------------------------------


def _start_to_ir(args: list[Any]) -> list[Any]:
    if len(args) < 2:
        return args
    start = args[1]
    if isinstance(start, int) and not isinstance(start, bool):
        return [args[0], start - 1, *args[2:]]
    return [args[0], {"-": [start, 1]}, *args[2:]]


def start_from_ir(args: list[Any]) -> list[Any]:
    """``substr``'s arguments with the start counted from 1 (as MID and sentences show it)."""
    if len(args) < 2:
        return args
    start = args[1]
    if isinstance(start, int) and not isinstance(start, bool):
        return [args[0], start + 1, *args[2:]]
    if isinstance(start, dict) and list(start) == ["-"]:
        operands = start["-"]
        if isinstance(operands, list) and len(operands) == 2 and operands[1] == 1:
            return [args[0], operands[0], *args[2:]]
    return [args[0], {"+": [start, 1]}, *args[2:]]


def _default_count(args: list[Any]) -> list[Any]:
    return args if len(args) == 2 else [*args, 1]


@dataclass(frozen=True)
class _Alias:
    name: str
    op: str
    arity: tuple[int, int | None] | None = None
    to_ir: ArgsMap | None = None
    from_ir: ArgsMap | None = None


_ALIASES: Sequence[_Alias] = (
    _Alias("IF", "if", (3, 3)),
    _Alias("AND", "and", (1, None)),
    _Alias("OR", "or", (1, None)),
    _Alias("NOT", "!", (1, 1)),
    _Alias("TRUTHY", "!!", (1, 1)),
    _Alias("ROUND", "round"),
    _Alias("FLOOR", "floor"),
    _Alias("CEILING", "ceil"),
    _Alias("ABS", "abs"),
    _Alias("MIN", "min", (1, None)),
    _Alias("MAX", "max", (1, None)),
    _Alias("SUM", "sum", (1, None)),
    _Alias("AVERAGE", "avg", (1, None)),
    _Alias("MOD", "%", (2, 2)),
    _Alias("CONCAT", "cat"),
    _Alias("TODAY", "today"),
    _Alias("NOW", "now"),
    _Alias("DATEDIF", "date_diff", None, None, _diff_from_ir),
    _Alias("DATEADD", "date_add"),
    _Alias("STARTOF", "start_of"),
    _Alias("WITHINLAST", "within_last"),
    _Alias("WITHINNEXT", "within_next"),
    _Alias("LEN", "length"),
    _Alias("LEFT", "left", (1, 2), _default_count),
    _Alias("RIGHT", "right", (1, 2), _default_count),
    _Alias("MID", "substr", None, _start_to_ir, start_from_ir),
    _Alias("SUBSTR", "substr", None, _start_to_ir, start_from_ir),
    _Alias("CONTAINS", "contains"),
    _Alias("NOTCONTAINS", "not_contains"),
    _Alias("STARTSWITH", "starts_with"),
    _Alias("ENDSWITH", "ends_with"),
    _Alias("REGEX", "matches"),
    _Alias("REPLACE", "replace"),
    _Alias("SUBSTITUTE", "replace"),
    _Alias("ISBLANK", "is_blank"),
    _Alias("ISNOTBLANK", "is_not_blank"),
    _Alias("COALESCE", "coalesce", (1, None)),
    _Alias("IFNULL", "coalesce", (2, 2)),
    _Alias("IN", "in_list"),
    _Alias("NOTIN", "not_in_list"),
    _Alias("ANYIN", "any_in"),
    _Alias("ISIN", "in"),
)

_WORD = re.compile(r"^[a-z_][a-z0-9_]*$")
# Where the unit argument of a date operator is: "d", "m", "days" … become "day", "month" …
_UNIT_POSITION = {"date_diff": 2, "date_add": 2, "start_of": 1, "within_last": 2, "within_next": 2}


def _to_ir(name: str, op: str, given: ArgsMap | None) -> ArgsMap | None:
    if given is None and op in _UNIT_POSITION:
        return _unit_to_ir(_UNIT_POSITION[op], name)
    return given


def _build() -> tuple[dict[str, FormulaFunction], dict[str, FormulaFunction]]:
    by_name: dict[str, FormulaFunction] = {}
    preferred: dict[str, FormulaFunction] = {}
    for alias in _ALIASES:
        signature = OPERATORS[alias.op].signature
        low, high = alias.arity or (signature.min_args, signature.max_args)
        to_ir = _to_ir(alias.name, alias.op, alias.to_ir)
        function = FormulaFunction(alias.name, alias.op, low, high, to_ir, alias.from_ir)
        by_name[alias.name] = function
        preferred.setdefault(alias.op, function)
    for op, entry in OPERATORS.items():
        name = op.upper()
        if _WORD.match(op) and name not in by_name:
            signature = entry.signature
            to_ir = _to_ir(name, op, None)
            function = FormulaFunction(name, op, signature.min_args, signature.max_args, to_ir)
            by_name[name] = function
            preferred.setdefault(op, function)
    return by_name, preferred


FUNCTIONS, PREFERRED = _build()
"""``FUNCTIONS``: upper-case surface name → function; ``PREFERRED``: IR operator → the function
``format_formula`` writes it as."""
