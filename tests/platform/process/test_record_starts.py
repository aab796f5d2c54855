"""Flows that start by themselves on record events (start ``on: created``, ``updated``,
``field_changed``), through the rule worker in the event's batch, on SQLite and PostgreSQL:
once per event, never a second running instance on a record for updates, with the event's
actor as the initiator, and a flow that cannot start leaves the event's rules running."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.process.instances import (
    INSTANCES,
    complete_task,
    list_instances,
    open_tasks,
)
from jimu.platform.records import WriteContext
from jimu.platform.rules.events import OUTBOX
from jimu.platform.state import Platform
from tests.platform.rules.rules_testing import (
    APP,
    create,
    get,
    publish,
    records,
    rule,
    update,
    worker,
)


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
    worker(platform).drain()  # the flow puts the status back: its own write, no new start
    assert [i["status"] for i in instances_of(platform, "undo")] == ["completed"]
    with platform.engine.connect() as conn:
        variables = list(conn.scalars(sa.select(INSTANCES.c.variables).order_by(INSTANCES.c.id)))
    assert variables == [{"old": {"status": "mql", "score": 3}}]
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


def test_a_flow_is_not_started_again_by_its_own_write_once_it_has_ended(
    platform: Platform,
) -> None:
    """A flow on ``field_changed`` whose service node writes the watched field: the write's
    chain of causes leads to the flow's step, so it does not start the flow again (its instance
    has ended, so the running check alone would let it); a user's later change, another flow's
    write, and the same flow's write on another record still start it."""
    bump = {
        "kind": "flow",
        "name": "bump",
        "entity": "lead",
        "nodes": [
            {"id": "s", "type": "start", "on": "field_changed", "fields": ["score"]},
            {"id": "add", "type": "service",
             "actions": [{"type": "set_fields", "formulas": {"score": "score + 1"}}]},
            {"id": "e", "type": "end"},
        ],
        "edges": [{"from": "s", "to": "add"}, {"from": "add", "to": "e"}],
    }  # fmt: skip
    other = {
        **started_flow("other", {"on": "field_changed", "fields": ["name"]}),
        "nodes": [
            {"id": "s", "type": "start", "on": "field_changed", "fields": ["name"]},
            {"id": "set", "type": "service",
             "actions": [{"type": "set_fields", "values": {"score": 100}}]},
            {"id": "e", "type": "end"},
        ],
        "edges": [{"from": "s", "to": "set"}, {"from": "set", "to": "e"}],
    }  # fmt: skip
    publish(platform, [bump, other])
    lead = create(platform, "lead", name="Ann", score=1)
    update(platform, "lead", lead["id"], score=5)
    for _ in range(3):
        worker(platform).drain()
    assert [i["status"] for i in instances_of(platform, "bump")] == ["completed"]
    assert records_get(platform, lead["id"])["score"] == 6  # once, not until the depth limit
    with platform.engine.connect() as conn:
        step = conn.execute(sa.select(OUTBOX).where(OUTBOX.c.kind == "flow_step")).one()
        write = conn.execute(
            sa.select(OUTBOX).where(OUTBOX.c.caused_by == step.id, OUTBOX.c.kind == "updated")
        ).one()
    assert step.payload["flow"] == "bump" and step.processed_at is not None
    assert (write.record_id, write.source, list(write.changed_fields)) == (
        lead["id"], "process", ["score"],
    )  # fmt: skip
    update(platform, "lead", lead["id"], score=10)  # a user's change starts it again
    worker(platform).drain()
    assert len(instances_of(platform, "bump")) == 2
    assert records_get(platform, lead["id"])["score"] == 11
    update(platform, "lead", lead["id"], name="Ann Lee")  # "other" writes score: bump starts
    worker(platform).drain()
    worker(platform).drain()
    assert len(instances_of(platform, "other")) == 1
    assert len(instances_of(platform, "bump")) == 3
    assert records_get(platform, lead["id"])["score"] == 101


DEAL = {
    "kind": "entity",
    "name": "deal",
    "label": {"en": "Deal"},
    "fields": [
        {"name": "title", "type": "text", "label": {"en": "Title"}},
        {"name": "price", "type": "decimal", "label": {"en": "Price"}, "scale": 2},
        {"name": "floor", "type": "money", "label": {"en": "Floor"}},
        {"name": "status", "type": "text", "label": {"en": "Status"}},
    ],
}


def test_a_gateway_compares_two_decimal_fields_as_numbers(platform: Platform) -> None:
    """Decimal fields reach conditions as numbers, in ``record`` and in ``vars.old``: 8.00 is
    below 10.00 (as text, "8.00" > "10.00")."""
    check = {
        "kind": "flow",
        "name": "check",
        "entity": "deal",
        "nodes": [
            {"id": "s", "type": "start", "on": "field_changed", "fields": ["price"]},
            {"id": "x", "type": "exclusive"},
            {"id": "low", "type": "service",
             "actions": [{"type": "set_fields", "values": {"status": "below"}}]},
            {"id": "high", "type": "service",
             "actions": [{"type": "set_fields", "values": {"status": "above"}}]},
            {"id": "e", "type": "end"},
        ],
        "edges": [
            {"from": "s", "to": "x"},
            {"from": "x", "to": "low",
             "condition": {"and": [{"<": [{"var": "record.price"}, {"var": "record.floor"}]},
                                   {">": [{"var": "vars.old.price"}, {"var": "record.price"}]}]}},
            {"from": "x", "to": "high", "default": True},
            {"from": "low", "to": "e"},
            {"from": "high", "to": "e"},
        ],
    }  # fmt: skip
    publish(platform, [DEAL, check])
    cheap = create(platform, "deal", title="cheap", price="12.00", floor="10.00")
    dear = create(platform, "deal", title="dear", price="9.00", floor="8.00")
    update(platform, "deal", cheap["id"], price="8.00")  # 8.00 < 10.00, and 12.00 > 8.00
    update(platform, "deal", dear["id"], price="10.00")  # 10.00 > 8.00
    worker(platform).drain()
    assert get(platform, "deal", cheap["id"])["status"] == "below"
    assert get(platform, "deal", dear["id"])["status"] == "above"
    with platform.engine.connect() as conn:
        variables = list(conn.scalars(sa.select(INSTANCES.c.variables).order_by(INSTANCES.c.id)))
    assert variables == [{"old": {"price": 12.0}}, {"old": {"price": 9.0}}]
