"""``move_to_pool``: checked at publish (the entity has a pool, the reason is one of its), run
by the worker: the lead goes back to the pool with the reason in its history, in the run's
transaction."""

from __future__ import annotations

from typing import Any

import pytest
from pool_testing import APP, create, documents, get, publish, records, setup

from jimu.errors import ValidationFailed
from jimu.platform import pool
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.rules import runs
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.state import Platform


def back_rule(**action: Any) -> dict[str, Any]:
    return {
        "kind": "rule",
        "name": "back_to_pool",
        "entity": "lead",
        "trigger": {"on": "updated", "fields": ["status"]},
        "condition": {"==": [{"var": "status"}, "new"]},
        "actions": [{"type": "move_to_pool", **action}],
    }


def test_the_worker_moves_the_lead_to_the_pool_with_the_reason(platform: Platform) -> None:
    users = setup(platform)
    publish(platform, [back_rule(reason="no_answer", note="no follow-up in 48 hours")])
    ann = users["ann"]
    lead = create(platform, name="Stale", owner_id=ann.id, status="working", next_step="call")
    with begin_write(platform.engine) as conn:
        records(platform).update(conn, "lead", lead["id"], {"status": "new"}, WriteContext(1))
    RuleWorker(platform, WorkerOptions()).drain()
    after = get(platform, lead["id"])
    assert after["owner_id"] is None and after["next_step"] is None
    with platform.engine.connect() as conn:
        (change,) = pool.owner_changes(conn, APP, "lead", lead["id"])
        assert (change["kind"], change["reason"], change["source"]) == ("pool", "no_answer", "rule")
        assert change["note"] == "no follow-up in 48 hours"
        assert pool.previous_owners(conn, APP, "lead", lead["id"]) == [ann.id]
        (run,) = runs.list_runs(conn, APP, rule="back_to_pool")
    assert run["status"] == "done"
    (effect,) = run["actions"]
    assert effect["kind"] == "to_pool" and effect["result"]["moved"] is True


def test_a_lead_in_the_pool_already_stays_there(platform: Platform) -> None:
    setup(platform)
    publish(platform, [back_rule(reason="no_answer")])
    lead = create(platform, name="Free", owner_id=None, status="working")
    with begin_write(platform.engine) as conn:
        records(platform).update(conn, "lead", lead["id"], {"status": "new"}, WriteContext(1))
    RuleWorker(platform, WorkerOptions()).drain()
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="back_to_pool")
    assert run["actions"][0]["result"] == {"moved": False, "why": "in_pool"}


@pytest.mark.parametrize(
    ("pool_settings", "action", "pointer", "message"),
    [
        ({"enabled": False}, {"reason": "no_answer"}, "/actions/0/type", "has no public pool"),
        (None, {"reason": "bored"}, "/actions/0/reason", "must be one of: no_answer"),
        (None, {}, "/actions/0/reason", "requires a reason"),
    ],
)
def test_publishing_checks_the_action(
    platform: Platform,
    pool_settings: dict[str, Any] | None,
    action: dict[str, Any],
    pointer: str,
    message: str,
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        publish(platform, [*documents(pool_settings), back_rule(**action)])
    found = [(e.pointer, e.message) for e in caught.value.errors]
    assert any(p.endswith(pointer) and message in m for p, m in found), found
