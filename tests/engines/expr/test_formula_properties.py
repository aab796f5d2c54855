"""Hypothesis properties of the formula syntax: format_formula and parse_formula agree, and the
formula written for a rule means the same as the rule."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from jimu.engines.expr import ExprError, evaluate
from jimu.engines.expr.formula import FormulaSyntaxError, format_formula, parse_formula

NAMES = ["a", "b", "amount", "客户名称", "客户 名称", "true", "x.y", "$user.id", "{odd}", "a\\b"]
DATA = {
    "a": 3,
    "b": -2.5,
    "amount": 12345,
    "客户名称": "华东",
    "客户 名称": "华",
    "true": 0,
    "x": {"y": 7},
    "{odd}": "}",
    "a\\b": 1,
}
CONTEXT = {"user": {"id": 7}}

characters = st.characters(blacklist_categories=["Cs"])
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(characters, max_size=6),
    st.sampled_from(NAMES).map(lambda name: {"var": name}),
)

N_ARY = ["+", "*", "cat", "and", "or", "min", "max", "coalesce", "sum"]
BINARY = [
    "-",
    "/",
    "%",
    "==",
    "!=",
    "===",
    "!==",
    "<",
    "<=",
    ">",
    ">=",
    "in_list",
    "contains",
    "round",
    "left",
    "right",
]
UNARY = [
    "!",
    "-",
    "abs",
    "floor",
    "ceil",
    "upper",
    "lower",
    "trim",
    "length",
    "is_blank",
    "!!",
    "year",
]


def _rules(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(
            lambda op, args: {op: args},
            st.sampled_from(N_ARY),
            st.lists(children, min_size=2, max_size=4),
        ),
        st.builds(lambda op, a, b: {op: [a, b]}, st.sampled_from(BINARY), children, children),
        st.builds(lambda op, a: {op: [a]}, st.sampled_from(UNARY), children),
        st.builds(lambda a, b, c: {"if": [a, b, c]}, children, children, children),
        st.builds(
            lambda op, a, b, c: {op: [a, b, c]},
            st.sampled_from(["<", "<="]),
            children,
            children,
            children,
        ),
        st.builds(lambda s, i, n: {"substr": [s, i, n]}, children, children, children),
        st.builds(
            lambda a, b, u: {"date_diff": [a, b, u]},
            children,
            children,
            st.sampled_from(["day", "month", "year", "hour", "week"]),
        ),
        st.lists(children, max_size=3),
    )


rules = st.recursive(leaves, _rules, max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(rules)
def test_parse_of_format_is_a_fixed_point(rule: Any) -> None:
    parsed = parse_formula(format_formula(rule))
    assert parse_formula(format_formula(parsed)) == parsed
    assert format_formula(parse_formula(format_formula(parsed))) == format_formula(parsed)


def _outcome(rule: Any) -> Any:
    """The rule's value, or just "error": which error a failing rule reports may change when
    its formula re-orders work (``MID(s, i + 1, n)`` adds and subtracts 1 around ``i``, so an
    argument that is not a number fails there, before a later argument's own error)."""
    try:
        return ("value", evaluate(rule, DATA, CONTEXT))
    except ExprError:
        return ("error", None)


@settings(max_examples=200, deadline=None)
@given(rules)
@example({"substr": [None, {"substr": [False, None, None]}, {"date_diff": [None, False, "day"]}]})
def test_the_formula_of_a_rule_means_the_same(rule: Any) -> None:
    again = parse_formula(format_formula(rule))
    first, second = _outcome(rule), _outcome(again)
    if first[0] == "value" and isinstance(first[1], float) and first[1] != first[1]:
        assert second[1] != second[1]
    else:
        assert first == second


formula_like = st.text(
    st.sampled_from(list("IFROUNDif(),\"'{}[]$._&|!=<>+-*/% aA19中文\n\t\\（，;#")) | characters,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(formula_like)
def test_any_text_parses_or_raises_a_formula_error(text: str) -> None:
    try:
        parse_formula(text)
    except FormulaSyntaxError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.line >= 1
            assert problem.column >= 1
            assert problem.en
            assert problem.zh
