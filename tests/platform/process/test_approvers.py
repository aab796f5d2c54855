"""Approver resolution when a task is created (roles, department heads, the manager chain, a
user field, the owner), delegation while away, automatic approval, separation of duties and
incidents for an empty resolution — on SQLite and PostgreSQL — and the approval resource
patterns (role-based, direct and deferred allocation, separation of duties, delegation) as
flows with their expected traces."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.process import actions
from jimu.platform.process.instances import (
    INCIDENTS,
    all_tasks,
    complete_task,
    instance_trace,
    open_incidents,
    open_tasks,
    start_instance,
)
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import (
    USERS,
    Org,
    approval_flow,
    make_org,
    publish_app,
    set_away,
)
from tests.platform.rules.rules_testing import APP, create, records


@pytest.fixture
def org(platform: Platform) -> Org:
    return make_org(platform)


def start(platform: Platform, flow: str, initiator: int, **values: Any) -> int:
    lead = create(platform, "lead", name="Ann's lead", **values)
    with begin_write(platform.engine) as conn:
        result = start_instance(
            conn,
            records(platform),
            APP,
            flow,
            utcnow(),
            entity="lead",
            record_id=lead["id"],
            initiator_id=initiator,
            platform=platform,
        )
    return result.instance_id


def tasks_by_node(platform: Platform, instance: int) -> dict[str, list[int]]:
    with platform.engine.connect() as conn:
        return {t["node"]: t["users"] for t in open_tasks(conn, instance)}


def approve(platform: Platform, instance: int, node: str, user: int | None = None) -> str:
    with platform.engine.connect() as conn:
        task = next(t for t in open_tasks(conn, instance) if t["node"] == node)
    with begin_write(platform.engine) as conn:
        return complete_task(
            conn,
            records(platform),
            task["id"],
            utcnow(),
            user_id=user if user is not None else task["users"][0],
            platform=platform,
        ).status


def steps(platform: Platform, instance: int) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return instance_trace(conn, instance)


def test_each_kind_of_approver_resolves_to_users(platform: Platform, org: Org) -> None:
    kinds = {
        "finance": [{"kind": "role", "role": "finance"}],
        "auditor": [{"kind": "role", "role": "auditor"}],  # a department's role reaches below
        "my_head": [{"kind": "department_head"}],  # the initiator's main department
        "audit_head": [{"kind": "department_head", "department": org.audit}],  # none: parent's
        "skip_level": [{"kind": "manager", "level": 2}],
        "reviewer": [{"kind": "field", "field": "reviewer"}],
        "team": [{"kind": "field", "field": "team"}],  # a department field: its members
        "owner": [{"kind": "owner"}],
        "direct": [{"kind": "user", "id": org.dave}],
        "several": [{"kind": "role", "role": "director"}, {"kind": "user", "id": org.eve}],
    }
    split = {"id": "split", "type": "parallel"}
    join = {"id": "join", "type": "join"}
    nodes = [{"id": k, "type": "approval", "assignees": v} for k, v in kinds.items()]
    doc = {
        "kind": "flow",
        "name": "everyone",
        "entity": "lead",
        "nodes": [{"id": "s", "type": "start"}, split, *nodes, join, {"id": "e", "type": "end"}],
        "edges": [
            {"from": "s", "to": "split"},
            *({"from": "split", "to": k} for k in kinds),
            *({"from": k, "to": "join"} for k in kinds),
            {"from": "join", "to": "e"},
        ],
    }
    publish_app(platform, [doc])
    instance = start(platform, "everyone", org.ann, reviewer=org.frank, team=org.sales)
    # The record's owner is who created it (user 1: the first user made, ann).
    assert tasks_by_node(platform, instance) == {
        "finance": [org.eve],
        "auditor": [org.frank, org.gina],
        "my_head": [org.bob],
        "audit_head": [org.gina],
        "skip_level": [org.carol],
        "reviewer": [org.frank],
        "team": [org.ann, org.bob],
        "owner": [org.ann],
        "direct": [org.dave],
        "several": [org.carol, org.eve],
    }


def test_open_tasks_keep_their_people_when_the_organisation_changes(
    platform: Platform, org: Org
) -> None:
    publish_app(platform, [approval_flow("boss", [_approval("m", {"kind": "manager"})])])
    instance = start(platform, "boss", org.ann)
    assert tasks_by_node(platform, instance) == {"m": [org.bob]}
    with begin_write(platform.engine) as conn:
        conn.execute(sa.update(USERS).where(USERS.c.id == org.ann).values(manager_id=org.dave))
    assert tasks_by_node(platform, instance) == {"m": [org.bob]}
    assert approve(platform, instance, "m") == "completed"


def _approval(node_id: str, *entries: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"id": node_id, "type": "approval", "assignees": list(entries), **options}


def test_manager_chain_approves_level_by_level_up_to_a_role(platform: Platform, org: Org) -> None:
    chain = {"kind": "manager_chain", "levels": 5, "until_role": "director"}
    publish_app(platform, [approval_flow("chain", [_approval("up", chain)])])
    instance = start(platform, "chain", org.ann)
    assert tasks_by_node(platform, instance) == {"up": [org.bob]}
    assert approve(platform, instance, "up") == "running"
    assert tasks_by_node(platform, instance) == {"up": [org.carol]}  # stops at the director
    assert approve(platform, instance, "up") == "completed"
    handed = steps(platform, instance)[1]["event"]
    assert handed["type"] == "task_done" and handed["by"] == org.bob and "next" in handed
    # A rejection on the way ends it at once.
    other = start(platform, "chain", org.ann)
    with platform.engine.connect() as conn:
        [task] = open_tasks(conn, other)
    with begin_write(platform.engine) as conn:
        complete_task(conn, records(platform), task["id"], utcnow(), outcome="reject",
                      user_id=org.bob, platform=platform)  # fmt: skip
    assert tasks_by_node(platform, other) == {}


def test_an_approver_away_today_is_replaced_by_their_manager(platform: Platform, org: Org) -> None:
    now = utcnow()
    set_away(platform, org.bob, now - timedelta(days=1), now + timedelta(days=3))
    publish_app(platform, [approval_flow("boss", [_approval("m", {"kind": "manager"})])])
    instance = start(platform, "boss", org.ann)
    with platform.engine.connect() as conn:
        [task] = open_tasks(conn, instance)
    assert task["users"] == [org.carol]
    assert task["origin"]["delegated"] == [{"user": org.carol, "for": org.bob}]
    created = steps(platform, instance)[0]["effects"][0]
    assert created["users"] == [org.carol]
    # Back from leave: the next request goes to bob again.
    set_away(platform, org.bob, now - timedelta(days=3), now - timedelta(days=1))
    assert tasks_by_node(platform, start(platform, "boss", org.ann)) == {"m": [org.bob]}


def test_automatic_approval_for_the_initiator_and_a_repeat_approver(
    platform: Platform, org: Org
) -> None:
    auto = ["initiator", "repeat"]
    nodes = [
        _approval("first", {"kind": "manager"}),
        _approval("again", {"kind": "department_head"}, auto_approve=auto),  # bob again
        _approval("self", {"kind": "initiator"}, auto_approve=auto),
        _approval("gm", {"kind": "user", "id": org.dave}, auto_approve=auto),
    ]
    publish_app(platform, [approval_flow("auto", nodes)])
    instance = start(platform, "auto", org.ann)
    assert approve(platform, instance, "first") == "running"
    assert tasks_by_node(platform, instance) == {"gm": [org.dave]}
    with platform.engine.connect() as conn:
        done = [
            (t["node"], t["outcome"], t["origin"].get("auto")) for t in all_tasks(conn, instance)
        ]
    assert done[:3] == [
        ("first", "approve", None),
        ("again", "approve", "repeat"),
        ("self", "approve", "initiator"),
    ]
    autos = [s["event"].get("auto") for s in steps(platform, instance)]
    assert autos == [None, None, "repeat", "initiator"]


def test_separation_of_duties_and_an_empty_resolution_is_an_incident(
    platform: Platform, org: Org
) -> None:
    nodes = [_approval("check", {"kind": "initiator"}, {"kind": "manager"}, exclude_initiator=True)]
    alone = [_approval("check", {"kind": "initiator"}, exclude_initiator=True)]
    nobody = [_approval("check", {"kind": "role", "role": "nobody"})]
    publish_app(
        platform,
        [approval_flow("sod", nodes), approval_flow("alone", alone), approval_flow("none", nobody)],
    )
    assert tasks_by_node(platform, start(platform, "sod", org.ann)) == {"check": [org.bob]}
    for flow, text in (("alone", "initiator may not approve"), ("none", "no user")):
        instance = start(platform, flow, org.ann)
        assert tasks_by_node(platform, instance) == {"check": []}
        with platform.engine.connect() as conn:
            [incident] = open_incidents(conn, instance)
            [task] = open_tasks(conn, instance)
        assert text in incident["error"] and f"Task {task['id']}" in incident["error"]
        # An administrator transfers the task: the incident is resolved, the flow goes on.
        with begin_write(platform.engine) as conn:
            actions.transfer_task(conn, task["id"], org.gina, utcnow(), user_id=None)
        with platform.engine.connect() as conn:
            assert open_incidents(conn, instance) == []
            assert conn.execute(sa.select(INCIDENTS.c.resolved_at)).scalars().all()[-1]
        assert approve(platform, instance, "check") == "completed"


# -- the approval resource patterns as flows with traces ------------------------------------


def _trace(platform: Platform, instance: int) -> list[tuple[str, list[int]]]:
    """Each step's event type with the users of the tasks it created."""
    return [
        (
            s["event"]["type"],
            [u for e in s["effects"] if e["effect"] == "create_task" for u in e["users"]],
        )
        for s in steps(platform, instance)
    ]


