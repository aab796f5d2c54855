"""``compile``/``evaluate``: built once, no tree walking, errors with pointers."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.expr import ExprError, compile, evaluate, source_of
from jimu.errors import JimuError

DISCOUNT = {
    "if": [
        {"and": [{"==": [{"var": "tier"}, "gold"]}, {">=": [{"var": "total"}, 1000]}]},
        0.15,
        {"==": [{"var": "tier"}, "gold"]},
        0.10,
        0,
    ]
}


def test_a_compiled_rule_is_a_plain_function_of_data_and_context() -> None:
    rule = compile(DISCOUNT)
    assert rule({"tier": "gold", "total": 1000}) == 0.15
    assert rule({"tier": "gold", "total": 999}) == 0.10
    assert rule({"tier": "silver", "total": 5000}) == 0
    assert rule({"tier": "gold", "total": "1000"}) == 0.15  # numeric text still compares
    assert rule({}) == 0
    assert rule(None) == 0


def test_each_field_is_read_once_at_the_top_and_literals_are_inlined() -> None:
    source = source_of(DISCOUNT)
    assert source.count("data.get('tier')") == 1
    assert source.count("data.get('total')") == 1
    assert "'gold'" in source and "1000" in source


def test_constant_parts_are_folded() -> None:
    assert "return 3" in source_of({"+": [1, 2]})
    assert "return 'b'" in source_of({"if": [{">": [2, 1]}, "b", "c"]})


def test_errors_in_constant_parts_wait_for_run_time_so_try_can_catch_them() -> None:
    assert evaluate({"try": [{"/": [1, 0]}, "caught"]}) == "caught"
    with pytest.raises(ExprError) as error:
        evaluate({"/": [1, 0]})
    assert error.value.error_type == "NaN"


def test_nested_records_and_related_values() -> None:
    data = {"account": {"industry": "retail", "owner": {"name": "Li"}}, "lines": [{"qty": 2}]}
    assert evaluate({"var": "account.owner.name"}, data) == "Li"
    assert evaluate({"var": "lines.0.qty"}, data) == 2
    assert evaluate({"var": ["account.size", "n/a"]}, data) == "n/a"
    total = {
        "reduce": [{"var": "lines"}, {"+": [{"var": "accumulator"}, {"var": "current.qty"}]}, 0]
    }
    assert evaluate(total, data) == 2


def test_any_mapping_is_a_record() -> None:
    from collections import OrderedDict
    from types import MappingProxyType

    rule = compile({"and": [{"==": [{"var": "a"}, 1]}, {"==": [{"var": "b.c"}, 2]}]})
    assert rule(OrderedDict(a=1, b={"c": 2})) is True
    assert rule(MappingProxyType({"a": 1, "b": MappingProxyType({"c": 2})})) is True


def test_context_reads_use_a_dollar() -> None:
    rule = compile({"==": [{"var": "owner"}, {"var": "$user.id"}]})
    assert rule({"owner": 3}, {"user": {"id": 3}}) is True
    assert rule({"owner": 3}, {"user": {"id": 4}}) is False
    assert rule({"owner": 3}) is False


@pytest.mark.parametrize(
    ("rule", "pointer"),
    [
        ({"frobnicate": [1]}, ""),
        ({"and": [{"==": [1, 1]}, {"nope": []}]}, "/and/1"),
        ({"if": [{"<": [1]}, 1, 2]}, "/if/0/<"),
        ({"==": [1, 2], "extra": 3}, ""),
    ],
)
def test_compile_errors_point_into_the_rule(rule: Any, pointer: str) -> None:
    with pytest.raises(ExprError) as error:
        compile(rule)
    assert isinstance(error.value, JimuError)
    assert error.value.code == "expr_error"
    assert error.value.pointer == pointer
    assert error.value.errors[0].pointer == pointer


def test_truthiness_and_loose_equality_follow_jsonlogic() -> None:
    assert evaluate({"!!": [{}]}) is True
    assert evaluate({"!!": [[]]}) is False
    assert evaluate({"!!": ["0"]}) is True
    assert evaluate({"==": [None, 0]}) is True
    assert evaluate({"==": [None, ""]}) is False
    assert evaluate({"!=": [{"var": "x"}, 5]}, {}) is True
    assert evaluate({"==": [1, True]}) is True
    assert evaluate({"===": [1, True]}) is False
    with pytest.raises(ExprError):
        evaluate({"==": [1, "A"]})
