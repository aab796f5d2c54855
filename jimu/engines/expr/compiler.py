"""``compile(rule)`` and ``evaluate(rule, data)``: JsonLogic to a Python function, built once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimu.engines.expr.codegen import build
from jimu.engines.expr.operators import python_renderer

Evaluator = Callable[..., Any]


def compile(rule: Any) -> Evaluator:
    """A function ``f(data, context=None)`` evaluating ``rule``.

    ``data`` is the record (a dict, nested dicts and lists allowed); ``context`` supplies the
    ``$``-vars (``$user``, ``$now``, ``$today`` …). Raises ``ExprError`` for a rule that cannot
    be compiled; the function raises ``ExprError`` for errors at run time (``NaN``, ``throw``).
    """
    fn, _ = build(rule, python_renderer)
    return fn


def source_of(rule: Any) -> str:
    """The Python source generated for ``rule`` (for debugging and the docs)."""
    return build(rule, python_renderer)[1]


def evaluate(rule: Any, data: Any = None, context: Any = None) -> Any:
    """Compile ``rule`` and evaluate it once on ``data``."""
    return compile(rule)(data, context)
