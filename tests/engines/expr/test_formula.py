"""Formula syntax: golden parses and errors (tests/fixtures/expr/formulas.json), format_formula,
round trips and evaluation of parsed formulas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.expr import ExprError, evaluate
from jimu.engines.expr.formula import FormulaSyntaxError, format_formula, parse_formula
from jimu.errors import JimuError

GOLDEN = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "expr" / "formulas.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["name"])
def test_golden_parse(case: dict[str, Any]) -> None:
    assert parse_formula(case["formula"]) == case["ir"]


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["name"])
def test_golden_round_trip(case: dict[str, Any]) -> None:
    ir = parse_formula(case["formula"])
    assert parse_formula(format_formula(ir)) == ir


@pytest.mark.parametrize("case", GOLDEN["errors"], ids=lambda c: c["name"])
def test_golden_errors(case: dict[str, Any]) -> None:
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula(case["formula"])
    got = [
        {"line": p.line, "column": p.column, "en": p.en, "zh": p.zh} for p in caught.value.problems
    ]
    assert got == case["problems"]


def test_golden_file_is_substantial() -> None:
    assert len(GOLDEN["cases"]) >= 80
    assert len(GOLDEN["errors"]) >= 30


def test_error_is_an_expr_error_with_line_column_and_both_languages() -> None:
    with pytest.raises(ExprError) as caught:
        parse_formula("IF(a > 1,\n  ROUND(b, 2)")
    error = caught.value
    assert isinstance(error, FormulaSyntaxError)
    assert isinstance(error, JimuError)
    assert (error.code, error.status) == ("formula_syntax", 422)
    assert (error.line, error.column) == (2, 14)
    assert error.message == "Line 2, column 14: a closing parenthesis ')' is missing"
    assert error.message_zh == "第 2 行第 14 列：缺少右括号 )"
    assert error.localized("zh") == error.message_zh
    assert str(error) == error.message
    assert error.extra["problems"] == [
        {
            "line": 2,
            "column": 14,
            "message": error.message,
            "message_zh": error.message_zh,
        }
    ]
    assert [e.message for e in error.errors] == [error.message]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula('IF(FOO(a), LEFT(b, 1, 2), DATEDIF(a, b, "fortnight"))')
    messages = [p.text_en for p in caught.value.problems]
    assert messages == [
        "Line 1, column 4: Unknown function FOO. Did you mean FLOOR?",
        "Line 1, column 12: LEFT needs 1 to 2 values, got 3",
        'Line 1, column 41: DATEDIF does not know the unit "fortnight"; use "d" (days), '
        '"m" (months), "y" (years), "h" (hours) or one of year, quarter, month, week, day, '
        "hour, minute, second",
    ]


def test_parser_is_built_once() -> None:
    from jimu.engines.expr import formula

    assert formula._parser() is formula._parser()


# -- format_formula of rules written as JsonLogic ------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (
            {"and": [{">": [{"var": "amount"}, 10000]}, {"==": [{"var": "region"}, "华东"]}]},
            'AND(amount > 10000, region = "华东")',
        ),
        ({"var": "客户 名称"}, "{客户 名称}"),
        ({"var": "null"}, "{null}"),
        ({"var": "a{b}"}, r"{a\{b\}}"),
        ({"var": " padded "}, 'VAR(" padded ")'),
        ({"var": ["a"]}, "a"),
        ({"var": ["a", 0]}, 'VAR("a", 0)'),
        ({"var": ""}, 'VAR("")'),
        ({"var": 1}, "VAR(1)"),
        ({"!": {"var": "a"}}, "NOT(a)"),
        ({"!!": [{"var": "a"}]}, "TRUTHY(a)"),
        ({"?:": [{"var": "a"}, 1, 2]}, "IF(a, 1, 2)"),
        ({"??": [{"var": "a"}, 1]}, "COALESCE(a, 1)"),
        ({"if": [{"var": "a"}, 1, {"var": "b"}, 2, 3]}, "IF(a, 1, IF(b, 2, 3))"),
        ({"if": [{"var": "a"}, 1]}, "IF(a, 1, NULL)"),
        ({"if": []}, "NULL"),
        ({"in": ["a", ["a", "b"]]}, 'ISIN("a", ["a", "b"])'),
        ({"missing": ["a", "b"]}, 'MISSING("a", "b")'),
        ({"substr": [{"var": "s"}, {"var": "i"}]}, "MID(s, i + 1)"),
        ({"date_diff": [{"var": "a"}, {"var": "b"}, "week"]}, 'DATEDIF(a, b, "week")'),
        ({"*": [{"+": [1, 2]}, {"-": [3, 4]}]}, "(1 + 2) * (3 - 4)"),
        ({"+": [{"+": [1, 2]}, 3]}, "(1 + 2) + 3"),
        ({"-": [1, {"+": [2, 3]}]}, "1 - (2 + 3)"),
        ({"-": [{"*": [2, 3]}]}, "-(2 * 3)"),
        ({"-": [-3]}, "--3"),
        ({"*": [-3, 2]}, "-3 * 2"),
        ({"cat": ["a"]}, 'CONCAT("a")'),
        ({"cat": [{"cat": ["a", "b"]}, "c"]}, '("a" & "b") & "c"'),
        ({"==": [{"==": [1, 2]}, False]}, "(1 = 2) = FALSE"),
        ({"<": [1, {"var": "x"}, 3]}, "1 < x < 3"),
        ('line\nbreak\t"q" \\ \x01', r'"line\nbreak\t\"q\" \\ \u0001"'),
        (1.5e-9, "1.5e-09"),
        ([1, [2, None]], "[1, [2, NULL]]"),
    ],
)
def test_format_formula(rule: Any, text: str) -> None:
    assert format_formula(rule) == text
    parsed = parse_formula(text)
    assert parse_formula(format_formula(parsed)) == parsed


@pytest.mark.parametrize(
    "rule",
    [{"a": 1, "b": 2}, float("inf"), {"==": [1, 2, 3]}, {"===": []}, {"?!": [1]}, object()],
)
def test_format_formula_refuses_what_no_formula_can_say(rule: Any) -> None:
    with pytest.raises(ExprError):
        format_formula(rule)


# -- parsed formulas evaluate through the engine -------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "data", "expected"),
    [
        ("ROUND(amount * discount / 100, 2)", {"amount": 12345, "discount": 15}, 1851.75),
        ('IF(amount > 100000, "A", IF(amount > 10000, "B", "C"))', {"amount": 50000}, "B"),
        ('IF(amount > 100000, "A", IF(amount > 10000, "B", "C"))', {"amount": 500}, "C"),
        (
            'CONCAT(first_name, " ", last_name)',
            {"first_name": "Ada", "last_name": "Lovelace"},
            "Ada Lovelace",
        ),
        ('{名} & "·" & 姓', {"名": "小明", "姓": "王"}, "小明·王"),
        ('DATEDIF(created_at, "2026-11-23", "d")', {"created_at": "2026-11-01"}, 22),
        ('DATEDIF(created_at, TODAY(), "m")', {"created_at": "2026-01-31"}, 9),
        ("MID(phone, 4, 4)", {"phone": "13812345678"}, "1234"),
        ("MID(phone, start, 3)", {"phone": "abcdef", "start": 2}, "bcd"),
        ("LEFT(name) & RIGHT(name, 2)", {"name": "Jimu积木"}, "J积木"),
        ("1 < x < 10", {"x": 5}, True),
        ("0 <= x <= 10 && x <> 3", {"x": 3}, False),
        ("-a * b + c % 4", {"a": 2, "b": 3, "c": 10}, -4),
        ('"Total: " & a + b', {"a": 1, "b": 2}, "Total: 3"),
        ('IN(country, ["US", "CA"])', {"country": "CA"}, True),
        ("IN(dept, $user.department_ids)", {"dept": 2}, True),
        ("IFNULL(discount, 0) + 1", {"discount": None}, 1),
        ('account.industry = "IT"', {"account": {"industry": "IT"}}, True),
    ],
)
def test_parsed_formulas_evaluate(formula: str, data: dict[str, Any], expected: Any) -> None:
    context = {"today": "2026-11-23", "user": {"department_ids": [1, 2]}}
    assert evaluate(parse_formula(formula), data, context) == expected
