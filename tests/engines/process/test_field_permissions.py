"""Per-node field permissions (pure): the schema and kind checks, each field's permission for
one person (the node's, the roles' hidden fields, computed fields), and the problems of the
changes a person sends with a task."""

from __future__ import annotations

from typing import Any

from jimu.engines.process import flow_errors
from jimu.engines.process.field_permissions import (
    edit_errors,
    missing_required,
    permission_problems,
    task_fields,
)
from tests.engines.process.flows import chain, flow_doc, node

S = node("s", "start", on="manual")
E = node("e", "end")
FIELDS = ["name", "terms", "notes", "total"]


def _problems(task: dict[str, Any]) -> dict[str, str]:
    return {p.pointer: p.message for p in flow_errors(flow_doc([S, task, E], chain("s", "a", "e")))}


def test_the_schema_takes_the_four_permissions_on_task_nodes_only() -> None:
    good = {"terms": "editable", "notes": "hidden", "name": "required", "total": "read_only"}
    assert _problems(node("a", "approval", field_permissions=good)) == {}
    assert _problems(node("a", "fill", field_permissions=good)) == {}
    wrong = _problems(node("a", "approval", field_permissions={"terms": "writable"}))
    assert list(wrong) == ["/nodes/1/field_permissions/terms"]
    assert "is not one of" in wrong["/nodes/1/field_permissions/terms"]
    bad_name = _problems(node("a", "approval", field_permissions={"Bad Name": "hidden"}))
    assert list(bad_name) == ["/nodes/1/field_permissions"]
    on_cc = flow_errors(
        flow_doc(
            [S, node("a", "cc", field_permissions={"terms": "hidden"}), E], chain("s", "a", "e")
        )
    )
    assert [(p.pointer, p.message) for p in on_cc] == [
        ("/nodes/1/field_permissions", "a cc node takes no 'field_permissions'")
    ]


def test_read_only_is_the_default_and_the_roles_hidden_fields_stay_hidden() -> None:
    at = node("a", "approval", field_permissions={"terms": "editable", "notes": "required"})
    plain = task_fields(at, FIELDS)
    assert plain.permissions == {
        "name": "read_only",
        "terms": "editable",
        "notes": "required",
        "total": "read_only",
    }
    assert plain.writable == {"terms", "notes"} and plain.required == {"notes"}
    # A node cannot reveal what a role hides, and computed fields are never written.
    guarded = task_fields(at, FIELDS, role_hidden={"notes"}, computed={"terms"})
    assert guarded.of("notes") == "hidden" and guarded.of("terms") == "read_only"
    assert guarded.hidden == {"notes"} and guarded.writable == frozenset()
    assert guarded.of("not_a_field") == "hidden"
    record = {"id": 3, "version": 2, "name": "A", "notes": "secret", "terms": "annual"}
    assert guarded.visible(record) == {"id": 3, "version": 2, "name": "A", "terms": "annual"}


def test_changes_to_fields_not_writable_at_the_task_are_named() -> None:
    at = node("a", "approval", field_permissions={"terms": "editable", "notes": "hidden"})
    fields = task_fields(at, FIELDS)
    assert edit_errors(fields, {"terms": "annual"}) == []
    problems = edit_errors(fields, {"name": "B", "notes": "x", "ghost": 1, "terms": "q"})
    assert [(p.pointer, p.code) for p in problems] == [
        ("/record/name", "read_only"),
        ("/record/notes", "unknown_field"),
        ("/record/ghost", "unknown_field"),
    ]
    # A hidden field is reported exactly like one the entity does not have.
    assert problems[1].message == "'notes' is not a field of this task's record"
    assert [p.pointer for p in edit_errors(fields, {"name": "B"}, prefix="")] == ["/name"]


def test_required_fields_must_have_a_value() -> None:
    at = node("a", "approval", field_permissions={"terms": "required", "notes": "required"})
    fields = task_fields(at, FIELDS)
    missing = missing_required(fields, {"terms": "", "notes": None})
    assert [(p.pointer, p.message) for p in missing] == [
        ("/record/terms", "is required at this step"),
        ("/record/notes", "is required at this step"),
    ]
    assert missing_required(fields, {"terms": "annual", "notes": "ok"}) == []
    assert [p.pointer for p in missing_required(fields, {"terms": [], "notes": "x"})] == [
        "/record/terms"
    ]


def test_publish_problems_against_the_entity() -> None:
    types = {"name": "text", "terms": "select", "total": "formula"}
    at = node(
        "a",
        "approval",
        field_permissions={"terms": "editable", "ghost": "hidden", "total": "required"},
    )
    problems = permission_problems(at, "/nodes/1", types, {"total"}, "contract")
    found = {p.pointer: (p.code, p.message) for p in problems}
    assert found["/nodes/1/field_permissions/ghost"] == (
        "reference",
        "there is no field 'ghost' on contract",
    )
    assert found["/nodes/1/field_permissions/total"][0] == "not_writable"
    assert "read-only or hidden, not required" in found["/nodes/1/field_permissions/total"][1]
    assert len(found) == 2
    # A read-only or hidden computed field is fine; without an entity nothing can be named.
    fine = node("a", "approval", field_permissions={"total": "hidden"})
    assert permission_problems(fine, "/nodes/1", types, {"total"}, "contract") == []
    alone = permission_problems(fine, "/nodes/1", None, set(), None)
    assert [(p.pointer, p.message) for p in alone] == [
        ("/nodes/1/field_permissions", "field permissions need the flow's entity")
    ]
