"""The operator table: every operator has every rendering (or a declared reason)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from jimu.engines.expr import OPERATORS, NoSql, evaluate
from jimu.engines.expr.operators import TYPES

SPEC_OPERATORS = {
    # the agreed IR (/tmp/team/expr_ops.md): JsonLogic …
    "var", "missing", "missing_some", "if", "?:", "==", "===", "!=", "!==", "!", "!!", "or",
    "and", ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/", "%", "map", "reduce",
    "filter", "all", "none", "some", "merge", "in", "cat", "substr", "val", "exists", "??",
    "throw", "try",
    # … and the business operators
    "now", "today", "date", "datetime", "date_add", "date_diff", "start_of", "year", "month",
    "day", "weekday", "within_last", "within_next", "contains", "not_contains", "starts_with",
    "ends_with", "lower", "upper", "trim", "length", "matches", "replace", "left", "right",
    "is_blank", "is_not_blank", "coalesce", "round", "floor", "ceil", "abs", "sum", "avg",
    "in_list", "not_in_list", "any_in",
}  # fmt: skip


def test_the_table_holds_every_agreed_operator() -> None:
    assert set(OPERATORS) >= SPEC_OPERATORS


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_every_operator_has_every_rendering(name: str) -> None:
    entry = OPERATORS[name]
    assert entry.name == name
    assert callable(entry.python)
    assert callable(entry.sql) or (isinstance(entry.sql, NoSql) and entry.sql.reason)
    sig = entry.signature
    assert sig.result in TYPES
    assert all(t in TYPES for t in sig.args)
    assert sig.rest is None or sig.rest in TYPES
    assert 0 <= sig.optional <= len(sig.args)
    for lang in ("en", "zh"):
        template = entry.template(lang)
        assert template.strip(), f"{name} has no {lang} sentence"
        placeholders = {int(n) for n in re.findall(r"\{(\d+)\}", template)}
        if "{*}" not in template:
            assert placeholders <= set(range(max(len(sig.args), 3))), template
    if entry.connective:
        assert entry.joiner[0].strip() and entry.joiner[1].strip()


def test_templates_read_naturally_in_both_languages() -> None:
    assert OPERATORS[">"].template("en") == "{0} is greater than {1}"
    assert OPERATORS[">"].template("zh") == "{0} 大于 {1}"
    assert OPERATORS["<"].template("en", 3).startswith("{1} is between")
    assert OPERATORS["and"].connective and OPERATORS["or"].connective
    assert OPERATORS["and"].joiner == (" and ", " 且 ")


SAMPLES = {
    "number": 2,
    "text": "ab",
    "boolean": True,
    "date": "2024-01-02",
    "datetime": "2024-01-02T03:04:05Z",
    "list": [1, "ab"],
    "any": 1,
    "null": None,
}
TAKES_A_UNIT = {"date_add", "date_diff", "start_of", "within_last", "within_next"}


@pytest.mark.parametrize("name", sorted(set(OPERATORS) - {"throw", "preserve"}))
def test_every_operator_evaluates_its_own_signature(name: str) -> None:
    """A call shaped like the signature compiles and runs (no operator is a stub)."""
    args: list[Any] = [SAMPLES[t] for t in OPERATORS[name].signature.args]
    if name in TAKES_A_UNIT:
        args[-1] = "day"
    if name in {"date", "datetime"}:
        args = ["2024-01-02"]
    if name in {"map", "filter", "reduce", "all", "some", "none"}:
        args[1] = {"var": ""}
    if name in {"var", "val", "exists"}:
        args = ["a"]
    if name == "missing_some":
        args = [1, ["a"]]
    evaluate({name: args}, {"a": 1})
