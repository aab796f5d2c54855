"""Effects a step carries out in its transaction: a cc node's notification in the inbox (the
rule engine's notify handler), a service node's actions written to the record (the rule
engine's actions), and sub-processes linked to their parent (the parent moves on at the
child's end; cancelling the parent cancels the child)."""

from __future__ import annotations

from typing import Any

from platform_testing import add_user

from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.process.instances import (
    all_tasks,
    complete_task,
    instance_trace,
    list_instances,
    open_tasks,
    send_event,
    start_instance,
)
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import PASSWORD, approval_flow, inbox, publish_app
from tests.platform.rules.rules_testing import APP, create, get, records


def _start(platform: Platform, flow: str, record_id: int, initiator: int) -> int:
    with begin_write(platform.engine) as conn:
        return start_instance(
            conn, records(platform), APP, flow, utcnow(), entity="lead", record_id=record_id,
            initiator_id=initiator, platform=platform,
        ).instance_id  # fmt: skip


def _complete(platform: Platform, task_id: int, user: int, outcome: str | None = None) -> str:
    with begin_write(platform.engine) as conn:
        return complete_task(
            conn, records(platform), task_id, utcnow(), outcome=outcome, user_id=user,
            platform=platform,
        ).status  # fmt: skip


def test_a_cc_node_notifies_its_recipients_in_the_inbox(platform: Platform) -> None:
    ann = add_user(platform, "ann", PASSWORD)
    bob = add_user(platform, "bob", PASSWORD)
    cc = {
        "id": "cc",
        "type": "cc",
        "recipients": [{"kind": "user", "id": bob.id}, {"kind": "initiator"}],
        "title": "Copy: {{ name }}",
    }
    publish_app(platform, [approval_flow("copy", [cc])])
    lead = create(platform, "lead", name="Wang")
    instance = _start(platform, "copy", lead["id"], ann.id)
    assert inbox(platform, bob.id) == ["Copy: Wang"]
    assert inbox(platform, ann.id) == ["Copy: Wang"]
    with platform.engine.connect() as conn:
        [step] = instance_trace(conn, instance)
        [row] = list_instances(conn, APP)
    assert row["status"] == "completed"
    [notice] = [e for e in step["effects"] if e["effect"] == "notify"]
    assert sorted(notice["notified"]) == sorted([bob.id, ann.id])


def test_a_service_node_writes_its_actions_to_the_record(platform: Platform) -> None:
    ann = add_user(platform, "ann", PASSWORD)
    service = {
        "id": "mark",
        "type": "service",
        "actions": [{"type": "set_fields", "values": {"status": "mql", "score": 90}}],
    }
    approve = {"id": "ok", "type": "approval", "assignees": [{"kind": "initiator"}]}
    publish_app(platform, [approval_flow("mark", [approve, service])])
    lead = create(platform, "lead", name="Li", status="new", score=10)
    instance = _start(platform, "mark", lead["id"], ann.id)
    with platform.engine.connect() as conn:
        [task] = open_tasks(conn, instance)
    assert _complete(platform, task["id"], ann.id) == "completed"
    stored = get(platform, "lead", lead["id"])
    assert stored["status"] == "mql" and stored["score"] == 90
    with platform.engine.connect() as conn:
        events = [s["event"]["type"] for s in instance_trace(conn, instance)]
    assert events == ["start", "task_done", "service_done"]


def test_a_service_node_that_fails_writes_nothing(platform: Platform) -> None:
    ann = add_user(platform, "ann", PASSWORD)
    service = {
        "id": "mark",
        "type": "service",
        "actions": [{"type": "set_fields", "values": {"score": "not a number"}}],
    }
    publish_app(platform, [approval_flow("bad", [service])])
    lead = create(platform, "lead", name="Li", score=10)
    try:
        _start(platform, "bad", lead["id"], ann.id)
    except Exception as exc:  # the step and the start are one transaction
        assert "score" in str(exc)
    else:
        raise AssertionError("a bad action must fail the step")
    with platform.engine.connect() as conn:
        assert list_instances(conn, APP) == []
    assert get(platform, "lead", lead["id"])["score"] == 10


def _parent_and_child(platform: Platform, approver: int) -> None:
    child = approval_flow(
        "child", [{"id": "c", "type": "approval", "assignees": [{"kind": "user", "id": approver}]}]
    )
    parent = approval_flow("parent", [{"id": "sub", "type": "subprocess", "flow": "child"}])
    publish_app(platform, [child, parent])


def _instances(platform: Platform) -> dict[str, dict[str, Any]]:
    with platform.engine.connect() as conn:
        return {i["flow"]: i for i in list_instances(conn, APP)}


def test_a_subprocess_completing_moves_its_parent_on(platform: Platform) -> None:
    ann = add_user(platform, "ann", PASSWORD)
    bob = add_user(platform, "bob", PASSWORD)
    _parent_and_child(platform, bob.id)
    lead = create(platform, "lead", name="Zhao")
    parent = _start(platform, "parent", lead["id"], ann.id)
    both = _instances(platform)
    assert both["parent"]["status"] == "running"
    child = both["child"]
    assert child["parent_id"] == parent and child["record_id"] == lead["id"]
    assert child["initiator_id"] == ann.id
    with platform.engine.connect() as conn:
        [task] = open_tasks(conn, child["id"])
    _complete(platform, task["id"], bob.id)
    both = _instances(platform)
    assert both["child"]["status"] == "completed" and both["parent"]["status"] == "completed"
    with platform.engine.connect() as conn:
        last = instance_trace(conn, parent)[-1]["event"]
    assert last == {"type": "subprocess_done", "token": "t1", "outcome": "complete"}


def test_cancelling_the_parent_cancels_the_child(platform: Platform) -> None:
    ann = add_user(platform, "ann", PASSWORD)
    _parent_and_child(platform, ann.id)
    lead = create(platform, "lead", name="Zhao")
    parent = _start(platform, "parent", lead["id"], ann.id)
    with begin_write(platform.engine) as conn:
        send_event(conn, records(platform), parent, {"type": "cancel_case"}, utcnow(),
                   platform=platform)  # fmt: skip
    both = _instances(platform)
    assert both["parent"]["status"] == "cancelled" and both["child"]["status"] == "cancelled"
    with platform.engine.connect() as conn:
        assert [t["status"] for t in all_tasks(conn, both["child"]["id"])] == ["cancelled"]


def test_publishing_checks_service_actions_fields_and_subprocesses(platform: Platform) -> None:
    import pytest

    from jimu.errors import ValidationFailed

    nodes = [
        {"id": "a", "type": "approval", "assignees": [{"kind": "field", "field": "name"}]},
        {
            "id": "svc",
            "type": "service",
            "actions": [{"type": "set_fields", "values": {"nope": 1}}],
        },
        {"id": "sub", "type": "subprocess", "flow": "missing"},
    ]
    with pytest.raises(ValidationFailed) as refused:
        publish_app(platform, [approval_flow("bad", nodes)])
    pointers = {e.pointer.split("#")[-1] for e in refused.value.errors}
    assert {"/nodes/1/assignees/0/field", "/nodes/3/flow"} <= pointers
    assert any(p.startswith("/nodes/2/actions/0/values") for p in pointers), pointers
