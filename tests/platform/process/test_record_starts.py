"""Flows that start by themselves on record events (start ``on: created``, ``updated``,
``field_changed``), through the rule worker in the event's batch, on SQLite and PostgreSQL:
once per event, never a second running instance on a record for updates, with the event's
actor as the initiator, and a flow that cannot start leaves the event's rules running."""

from __future__ import annotations

from typing import Any

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
