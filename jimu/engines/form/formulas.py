"""Formulas of fields (``formula`` fields and ``default_formula``) through the expr engine.

A formula is parsed once per field into the expression engine's IR (JsonLogic) and compiled to
a Python function of the record (a dict of stored values by field name). Exact decimals are
handed to the engine as numbers (floats); a ``decimal`` result is rounded to the field's scale
by the write path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from jimu.engines.expr import ExprError
from jimu.engines.expr import compile as compile_rule
from jimu.engines.expr.formula import parse_formula

Evaluator = Callable[[Mapping[str, Any]], Any]


def formula_problem(text: str) -> str | None:
    """Why ``text`` is not a valid formula, or None."""
    try:
        compile_rule(parse_formula(text))
    except ExprError as exc:
        return exc.message
    return None


def _plain(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in record.items()}


def compile_formula(text: str) -> Evaluator:
    """A function of the record computing the formula (raises ExprError on bad input data)."""
    function = compile_rule(parse_formula(text))

    def evaluate(record: Mapping[str, Any]) -> Any:
        return function(_plain(record))

    return evaluate


def variables(rule: Any) -> set[str]:
    """The field names a compiled formula's IR reads (``{"var": "amount"}``)."""
    found: set[str] = set()
    if isinstance(rule, dict):
        for op, args in rule.items():
            if op == "var":
                name = args[0] if isinstance(args, list) and args else args
                if isinstance(name, str) and name:
                    found.add(name.split(".")[0])
            else:
                found |= variables(args)
    elif isinstance(rule, list):
        for item in rule:
            found |= variables(item)
    return found
