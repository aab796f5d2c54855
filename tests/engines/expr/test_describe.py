"""describe(): rules as sentences, golden file tests/fixtures/expr/sentences.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jimu.engines.expr.describe import describe, describe_value, number_text
from jimu.engines.expr.operators import OPERATORS

GOLDEN = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "expr" / "sentences.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", GOLDEN, ids=lambda c: c["name"])
def test_golden_sentences(case: dict[str, Any]) -> None:
    labels = case.get("labels")
    assert describe(case["rule"], "en", labels) == case["en"]
    assert describe(case["rule"], "zh", labels) == case["zh"]


def test_the_issue_example() -> None:
    rule = {"and": [{">": [{"var": "amount"}, 10000]}, {"==": [{"var": "region"}, "华东"]}]}
    labels = {"amount": "金额", "region": "区域"}
    assert describe(rule) == "amount is greater than 10,000 and region is 华东"
    assert describe(rule, "zh", labels) == "金额 大于 10,000 且 区域 等于 华东"


@pytest.mark.parametrize(
    ("count", "unit", "zh"),
    [
        (7, "day", "7 天"),
        (3, "month", "3 个月"),
        (2, "week", "2 周"),
        (1, "year", "1 年"),
        (5, "hour", "5 小时"),
        (10, "minute", "10 分钟"),
        (30, "second", "30 秒"),
        (1, "quarter", "1 个季度"),
    ],
)
def test_chinese_units_carry_their_own_measure_words(count: int, unit: str, zh: str) -> None:
    for op in ["date_add", "within_last", "within_next"]:
        sentence = describe({op: [{"var": "d"}, count, unit]}, "zh")
        assert zh in sentence
        assert "个天" not in sentence and "个个" not in sentence


@pytest.mark.parametrize(
    ("value", "text"),
    [(10000, "10,000"), (-1234567, "-1,234,567"), (1851.75, "1,851.75"), (2.0, "2"), (0.5, "0.5")],
)
def test_numbers(value: float, text: str) -> None:
    assert number_text(value) == text


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (["US", "CA"], "US, CA", "US、CA"),
        ([], "nothing", "无"),
        (None, "empty", "空"),
        (True, "true", "是"),
        ("", "empty text", "空文本"),
        (" padded", '" padded"', "“ padded”"),
    ],
)
def test_values(value: Any, en: str, zh: str) -> None:
    assert describe_value(value) == en
    assert describe_value(value, "zh") == zh


@pytest.mark.parametrize("name", sorted(OPERATORS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_operator_reads_as_a_sentence(name: str, lang: str) -> None:
    signature = OPERATORS[name].signature
    count = max(signature.min_args, 1 if signature.rest is not None else 0)
    args = [{"var": f"f{i}"} for i in range(max(count, len(signature.args)))]
    sentence = describe({name: args}, lang)
    assert "{" not in sentence
    for arg in args[: len(signature.args) or count]:
        if name not in ("now", "today"):
            assert arg["var"] in sentence


names = st.sampled_from(["a", "b", "金额", "$user.id", "$now"]).map(lambda n: {"var": n})
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), names)
rules = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(
            lambda op, args: {op: args},
            st.sampled_from(sorted(OPERATORS)),
            st.lists(children, max_size=4),
        ),
        st.lists(children, max_size=3),
    ),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(rules, st.sampled_from(["en", "zh"]))
def test_any_rule_can_be_described(rule: Any, lang: str) -> None:
    sentence = describe(rule, lang)
    assert isinstance(sentence, str)
    assert "\x00" not in sentence


def test_option_values_read_as_their_labels_and_null_as_empty() -> None:
    labels = {"status": "状态", "owner_id": "负责人"}
    options = {"status": {"won": "赢单", "lost": "输单"}}
    rule = {
        "and": [
            {"in": [{"var": "status"}, ["won", "lost"]]},
            {"==": [{"var": "owner_id"}, None]},
            {"!=": [{"var": "status"}, "open"]},  # not an option: shown as it is
        ]
    }
    assert describe(rule, "zh", labels, options) == (
        "状态 属于 赢单、输单 且 负责人 为空 且 状态 不等于 open"
    )
    english = {"status": {"won": "Won", "lost": "Lost"}}
    assert describe({"==": ["won", {"var": "status"}]}, "en", {"status": "Status"}, english) == (
        "Won equals Status"
    )
    assert describe({"!==": [None, {"var": "owner_id"}]}, "en", {"owner_id": "Owner"}) == (
        "Owner is not empty"
    )
