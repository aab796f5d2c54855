"""Records a run creates, named (``as``) and linked by later actions (``created_links``), and
``update_linked``'s ``add`` — planned without ids or stored values, resolved when carried out."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.rule import RecordView, compile_rule
from jimu.engines.rule.actions import RuleScope
from jimu.engines.rule.created import resolve_refs
from jimu.engines.rule.document import rule_errors

SCOPE = RuleScope(
    types={
        "lead": {"id": "number", "name": "text", "status": "text", "score": "number",
                 "account": "number", "contact": "number", "points": "number"},
        "account": {"id": "number", "name": "text", "score": "number"},
        "contact": {"id": "number", "name": "text", "account": "number"},
        "touch": {"id": "number", "lead": "number", "points": "number"},
    },
    links={
        "lead": {"account": "account", "contact": "contact"},
        "contact": {"account": "account"},
        "account": {},
        "touch": {"lead": "lead"},
    },
)  # fmt: skip

CONVERT = [
    {"type": "create_record", "entity": "account", "as": "acc", "formulas": {"name": "name"}},
    {"type": "create_record", "entity": "contact", "as": "person",
     "formulas": {"name": "name"}, "created_links": {"account": "acc"}},
    {"type": "set_fields", "values": {"status": "converted"},
     "created_links": {"account": "acc", "contact": "person"}},
]  # fmt: skip


def rule(actions: list[dict[str, Any]], entity: str = "lead") -> dict[str, Any]:
    return {"kind": "rule", "name": "r", "entity": entity, "trigger": {"on": "created"},
            "actions": actions}  # fmt: skip


def test_created_records_are_named_and_later_writes_carry_the_names() -> None:
    assert rule_errors(rule(CONVERT), SCOPE) == []
    lead = RecordView("lead", {"id": 7, "name": "Ann", "status": "new"})
    account, contact, update = compile_rule(rule(CONVERT), SCOPE).plan(lead)
    assert (account.op, account.entity, account.name, dict(account.refs)) == (
        "create", "account", "acc", {})  # fmt: skip
    assert (contact.name, dict(contact.refs)) == ("person", {"account": "acc"})
    assert (update.op, update.record_id, dict(update.refs)) == (
        "update", 7, {"account": "acc", "contact": "person"})  # fmt: skip
    assert update.as_dict()["created_links"] == {"account": "acc", "contact": "person"}
    assert resolve_refs(update.values, update.refs, {"acc": 3, "person": 9}) == {
        "status": "converted", "account": 3, "contact": 9}  # fmt: skip
    with pytest.raises(LookupError, match="'person'"):
        resolve_refs({}, update.refs, {"acc": 3})


@pytest.mark.parametrize(
    ("actions", "pointer", "words"),
    [
        ([CONVERT[1]], "/actions/0/created_links/account", "no earlier create_record"),
        ([CONVERT[2], CONVERT[0]], "/actions/0/created_links/account", "no earlier"),
        ([CONVERT[0], {**CONVERT[1], "created_links": {"name": "acc"}}],
         "/actions/1/created_links/name", "has no link field 'name'"),
        ([CONVERT[0], CONVERT[1], {**CONVERT[2], "created_links": {"account": "person"}}],
         "/actions/2/created_links/account", "'person' is 'contact'"),
        ([CONVERT[0], {**CONVERT[0]}], "/actions/1/as", "already names"),
        ([{**CONVERT[0], "as": "Not a name"}], "/actions/0/as", "does not match"),
        ([{"type": "update_linked", "link": "account", "as": "x", "values": {"name": "x"}}],
         "/actions/0/as", "not allowed"),
    ],
)  # fmt: skip
def test_created_links_are_checked_with_pointers(
    actions: list[dict[str, Any]], pointer: str, words: str
) -> None:
    errors = rule_errors(rule(actions), SCOPE)
    assert any(e.pointer == pointer and words in e.message for e in errors), errors


def test_update_linked_adds_amounts_to_the_linked_record_when_carried_out() -> None:
    action = {"type": "update_linked", "link": "lead",
              "add": {"score": "COALESCE(points, 0) - COALESCE($old.points, 0)"}}  # fmt: skip
    body = rule([action], "touch")
    assert rule_errors(body, SCOPE) == []
    compiled = compile_rule(body, SCOPE)
    (write,) = compiled.plan(RecordView("touch", {"id": 2, "lead": 7, "points": 15}, {"points": 5}))
    assert (write.entity, write.record_id, write.values, dict(write.increments)) == (
        "lead", 7, {}, {"score": 10})  # fmt: skip
    assert write.as_dict()["add"] == {"score": 10}
    assert compiled.plan(RecordView("touch", {"id": 2, "lead": None, "points": 15})) == []


@pytest.mark.parametrize(
    ("add", "pointer"),
    [
        ({"nope": 1}, "/actions/0/add/nope"),
        ({"name": 1}, "/actions/0/add/name"),
        ({"score": "points +"}, "/actions/0/add/score"),
        ({}, "/actions/0/add"),
    ],
)
def test_update_linked_add_is_checked(add: dict[str, Any], pointer: str) -> None:
    action = {"type": "update_linked", "link": "lead", "add": add}
    errors = rule_errors(rule([action], "touch"), SCOPE)
    assert pointer in [e.pointer for e in errors], errors
