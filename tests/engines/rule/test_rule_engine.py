"""The rule engine's pure part: triggers, conditions with explanations, action planning and
the document checks (JSON pointers), with no database."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.rule import RecordEvent, RecordView, compile_rule
from jimu.engines.rule.actions import RuleScope
from jimu.engines.rule.document import rule_errors
from jimu.errors import JimuError

SCOPE = RuleScope(
    types={
        "lead": {
            "id": "number",
            "name": "text",
            "status": "text",
            "score": "number",
            "tags": "list",
            "account": "number",
        },
        "task": {"id": "number", "title": "text", "lead": "number"},
        "account": {"id": "number", "name": "text", "hot": "boolean"},
    },
    links={"lead": {"account": "account"}, "task": {"lead": "lead"}, "account": {}},
    lists={"lead": frozenset({"tags"})},
)


def rule(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "rule",
        "name": "r",
        "entity": "lead",
        "trigger": {"on": "created"},
        "actions": [{"type": "set_fields", "values": {"status": "mql"}}],
    }
    body.update(overrides)
    return body


LEAD = RecordView("lead", {"id": 7, "name": "Ann", "status": "new", "score": 50, "tags": ["a"]})


def test_triggers_match_entity_kind_and_changed_fields() -> None:
    created = compile_rule(rule(), SCOPE)
    assert created.matches(RecordEvent("lead", "created"))
    assert not created.matches(RecordEvent("lead", "updated", ["status"]))
    assert not created.matches(RecordEvent("task", "created"))
    on_status = compile_rule(rule(trigger={"on": "updated", "fields": ["status"]}), SCOPE)
    assert on_status.matches(RecordEvent("lead", "updated", ["score", "status"]))
    assert not on_status.matches(RecordEvent("lead", "updated", ["score"]))
    any_update = compile_rule(rule(trigger={"on": "updated"}), SCOPE)
    assert any_update.matches(RecordEvent("lead", "updated", ["score"]))
    for kind in ("deleted", "restored"):
        compiled = compile_rule(rule(trigger={"on": kind}), SCOPE)
        assert compiled.matches(RecordEvent("lead", kind))
        assert not compiled.matches(RecordEvent("lead", "purged"))


def test_condition_sees_old_values_and_explains_each_part() -> None:
    condition = {
        "and": [
            {"==": [{"var": "$old.status"}, "new"]},
            {">=": [{"var": "score"}, 60]},
        ]
    }
    compiled = compile_rule(rule(condition=condition), SCOPE)
    before = RecordView("lead", {**LEAD.values, "status": "won"}, {"status": "new"})
    assert not compiled.holds(before)  # score 50
    explained = compiled.explain(before).as_dict()
    assert explained["holds"] is False
    assert [part["holds"] for part in explained["parts"]] == [True, False]
    assert "60" in explained["parts"][1]["words"]
    assert compiled.holds(before.with_values({"score": 61}))
    # without an old value, $old is the record as it is
    assert not compiled.holds(LEAD.with_values({"status": "won", "score": 99}))


def test_actions_plan_writes_in_order_and_merge_updates_of_the_rule_record() -> None:
    actions = [
        {"type": "set_fields", "values": {"status": "mql"}, "formulas": {"name": 'name & "!"'}},
        {"type": "add_score", "field": "score", "amount": 15},
        {"type": "add_score", "field": "score", "amount": "-score / 10"},
        {"type": "add_tags", "field": "tags", "tags": ["hot", "a"]},
        {"type": "remove_tags", "field": "tags", "tags": ["a"]},
        {"type": "create_record", "entity": "task", "formulas": {"title": '"Call " & name'},
         "link": "lead"},
    ]  # fmt: skip
    writes = compile_rule(rule(actions=actions), SCOPE).plan(LEAD)
    assert [w.op for w in writes] == ["update", "create"]
    update, create = writes
    # each action saw the earlier ones: 50 + 15 = 65, then - 6.5
    assert update.values == {"status": "mql", "name": "Ann!", "score": 58.5, "tags": ["hot"]}
    assert update.record_id == 7 and update.actions == (0, 1, 2, 3, 4)
    assert create.entity == "task"
    assert create.values == {"title": "Call Ann!", "lead": 7}


def test_update_linked_writes_the_linked_record_or_nothing() -> None:
    action = {"type": "update_linked", "link": "account", "values": {"hot": True},
              "formulas": {"name": 'name & " Ltd"'}}  # fmt: skip
    compiled = compile_rule(rule(actions=[action]), SCOPE)
    (write,) = compiled.plan(LEAD.with_values({"account": 3}))
    assert (write.entity, write.record_id, write.values) == (
        "account",
        3,
        {"hot": True, "name": "Ann Ltd"},
    )
    assert compiled.plan(LEAD.with_values({"account": None})) == []


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"entity": "nope"}, "/entity"),
        ({"trigger": {"on": "updated", "fields": ["statux"]}}, "/trigger/fields/0"),
        ({"trigger": {"on": "created", "fields": ["status"]}}, "/trigger/fields"),
        ({"condition": {">": [{"var": "nam"}, 1]}}, "/condition/>/0"),
        ({"condition": {"==": [{"var": "$old.nope"}, 1]}}, "/condition/==/0"),
        ({"actions": [{"type": "set_fields", "values": {"nope": 1}}]}, "/actions/0/values/nope"),
        ({"actions": [{"type": "set_fields"}]}, "/actions/0/values"),
        ({"actions": [{"type": "set_fields", "formulas": {"score": "name +"}}]},
         "/actions/0/formulas/score"),
        ({"actions": [{"type": "set_fields", "formulas": {"score": "nope * 2"}}]},
         "/actions/0/formulas/score"),
        ({"actions": [{"type": "add_score", "field": "name", "amount": 1}]}, "/actions/0/field"),
        ({"actions": [{"type": "add_score", "field": "score"}]}, "/actions/0/amount"),
        ({"actions": [{"type": "add_tags", "field": "status", "tags": ["x"]}]},
         "/actions/0/field"),
        ({"actions": [{"type": "create_record", "entity": "nope"}]}, "/actions/0/entity"),
        ({"actions": [{"type": "create_record", "entity": "task", "link": "nope",
                       "values": {"title": "x"}}]}, "/actions/0/link"),
        ({"actions": [{"type": "update_linked", "link": "name", "values": {}}]},
         "/actions/0/link"),
        ({"actions": [{"type": "set_fields", "values": {"status": 1}, "bogus": 1}]},
         "/actions/0/bogus"),
    ],
)  # fmt: skip
def test_rule_errors_point_at_the_problem(overrides: dict[str, Any], pointer: str) -> None:
    errors = rule_errors(rule(**overrides), SCOPE)
    assert pointer in [e.pointer for e in errors], errors


def test_a_valid_rule_has_no_errors() -> None:
    body = rule(
        trigger={"on": "updated", "fields": ["status"]},
        condition={"==": [{"var": "$old.status"}, "new"]},
        actions=[{"type": "create_record", "entity": "task", "link": "lead"}],
    )
    assert rule_errors(body, SCOPE) == []


def test_compiling_an_unknown_action_fails_clearly() -> None:
    with pytest.raises(JimuError, match="cannot be compiled"):
        compile_rule(rule(actions=[{"type": "nope"}]), SCOPE)


def test_a_views_decimal_fields_reach_conditions_as_numbers() -> None:
    values = {"id": 1, "price": "8.00", "floor": "10.00", "code": "8.00"}
    view = RecordView("lead", values, {"price": "12.00"}, decimals=frozenset({"price", "floor"}))
    assert view.data() == {"id": 1, "price": 8.0, "floor": 10.0, "code": "8.00"}
    assert view.context()["old"]["price"] == 12.0
    rule = compile_rule(
        {"kind": "rule", "name": "r", "entity": "lead", "trigger": {"on": "created"},
         "condition": {"<": [{"var": "price"}, {"var": "floor"}]}, "actions": []},
        SCOPE,
    )  # fmt: skip
    assert rule.holds(view)
    assert not rule.holds(RecordView("lead", values))  # as text, "8.00" comes after "10.00"
