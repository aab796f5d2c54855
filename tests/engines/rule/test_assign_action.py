"""The ``assign_owner`` action's pure part: settings checked with JSON pointers, the territory
table's first matching row chosen on the record, the effect it plans."""

from __future__ import annotations

from typing import Any

from jimu.engines.rule import PlannedEffect, RecordView, compile_rule
from jimu.engines.rule.actions import RuleScope
from jimu.engines.rule.assign_action import pool_key
from jimu.engines.rule.document import rule_errors

SCOPE = RuleScope(
    types={
        "lead": {
            "id": "number",
            "owner_id": "number",
            "name": "text",
            "region": "text",
            "industry": "text",
            "status": "text",
        }
    },
)
TERRITORY = [
    {"when": {"and": [{"==": [{"var": "region"}, "east"]},
                      {"==": [{"var": "industry"}, "retail"]}]}, "user": 7},
    {"when": {"==": [{"var": "region"}, "east"]}, "department": 3, "include_sub_departments": True},
    {"when": {"==": [{"var": "region"}, "west"]}, "users": [5, 4], "method": "fewest_open"},
]  # fmt: skip


def rule(**action: Any) -> dict[str, Any]:
    return {
        "kind": "rule",
        "name": "assign",
        "entity": "lead",
        "trigger": {"on": "created"},
        "actions": [{"type": "assign_owner", **action}],
    }


def errors(**action: Any) -> dict[str, str]:
    return {e.pointer: e.message for e in rule_errors(rule(**action), SCOPE)}


def plan(record: dict[str, Any], **action: Any) -> dict[str, Any]:
    (effect,) = compile_rule(rule(**action), SCOPE).plan(RecordView("lead", record))
    assert isinstance(effect, PlannedEffect) and effect.kind == "assign"
    assert effect.record_id == record["id"]
    return effect.payload


def test_valid_settings_pass() -> None:
    assert errors(method="round_robin", department=3) == {}
    assert errors(method="fewest_open", role="rep", open={"!=": [{"var": "status"}, "won"]}) == {}
    closed = {"!": {"in": [{"var": "status"}, ["won", "lost"]]}}  # the docs' example
    assert errors(method="fewest_open", department=3, open=closed) == {}
    assert errors(method="territory", territory=TERRITORY, fallback={"users": [1, 2]}) == {}


def test_each_problem_is_named_by_its_pointer() -> None:
    assert "/actions/0" in errors(method="round_robin")
    assert "/actions/0/users" in errors(method="round_robin", department=3, users=[1])
    assert "/actions/0/method" in errors(method="sometimes", department=3)
    assert "/actions/0/users" in errors(method="round_robin", users=[])
    assert "/actions/0/users/1" in errors(method="round_robin", users=[1, 0])
    assert "/actions/0/department" in errors(method="round_robin", department="")
    assert "/actions/0/user" in errors(method="round_robin", user=True)
    assert errors(method="round_robin", department="HR-12", include_sub_departments=True) == {}
    assert "/actions/0/territory" in errors(method="territory")
    assert "/actions/0/department" in errors(method="territory", territory=TERRITORY, department=3)
    assert "/actions/0/territory" in errors(method="round_robin", department=3, territory=TERRITORY)
    assert "/actions/0/include_sub_departments" in errors(
        method="round_robin", users=[1], include_sub_departments=True
    )
    bad_row = [{"when": {"==": [{"var": "regio"}, "east"]}, "user": 1}, {"when": True}]
    found = errors(method="territory", territory=bad_row)
    assert "/actions/0/territory/0/when/==/0" in found and "/actions/0/territory/1" in found
    assert "/actions/0/territory/0/method" in errors(
        method="territory", territory=[{"when": True, "user": 1, "method": "territory"}]
    )
    assert "/actions/0/fallback" in errors(method="round_robin", user=1, fallback={})
    assert "/actions/0/open/!=/0" in errors(
        method="fewest_open", user=1, open={"!=": [{"var": "stage"}, "won"]}
    )
    assert "/actions/0/field" in errors(method="round_robin", user=1, field="nope")
    assert "/actions/0/field" in errors(method="round_robin", user=1, field="name")
    assert "/actions/0/skip_away" in errors(method="round_robin", user=1, skip_away="no")


def test_territory_takes_the_first_matching_row() -> None:
    east_retail = {"id": 1, "region": "east", "industry": "retail"}
    payload = plan(east_retail, method="territory", territory=TERRITORY)
    assert payload["choice"]["territory_row"] == 0 and payload["choice"]["pool"] == {"user": 7}
    east = plan({"id": 2, "region": "east", "industry": "bank"}, method="territory",
                territory=TERRITORY)  # fmt: skip
    assert east["choice"] == {
        "method": "round_robin",
        "pool": {"department": 3, "include_sub_departments": True},
        "territory_row": 1,
        "when": TERRITORY[1]["when"],
    }
    west = plan({"id": 3, "region": "west"}, method="territory", territory=TERRITORY)
    assert west["choice"]["method"] == "fewest_open" and west["choice"]["territory_row"] == 2
    nowhere = plan({"id": 4, "region": "north"}, method="territory", territory=TERRITORY,
                   fallback={"role": "rep"})  # fmt: skip
    assert nowhere["choice"] is None
    assert nowhere["fallback"] == {"method": "round_robin", "pool": {"role": "rep"}}


def test_defaults_and_pool_keys() -> None:
    payload = plan({"id": 1}, method="round_robin", users=[9, 2])
    assert payload["field"] == "owner_id" and payload["skip_away"] is True
    assert payload["exclude_previous_owners"] is False and payload["fallback"] is None
    assert pool_key(payload["choice"]["pool"]) == "users:2,9"
    assert pool_key({"department": 3, "include_sub_departments": True}) == "department:3+sub"
    assert pool_key({"department": 3, "include_sub_departments": False}) == "department:3"
    assert pool_key({"role": "rep"}) == "role:rep"
    assert pool_key({"department": "12", "include_sub_departments": False}) == "department:@12"
    assert pool_key({"users": ["bob", 3, "ann"]}) == "users:3,@ann,@bob"
    assert pool_key({"user": "ann"}) == "user:@ann"
