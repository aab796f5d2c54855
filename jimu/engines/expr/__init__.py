"""The expression language: one IR (JsonLogic) for conditions and formulas.

``compile(rule)`` builds a Python function once; ``evaluate(rule, data)`` runs a rule once;
``to_sql(rule, columns)`` renders it as a SQLAlchemy expression that selects exactly the rows
the Python evaluation accepts. ``OPERATORS`` is the one table of operators. See docs/expr.md.
"""

from jimu.engines.expr.compiler import compile, evaluate, source_of
from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.operators import OPERATORS, NoSql, Operator, Signature
from jimu.engines.expr.sql import to_sql

__all__ = [
    "OPERATORS",
    "ExprError",
    "NoSql",
    "Operator",
    "Signature",
    "compile",
    "evaluate",
    "source_of",
    "to_sql",
]
