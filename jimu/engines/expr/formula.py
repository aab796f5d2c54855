"""Formulas: the Excel-like syntax admins type (``IF(amount > 100000, "A", "B")``), parsed into
the JsonLogic IR, and written back from it. See docs/formulas.md.

``parse_formula(text)`` returns the IR or raises ``FormulaSyntaxError`` (an ``ExprError``) with
every problem found, each with its line, column and a message in English and Chinese.
``format_formula(rule)`` is its inverse: ``parse_formula(format_formula(r)) == r`` for every
``r`` that ``parse_formula`` returns.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark
from lark.exceptions import UnexpectedInput

from jimu.engines.expr.formula_diagnose import explain
from jimu.engines.expr.formula_errors import FormulaProblem, FormulaSyntaxError
from jimu.engines.expr.formula_format import format_formula
from jimu.engines.expr.formula_tree import ToIR

__all__ = ["FormulaProblem", "FormulaSyntaxError", "format_formula", "parse_formula"]

_GRAMMAR = Path(__file__).with_name("formula.lark")


@cache
def _parser() -> Lark:
    """The LALR parser, built once per process."""
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=False,
        maybe_placeholders=True,
    )


def parse_formula(text: str) -> Any:
    """The JsonLogic IR of the formula ``text`` (a leading ``=``, as in Excel, is allowed)."""
    text = _without_leading_equals(text)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise FormulaSyntaxError([explain(error, text)]) from None
    builder = ToIR()
    node = builder.transform(tree)
    if builder.problems:
        raise FormulaSyntaxError(builder.problems)
    return node.ir


def _without_leading_equals(text: str) -> str:
    """``=IF(…)`` → `` IF(…)``: a space keeps every column where the admin sees it."""
    stripped = text.lstrip()
    if stripped.startswith("=") and not stripped.startswith("=="):
        at = len(text) - len(stripped)
        return text[:at] + " " + text[at + 1 :]
    return text
