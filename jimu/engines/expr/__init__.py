"""The expression language: one IR (JsonLogic) for conditions and formulas.

``compile(rule)`` builds a Python function once; ``evaluate(rule, data)`` runs a rule once;
``to_sql(rule, columns)`` renders it as a SQLAlchemy expression that selects exactly the rows
the Python evaluation accepts. ``parse_formula``/``format_formula`` read and write the
Excel-like formula syntax, ``describe`` writes a rule as a sentence, ``check``/``infer_type``
are the static checks for the builder. ``OPERATORS`` is the one table of operators. See
docs/expr.md and docs/formulas.md.
"""

from jimu.engines.expr.check import check, infer_type
from jimu.engines.expr.compiler import compile, evaluate, source_of
from jimu.engines.expr.describe import describe, describe_value
from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.formula import (
    FormulaProblem,
    FormulaSyntaxError,
    format_formula,
    parse_formula,
)
from jimu.engines.expr.operators import OPERATORS, NoSql, Operator, Signature
from jimu.engines.expr.sql import to_sql

__all__ = [
    "OPERATORS",
    "ExprError",
    "FormulaProblem",
    "FormulaSyntaxError",
    "NoSql",
    "Operator",
    "Signature",
    "check",
    "compile",
    "describe",
    "describe_value",
    "evaluate",
    "format_formula",
    "infer_type",
    "parse_formula",
    "source_of",
    "to_sql",
]