def test_resource_patterns_as_flows(platform: Platform, org: Org) -> None:
    flows = [
        approval_flow("role_based", [_approval("a", {"kind": "role", "role": "finance"})]),
        approval_flow("direct", [_approval("a", {"kind": "user", "id": org.dave})]),
        approval_flow(
            "deferred",
            [
                {"id": "f", "type": "fill", "assignees": [{"kind": "initiator"}]},
                _approval("a", {"kind": "field", "field": "reviewer"}),
            ],
        ),
        approval_flow(
            "sod",
            [
                {"id": "f", "type": "fill", "assignees": [{"kind": "role", "role": "director"}]},
                _approval(
                    "a",
                    {"kind": "role", "role": "director"},
                    {"kind": "user", "id": org.eve},
                    exclude_initiator=True,
                ),
            ],
        ),
        approval_flow("delegation", [_approval("a", {"kind": "user", "id": org.eve})]),
    ]
    publish_app(platform, flows)
    # Role-based allocation: whoever holds the role.
    role = start(platform, "role_based", org.ann)
    approve(platform, role, "a")
    assert _trace(platform, role) == [("start", [org.eve]), ("task_done", [])]
    # Direct allocation: the named user.
    direct = start(platform, "direct", org.ann)
    assert _trace(platform, direct) == [("start", [org.dave])]
    # Deferred allocation: the reviewer is read when the approval is reached, not at start.
    deferred = start(platform, "deferred", org.ann)
    lead_id = _record_of(platform, deferred)
    with begin_write(platform.engine) as conn:
        records(platform).update(conn, "lead", lead_id, {"reviewer": org.gina}, _ctx())
    approve(platform, deferred, "f", org.ann)
    assert _trace(platform, deferred) == [("start", [org.ann]), ("task_done", [org.gina])]
    # Separation of duties: carol started it, so carol does not approve it.
    sod = start(platform, "sod", org.carol)
    approve(platform, sod, "f", org.carol)
    assert _trace(platform, sod) == [("start", [org.carol]), ("task_done", [org.eve])]
    # Delegation: eve is away, her manager… she has none, so she keeps it; give her one.
    now = utcnow()
    with begin_write(platform.engine) as conn:
        conn.execute(sa.update(USERS).where(USERS.c.id == org.eve).values(manager_id=org.gina))
    set_away(platform, org.eve, now - timedelta(hours=1), None)
    delegated = start(platform, "delegation", org.ann)
    assert _trace(platform, delegated) == [("start", [org.gina])]


