"""Durable process instances on SQLite and PostgreSQL: rows for instances, tokens, tasks and
timers, one transaction per step, the flow version kept, timers fired by the shared worker,
incidents after retries, and rules starting flows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.process import ProcessError
from jimu.errors import ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.process import starter
from jimu.platform.process.instances import (
    INCIDENTS,
    TASKS,
    TIMERS,
    TOKENS,
    complete_task,
    instance_trace,
    list_instances,
    open_tasks,
    start_instance,
)
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.state import Platform
from tests.platform.rules.rules_testing import APP, create, publish, records, rule

HOT = {">=": [{"var": "record.score"}, 60]}
APPROVED = {"==": [{"var": "outcome"}, "approve"]}


def flow(name: str = "review", nodes: Any = None, edges: Any = None) -> dict[str, Any]:
    return {
        "kind": "flow",
        "name": name,
        "entity": "lead",
        "nodes": nodes
        or [
            {"id": "s", "type": "start", "on": "manual"},
            {"id": "x", "type": "exclusive"},
            {"id": "boss", "type": "approval"},
            {"id": "clerk", "type": "fill"},
            {"id": "ok", "type": "end"},
            {"id": "no", "type": "end", "result": "reject"},
        ],
        "edges": edges
        or [
            {"from": "s", "to": "x"},
            {"from": "x", "to": "boss", "condition": HOT},
            {"from": "x", "to": "clerk", "default": True},
            {"from": "boss", "to": "ok", "condition": APPROVED},
            {"from": "boss", "to": "no", "default": True},
            {"from": "clerk", "to": "ok"},
        ],
    }


def start(platform: Platform, name: str, record_id: int) -> int:
    with begin_write(platform.engine) as conn:
        result = start_instance(
            conn, records(platform), APP, name, utcnow(), entity="lead", record_id=record_id
        )
    return result.instance_id


def tasks(platform: Platform, instance_id: int) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return open_tasks(conn, instance_id)


def complete(platform: Platform, task_id: int, outcome: str | None = None) -> str:
    with begin_write(platform.engine) as conn:
        return complete_task(conn, records(platform), task_id, utcnow(), outcome=outcome).status


def test_an_instance_runs_on_its_record_step_by_step(platform: Platform) -> None:
    publish(platform, [flow()])
    hot = create(platform, "lead", name="Ann", score=80)
    instance = start(platform, "review", hot["id"])
    [task] = tasks(platform, instance)
    assert (task["node"], task["kind"]) == ("boss", "approval")
    assert complete(platform, task["id"], "approve") == "completed"
    with platform.engine.connect() as conn:
        assert [s["trace"] for s in instance_trace(conn, instance)] == [
            ["s", "x", "boss"],
            ["ok"],
        ]
        assert conn.execute(sa.select(TOKENS)).all() == []  # an ended instance keeps no tokens
        row = conn.execute(sa.select(TASKS.c.status, TASKS.c.outcome)).one()
        assert tuple(row) == ("done", "approve")
        [listed] = list_instances(conn, APP, flow="review")
        assert listed["status"] == "completed" and listed["ended_at"] is not None
    cold = create(platform, "lead", name="Bob", score=10)
    assert [t["node"] for t in tasks(platform, start(platform, "review", cold["id"]))] == ["clerk"]


def test_a_task_completes_once_and_bad_outcomes_write_nothing(platform: Platform) -> None:
    publish(platform, [flow()])
    lead = create(platform, "lead", name="Ann", score=80)
    instance = start(platform, "review", lead["id"])
    [task] = tasks(platform, instance)
    with pytest.raises(ProcessError, match="not an outcome"):
        complete(platform, task["id"], "maybe")
    assert tasks(platform, instance) == [task]  # the failed step left the task open
    complete(platform, task["id"], "reject")
    with pytest.raises(ProcessError, match="is done"):
        complete(platform, task["id"], "approve")
    with platform.engine.connect() as conn:
        assert list_instances(conn, APP)[0]["status"] == "rejected"


def test_running_instances_keep_their_flow_version(platform: Platform) -> None:
    publish(platform, [flow()])
    lead = create(platform, "lead", name="Ann", score=80)
    instance = start(platform, "review", lead["id"])
    changed = flow()
    changed["nodes"][2]["outcomes"] = ["yes", "no"]
    changed["edges"][3]["condition"] = {"==": [{"var": "outcome"}, "yes"]}
    publish(platform, [changed], first=False)
    [task] = tasks(platform, instance)
    assert complete(platform, task["id"], "approve") == "completed"  # version 1's outcomes
    newer = start(platform, "review", lead["id"])
    with pytest.raises(ProcessError, match="'approve' is not an outcome"):
        complete(platform, tasks(platform, newer)[0]["id"], "approve")


def test_publishing_a_broken_flow_points_at_the_node(platform: Platform) -> None:
    publish(platform)
    broken = flow(
        nodes=[
            {"id": "s", "type": "start"},
            {"id": "a", "type": "fill"},
            {"id": "lost", "type": "fill"},
            {"id": "e", "type": "end"},
        ],
        edges=[{"from": "s", "to": "a"}, {"from": "a", "to": "e"}, {"from": "lost", "to": "e"}],
    )
    with pytest.raises(ValidationFailed) as caught, begin_write(platform.engine) as conn:
        store.save_draft(conn, APP, "flow", "review", broken)
        store.publish(conn, APP)
    assert [e.pointer for e in caught.value.errors] == ["flows/review.json#/nodes/2"]


def _timer_flow(after: dict[str, Any]) -> dict[str, Any]:
    return flow(
        "wait",
        nodes=[
            {"id": "s", "type": "start"},
            {"id": "t", "type": "timer", "delay": {"amount": 2, "unit": "hours"}},
            after,
            {"id": "e", "type": "end"},
        ],
        edges=[
            {"from": "s", "to": "t"},
            {"from": "t", "to": after["id"]},
            {
                "from": after["id"],
                "to": "e",
                **({"default": True} if after["type"] == "exclusive" else {}),
            },
        ],
    )


def test_the_shared_worker_fires_process_timers(platform: Platform) -> None:
    publish(platform, [_timer_flow({"id": "chase", "type": "fill"})])
    lead = create(platform, "lead", name="Ann", score=1)
    instance = start(platform, "wait", lead["id"])
    assert tasks(platform, instance) == []
    now = utcnow()
    RuleWorker(platform, clock=lambda: now).drain()
    assert tasks(platform, instance) == []  # not due yet
    RuleWorker(platform, clock=lambda: now + timedelta(hours=3)).drain()
    assert [t["node"] for t in tasks(platform, instance)] == ["chase"]
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(TIMERS)).all() == []


def test_a_step_that_keeps_failing_becomes_an_incident(platform: Platform) -> None:
    failing = {"id": "x", "type": "exclusive"}
    doc = _timer_flow(failing)
    doc["edges"].append({"from": "x", "to": "e", "condition": {"/": [1, {"var": "vars.zero"}]}})
    publish(platform, [doc])
    lead = create(platform, "lead", name="Ann", score=1)
    with begin_write(platform.engine) as conn:
        instance = start_instance(
            conn,
            records(platform),
            APP,
            "wait",
            utcnow(),
            entity="lead",
            record_id=lead["id"],
            variables={"zero": 0},
        ).instance_id
    later = utcnow() + timedelta(hours=3)
    options = WorkerOptions(max_attempts=2, retry_seconds=1.0)
    RuleWorker(platform, options, clock=lambda: later).drain()
    with platform.engine.connect() as conn:
        [timer] = conn.execute(sa.select(TIMERS)).all()
        assert timer.attempts == 1 and "ProcessError" in timer.last_error
    RuleWorker(platform, options, clock=lambda: later + timedelta(minutes=1)).drain()
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(TIMERS)).all() == []
        [incident] = conn.execute(sa.select(INCIDENTS)).all()
        assert incident.instance_id == instance and incident.attempts == 2
        assert incident.event == {"type": "timer_fired", "token": "t1"}
        assert list_instances(conn, APP)[0]["status"] == "running"


def test_a_rule_starts_a_flow_in_its_run(platform: Platform) -> None:
    starter.install()  # shipped installed (jimu.platform.rules.effect_kinds); idempotent
    action = {"type": "start_process", "process": "review"}
    publish(platform, [flow(), rule("kickoff", trigger={"on": "created"}, actions=[action])])
    lead = create(platform, "lead", name="Ann", score=90)
    RuleWorker(platform).drain()
    with platform.engine.connect() as conn:
        [instance] = list_instances(conn, APP)
    assert (instance["record_id"], instance["status"]) == (lead["id"], "running")
    assert [t["node"] for t in tasks(platform, instance["id"])] == ["boss"]
