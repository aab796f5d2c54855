"""``format_formula(rule)``: the JsonLogic IR written in the formula syntax, with the fewest
parentheses that keep its meaning (so the builder can show any condition as a formula)."""

from __future__ import annotations

import math
import re
from typing import Any

from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.formula_functions import PREFERRED

_NAME = re.compile(r"[^\W\d]\w*(?:\.\w+)*")
_CONTEXT = re.compile(r"\$[^\W\d]\w*(?:\.\w+)*")
_KEYWORDS = frozenset({"TRUE", "FALSE", "NULL"})
_COMPARE_SYMBOLS = {
    "==": "=",
    "!=": "<>",
    "===": "===",
    "!==": "!==",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
_SAME_AS = {"??": "coalesce", "?:": "if"}

# Binding strength, loosest first; atoms (literals, names, calls) bind tightest.
COMPARE, CONCAT, ADD, MULTIPLY, UNARY, ATOM = 3, 4, 5, 6, 7, 8
_N_ARY = {"+": (" + ", ADD), "*": (" * ", MULTIPLY), "cat": (" & ", CONCAT)}
_BINARY = {"-": (" - ", ADD), "/": (" / ", MULTIPLY), "%": (" % ", MULTIPLY)}


def format_formula(rule: Any) -> str:
    """``rule`` written as a formula; raises ``ExprError`` for a value no formula can express."""
    return _format(rule)[0]


def _unwritable(what: str) -> ExprError:
    return ExprError(f"{what} cannot be written as a formula", error_type="Invalid Arguments")


def _format(rule: Any) -> tuple[str, int]:
    if isinstance(rule, dict):
        if len(rule) != 1:
            raise _unwritable("an object that is not an operator call")
        op, raw = next(iter(rule.items()))
        if op == "var":
            return _var(raw), ATOM
        args = raw if isinstance(raw, list) else [raw]
        return _operator(op, args)
    if isinstance(rule, list):
        return "[" + ", ".join(_format(item)[0] for item in rule) + "]", ATOM
    return _literal(rule)


def _literal(value: Any) -> tuple[str, int]:
    if value is None:
        return "NULL", ATOM
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), ATOM
    if isinstance(value, int):
        return str(value), (UNARY if value < 0 else ATOM)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _unwritable(f"the number {value}")
        negative = value < 0 or (value == 0 and math.copysign(1.0, value) < 0)
        return repr(value), (UNARY if negative else ATOM)
    if isinstance(value, str):
        return quote(value), ATOM
    raise _unwritable(f"the value {value!r}")


def quote(text: str) -> str:
    """``text`` as a double-quoted literal with backslash escapes."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def field_reference(name: str) -> str:
    """How the field ``name`` is written: bare, ``$context``, ``{in braces}`` or ``VAR("…")``."""
    if _CONTEXT.fullmatch(name):
        return name
    if _NAME.fullmatch(name) and name.upper() not in _KEYWORDS:
        return name
    if name and name == name.strip() and "\n" not in name and "\r" not in name:
        return "{" + re.sub(r"([{}\\])", r"\\\1", name) + "}"
    return f"VAR({quote(name)})"


def _var(raw: Any) -> str:
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, str) and raw:
        return field_reference(raw)
    args = raw if isinstance(raw, list) else [raw]
    return "VAR(" + ", ".join(_format(arg)[0] for arg in args) + ")"


def _wrap(rule: Any, weakest: int) -> str:
    """``rule`` formatted, in parentheses if it binds looser than ``weakest``."""
    text, strength = _format(rule)
    return text if strength >= weakest else f"({text})"


def _operator(op: str, args: list[Any]) -> tuple[str, int]:
    if op in _COMPARE_SYMBOLS:
        return _comparison(op, args)
    if op in _N_ARY and len(args) >= 2:
        joiner, strength = _N_ARY[op]
        first = _wrap(args[0], strength + (1 if _same_op(args[0], op) else 0))
        return joiner.join([first, *(_wrap(arg, strength + 1) for arg in args[1:])]), strength
    if op in _BINARY and len(args) == 2:
        joiner, strength = _BINARY[op]
        return f"{_wrap(args[0], strength)}{joiner}{_wrap(args[1], strength + 1)}", strength
    if op in ("-", "+") and len(args) == 1:
        return op + _wrap(args[0], UNARY), UNARY
    op = _SAME_AS.get(op, op)
    if op == "if":
        return _if(args)
    return _call(op, args), ATOM


def _same_op(rule: Any, op: str) -> bool:
    return isinstance(rule, dict) and len(rule) == 1 and op in rule


def _comparison(op: str, args: list[Any]) -> tuple[str, int]:
    symbol = f" {_COMPARE_SYMBOLS[op]} "
    if len(args) == 2 or (len(args) == 3 and op in ("<", "<=")):
        return symbol.join(_wrap(arg, COMPARE + 1) for arg in args), COMPARE
    raise _unwritable(f"'{op}' with {len(args)} values")


def _if(args: list[Any]) -> tuple[str, int]:
    if not args:
        return "NULL", ATOM
    if len(args) == 1:
        return _format(args[0])
    otherwise = None if len(args) == 2 else args[2] if len(args) == 3 else {"if": args[2:]}
    return _call("if", [args[0], args[1], otherwise]), ATOM


def _call(op: str, args: list[Any]) -> str:
    function = PREFERRED.get(op)
    if function is None:
        raise _unwritable(f"the operator '{op}'")
    if function.from_ir is not None:
        args = function.from_ir(args)
    return f"{function.name}(" + ", ".join(_format(arg)[0] for arg in args) + ")"
