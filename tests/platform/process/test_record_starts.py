"""Flows that start by themselves on record events (start ``on: created``, ``updated``,
``field_changed``), through the rule worker in the event's batch, on SQLite and PostgreSQL:
once per event, never a second running instance on a record for updates, with the event's
actor as the initiator, and a flow that cannot start leaves the event's rules running."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.process.instances import complete_task, list_instances, open_tasks
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform
from tests.platform.rules.rules_testing import APP, create, publish, records, rule, update, worker


def started_flow(name: str, start: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "flow",
        "name": name,
        "entity": "lead",
        "nodes": [{"id": "s", "type": "start", **start}, {"id": "look", "type": "fill"},
                  {"id": "e", "type": "end"}],
        "edges": [{"from": "s", "to": "look"}, {"from": "look", "to": "e"}],
    }  # fmt: skip


def instances_of(platform: Platform, flow: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return [i for i in list_instances(conn, APP) if i["flow"] == flow]


def test_a_flow_on_created_starts_once_per_new_record_with_its_creator(
    platform: Platform,
) -> None:
    publish(platform, [started_flow("welcome", {"on": "created"})])
    with begin_write(platform.engine) as conn:
        lead = records(platform).create(conn, "lead", {"name": "Ann"}, WriteContext(1, "api"))
    create(platform, "lead", name="Bob")
    worker(platform).drain()
    worker(platform).drain()  # nothing left: no second start
    started = instances_of(platform, "welcome")
    assert sorted(i["record_id"] for i in started) == sorted([lead["id"], lead["id"] + 1])
    assert {i["initiator_id"] for i in started} == {1}
    update(platform, "lead", lead["id"], name="Ann Lee")
    worker(platform).drain()
    assert len(instances_of(platform, "welcome")) == 2  # updates do not start it


def test_a_flow_on_field_changed_starts_when_a_watched_field_changes_and_not_twice(
    platform: Platform,
) -> None:
    publish(platform, [started_flow("rescore", {"on": "field_changed", "fields": ["score"]})])
    lead = create(platform, "lead", name="Ann", score=1)
    worker(platform).drain()
    assert instances_of(platform, "rescore") == []  # created is not a change
    update(platform, "lead", lead["id"], name="Ann Lee")
    worker(platform).drain()
    assert instances_of(platform, "rescore") == []
    update(platform, "lead", lead["id"], score=50)
    update(platform, "lead", lead["id"], score=60)  # while the first still runs
    worker(platform).drain()
    [first] = instances_of(platform, "rescore")
    with begin_write(platform.engine) as conn:
        [task] = open_tasks(conn, first["id"])
        complete_task(conn, records(platform), task["id"], utcnow())
    update(platform, "lead", lead["id"], score=70)
    worker(platform).drain()
    assert [i["status"] for i in instances_of(platform, "rescore")] == ["running", "completed"]


def test_a_flow_started_by_an_update_knows_the_values_before_it_and_can_put_them_back(
    platform: Platform,
) -> None:
    """The changed fields' values before the update are the instance's ``vars.old``: a
    condition reads them, and a service node's formulas read them as ``$old``."""
    flow = {
        "kind": "flow",
        "name": "undo",
        "entity": "lead",
        "nodes": [
            {"id": "s", "type": "start", "on": "field_changed", "fields": ["status"]},
            {"id": "x", "type": "exclusive"},
            {"id": "back", "type": "service",
             "actions": [{"type": "set_fields", "formulas": {"status": "$old.status"}}]},
            {"id": "e", "type": "end"},
        ],
        "edges": [
            {"from": "s", "to": "x"},
            {"from": "x", "to": "back", "condition": {"==": [{"var": "vars.old.status"}, "mql"]}},
            {"from": "x", "to": "e", "default": True},
            {"from": "back", "to": "e"},
        ],
    }  # fmt: skip
    publish(platform, [flow])
    lead = create(platform, "lead", name="Ann", status="mql", score=3)
    update(platform, "lead", lead["id"], status="won", score=4)
    worker(platform).drain()  # the flow puts the status back; that write starts it again
    assert [i["status"] for i in instances_of(platform, "undo")] == ["completed", "completed"]
    with platform.engine.connect() as conn:
        from jimu.platform.process.instances import INSTANCES

        variables = list(conn.scalars(sa.select(INSTANCES.c.variables).order_by(INSTANCES.c.id)))
    assert variables[0] == {"old": {"status": "mql", "score": 3}}
    assert variables[1] == {"old": {"status": "won"}}  # from won: nothing to put back
    assert records_get(platform, lead["id"])["status"] == "mql"  # put back by $old.status


def records_get(platform: Platform, lead: int) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return records(platform).get(conn, "lead", lead)


def test_a_flow_that_cannot_start_leaves_the_rules_running(platform: Platform) -> None:
    broken = started_flow("broken", {"on": "created"})
    divide = {">": [{"/": [1, {"var": "record.score"}]}, 0]}  # fails on a score of 0
    broken["nodes"][1] = {"id": "look", "type": "exclusive"}
    broken["edges"] = [{"from": "s", "to": "look"},
                       {"from": "look", "to": "e", "condition": divide},
                       {"from": "look", "to": "e", "default": True}]  # fmt: skip
    mark = rule("mark", trigger={"on": "created"},
                actions=[{"type": "set_fields", "values": {"status": "mql"}}])  # fmt: skip
    publish(platform, [broken, mark])
    lead = create(platform, "lead", name="Ann", score=0)
    worker(platform).drain()
    with platform.engine.connect() as conn:
        assert records(platform).get(conn, "lead", lead["id"])["status"] == "mql"
    assert instances_of(platform, "broken") == []
    create(platform, "lead", name="Bob", score=5)
    worker(platform).drain()
    assert [i["status"] for i in instances_of(platform, "broken")] == ["completed"]
