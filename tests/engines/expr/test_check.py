"""Static checks of rules against an entity's fields: check() and infer_type()."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.expr.check import check, infer_type
from jimu.engines.expr.formula import parse_formula
from jimu.errors import FieldError

FIELDS = {
    "amount": "number",
    "discount": "number",
    "name": "text",
    "region": "text",
    "created_at": "datetime",
    "signed_on": "date",
    "vip": "boolean",
    "tags": "list",
    "account": "any",
    "owner.name": "text",
    "客户名称": "text",
    "金额": "number",
}
CONTEXT = {"user.id": "number", "user.department_ids": "list"}


def problems(rule: Any, **kw: Any) -> list[tuple[str, str, str]]:
    return [(e.pointer, e.code, e.message) for e in check(rule, FIELDS, CONTEXT, **kw)]


@pytest.mark.parametrize(
    "formula",
    [
        'amount > 10000 && region = "华东"',
        "ROUND(amount * discount / 100, 2)",
        'DATEDIF(created_at, TODAY(), "d") > 30',
        'signed_on >= "2024-01-01" && created_at < NOW()',
        "signed_on < created_at",
        'CONCAT(客户名称, " ", 金额)',
        'IN(region, ["华东", "华北"]) || ANYIN(tags, ["vip"])',
        "IN(owner_id_of_nobody_here(), [1])".replace("owner_id_of_nobody_here()", "$user.id"),
        'account.industry = "IT" && owner.name <> ""',
        'amount + "10"',
        'ISBLANK(name) || LEN(tags) > 2 || CONTAINS(tags, "a")',
        "IF(vip, amount * 0.9, amount)",
        "COALESCE(discount, 0) * 2",
        "amount = NULL || name = NULL || signed_on = NULL",
    ],
)
def test_valid_formulas_have_no_problems(formula: str) -> None:
    assert check(parse_formula(formula), FIELDS, CONTEXT) == []


def test_the_issue_example_pointer() -> None:
    rule = {"and": [{">": [{"var": "amount"}, 1]}, {">": [{"var": "amont"}, 2]}]}
    assert check(rule, FIELDS) == [
        FieldError("/and/1/>/0", "there is no field amont; did you mean amount?", "unknown_field")
    ]


def test_all_problems_are_reported_at_once() -> None:
    rule = {
        "and": [
            {">": [{"var": "amonut"}, 1]},
            {"flor": [{"var": "nope"}]},
            {"round": [1, 2, 3]},
            {"date_add": [{"var": "signed_on"}, 1, "fortnight"]},
            {"==": [{"var": "signed_on"}, "next tuesday"]},
            {"+": [{"var": "name"}, 1]},
            {"upper": [{"var": "amount"}]},
        ]
    }
    assert problems(rule) == [
        ("/and/0/>/0", "unknown_field", "there is no field amonut; did you mean amount?"),
        ("/and/1/flor", "unknown_operator", "unknown operator 'flor'; did you mean 'floor'?"),
        ("/and/1/flor/0", "unknown_field", "there is no field nope"),
        ("/and/2/round", "arity", "'round' takes 1 to 2 values, got 3"),
        (
            "/and/3/date_add/2",
            "invalid_unit",
            'unknown unit "fortnight"; use one of year, quarter, month, week, day, hour, '
            "minute, second",
        ),
        (
            "/and/4/==/1",
            "type_mismatch",
            'cannot compare the field signed_on (a date) with the text "next tuesday" (text) '
            "(write dates as 2024-01-31)",
        ),
        ("/and/5/+/0", "type_mismatch", "'+' needs a number here, but the field name is text"),
        (
            "/and/6/upper/0",
            "type_mismatch",
            "'upper' needs text here, but the field amount is a number",
        ),
    ]


def test_messages_in_chinese() -> None:
    rule = parse_formula('金额 + 客户名称 > 0 && {客户 名称} = "x"')
    assert problems(rule, lang="zh") == [
        ("/and/0/>/0/+/1", "type_mismatch", "“+”这里需要数字，但字段 客户名称 是文本"),
        ("/and/1/==/0", "unknown_field", "没有字段 客户 名称，您是想用 客户名称 吗？"),
    ]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"==": [{"var": "created_at"}, 5]}, [("/==/1", "type_mismatch")]),
        ({"<": [1, {"var": "name"}, 10]}, [("/</1", "type_mismatch"), ("/</2", "type_mismatch")]),
        ({"!": {"var": "nope"}}, [("/!", "unknown_field")]),
        ({"var": ["nope", 1]}, [("", "unknown_field")]),
        ({"var": "$user.nope"}, [("", "unknown_field")]),
        ({"var": "$now"}, []),
        ({"var": "owner.nope"}, [("", "unknown_field")]),
        ({"var": "account.any.depth"}, []),
        ({"var": "tags.0"}, []),
        ({"a": 1, "b": 2}, [("", "invalid_rule")]),
        ({"missing_some": [1, ["name", "nme"]]}, [("/missing_some/1/1", "unknown_field")]),
        ({"missing": [["name", "nme"]]}, [("/missing/0/1", "unknown_field")]),
        ({"map": [{"var": "tags"}, {"upper": {"var": "whatever"}}]}, []),
        (
            {"reduce": [{"var": "tags"}, {"+": [{"var": "current"}, 1]}, {"var": "zz"}]},
            [("/reduce/2", "unknown_field")],
        ),
        ({"in_list": [{"var": "region"}, "华东"]}, [("/in_list/1", "type_mismatch")]),
        (
            {"date_diff": [{"var": "signed_on"}, "2024-02-30x", "day"]},
            [("/date_diff/1", "type_mismatch")],
        ),
        ({"date_diff": [{"var": "signed_on"}, "2024-02-03", "day"]}, []),
        ({"/": [{"var": "a~b/c"}, 2]}, [("/~1/0", "unknown_field")]),
        ([{"var": "nope"}, 1], [("/0", "unknown_field")]),
    ],
)
def test_problem_pointers(rule: Any, expected: list[tuple[str, str]]) -> None:
    assert [(p, code) for p, code, _ in problems(rule)] == expected


def test_unknown_context_is_accepted_without_context_fields() -> None:
    assert check({"var": "$user.anything"}, FIELDS) == []


def test_require_sql_reports_operators_without_sql_form() -> None:
    rule = parse_formula('REGEX(name, "^A") && amount > 1')
    found = check(rule, FIELDS, require_sql=True)
    assert [(e.pointer, e.code) for e in found] == [("/and/0/matches", "no_sql")]
    assert "SQLite has no regular expressions" in found[0].message
    assert check(rule, FIELDS) == []


def test_allowed_operators_limits_what_a_builder_offers() -> None:
    rule = parse_formula('amount > 1 && CONTAINS(name, "x")')
    found = check(rule, FIELDS, allowed_operators={"and", ">", "var"})
    assert [(e.pointer, e.code) for e in found] == [("/and/1/contains", "unsupported_operator")]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("ROUND(amount * discount / 100, 2)", "number"),
        ('IF(amount > 100000, "A", IF(amount > 10000, "B", "C"))', "text"),
        ('IF(vip, "A", 2)', "any"),
        ("IF(vip, signed_on, created_at)", "datetime"),
        ("IF(vip, signed_on, NULL)", "date"),
        ('DATEDIF(created_at, TODAY(), "d")', "number"),
        ('DATEADD(signed_on, 3, "d")', "date"),
        ("amount > 1 && vip", "boolean"),
        ('CONCAT(first, " ", last)', "text"),
        ("created_at", "datetime"),
        ("COALESCE(discount, 0)", "number"),
        ("NOW()", "datetime"),
        ("$today", "date"),
        ("[1, 2]", "list"),
        ('"x"', "text"),
        ("NULL", "null"),
        ("TRUE", "boolean"),
    ],
)
def test_infer_type(formula: str, expected: str) -> None:
    fields = {**FIELDS, "first": "text", "last": "text"}
    assert infer_type(parse_formula(formula), fields) == expected


def test_infer_type_without_fields_knows_operators_only() -> None:
    assert infer_type(parse_formula("LEN(x) + 1")) == "number"
    assert infer_type(parse_formula("x")) == "any"


def test_check_and_infer_type_never_fail_on_odd_rules() -> None:
    odd: list[Any] = [
        {"var": []},
        {"var": [{"var": "name"}]},
        {"var": None},
        {"if": []},
        {"missing": "name"},
        {"missing_some": [1, "x"]},
        {"==": {"var": "name"}},
        {"+": []},
        {"date_add": [{"var": "signed_on"}, 1, {"var": "unit"}]},
        [[{"var": "nope"}]],
        {"and": [{"a": 1, "b": 2}]},
    ]
    for rule in odd:
        assert isinstance(check(rule, FIELDS), list)
        assert isinstance(infer_type(rule, FIELDS), str)