def _record_of(platform: Platform, instance: int) -> int:
    from jimu.platform.process.instances import INSTANCES

    with platform.engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(INSTANCES.c.record_id).where(INSTANCES.c.id == instance)
            ).scalar_one()
        )


def _ctx() -> Any:
    from jimu.platform.records import WriteContext

    return WriteContext(1, "api")


def test_a_repeat_approver_in_a_chain_is_skipped_to_the_next_level(
    platform: Platform, org: Org
) -> None:
    chain = {"kind": "manager_chain", "levels": 2}
    nodes = [
        _approval("first", {"kind": "manager"}),
        _approval("up", chain, auto_approve=["repeat"]),
    ]
    publish_app(platform, [approval_flow("skip", nodes)])
    instance = start(platform, "skip", org.ann)
    approve(platform, instance, "first")
    assert tasks_by_node(platform, instance) == {"up": [org.carol]}  # bob approved already
    assert approve(platform, instance, "up") == "completed"
    events = [(s["event"]["type"], s["event"].get("auto")) for s in steps(platform, instance)]
    assert events == [
        ("start", None),
        ("task_done", None),
        ("task_done", "repeat"),
        ("task_done", None),
    ]


def test_round_robin_gives_each_new_task_to_the_next_holder(platform: Platform, org: Org) -> None:
    # auditor: frank and gina (a department's role); each request goes to the next of them.
    publish_app(
        platform,
        [approval_flow("turns", [_approval("a", {"kind": "round_robin", "role": "auditor"})])],
    )
    given = [tasks_by_node(platform, start(platform, "turns", org.ann))["a"] for _ in range(3)]
    assert given == [[org.frank], [org.gina], [org.frank]]
