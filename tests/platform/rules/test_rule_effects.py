"""Effects: an action plans a side effect, its platform handler carries it out inside the run's
savepoint, in order with the record writes; a failing handler undoes the whole run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from rules_testing import APP, create, get, publish, records, rule, worker

from jimu.engines.rule import ACTIONS, ActionType, PlannedEffect, RecordView, register_action
from jimu.engines.rule.actions import RuleScope
from jimu.engines.rule.plan import Planned
from jimu.platform.rules import runs
from jimu.platform.rules.effects import EFFECTS, EffectContext, register_effect
from jimu.platform.state import Platform


class Stamp(ActionType):
    """Plans a ``stamp`` effect carrying the record's name and a note."""

    name: ClassVar[str] = "test_stamp"
    properties: ClassVar[dict[str, Any]] = {"note": {"type": "string"}}
    required: ClassVar[tuple[str, ...]] = ("note",)

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Any:
        note = str(spec["note"])

        def plan(record: RecordView, index: int) -> Sequence[Planned]:
            payload = {"note": note, "name": record.values.get("name")}
            return [PlannedEffect(index, "test_stamp", entity, record.record_id, payload)]

        return plan


def stamp(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    """Writes through the run's connection: a task naming the note (the handler's side effect)."""
    if effect.payload["note"] == "explode":
        raise RuntimeError("the stamp broke")
    title = f"{effect.payload['note']}: {effect.payload['name']}"
    created = context.records.create(context.conn, "task", {"title": title}, context.write)
    return {"task": created["id"], "key": context.idempotency_key(effect)}


@pytest.fixture(autouse=True)
def stamp_registered() -> Iterator[None]:
    register_action(Stamp())
    register_effect("test_stamp", stamp)
    yield
    ACTIONS.pop("test_stamp")
    EFFECTS.pop("test_stamp")


def task_titles(platform: Platform) -> list[str]:
    with platform.engine.connect() as conn:
        return [t["title"] for t in records(platform).list(conn, "task").items]


def test_an_effect_runs_in_order_with_the_writes_and_is_logged(platform: Platform) -> None:
    actions = [
        {"type": "set_fields", "values": {"status": "mql"}},
        {"type": "test_stamp", "note": "hello"},
        {"type": "add_score", "field": "score", "amount": 5},
    ]
    publish(platform, [rule("stamp", trigger={"on": "created"}, actions=actions)])
    lead = create(platform, "lead", name="Ann", score=1)
    worker(platform).drain()
    assert task_titles(platform) == ["hello: Ann"]
    assert get(platform, "lead", lead["id"])["score"] == 6
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="stamp")
    assert [a["op"] for a in run["actions"]] == ["update", "effect"]
    effect = run["actions"][1]
    assert effect["kind"] == "test_stamp" and effect["payload"]["name"] == "Ann"
    assert effect["result"]["key"] == f"rule:{APP}:stamp:{run['event_id']}:1"


def test_a_failing_effect_undoes_the_whole_run(platform: Platform) -> None:
    actions = [
        {"type": "set_fields", "values": {"status": "mql"}},
        {"type": "test_stamp", "note": "explode"},
    ]
    publish(platform, [rule("boom", trigger={"on": "created"}, actions=actions)])
    lead = create(platform, "lead", name="Bob")
    worker(platform).drain()
    assert get(platform, "lead", lead["id"])["status"] is None
    assert task_titles(platform) == []
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="boom")
        assert run["status"] == "retry" and "the stamp broke" in run["error"]
        assert conn.execute(sa.text("select count(*) from jimu_rule_run")).scalar() == 1


def test_the_test_run_lists_effects_without_carrying_them_out(platform: Platform) -> None:
    actions = [{"type": "test_stamp", "note": "dry"}]
    body = rule("dry", trigger={"on": "created"}, actions=actions)
    publish(platform, [])
    lead = create(platform, "lead", name="Cy")
    with platform.engine.connect() as conn:
        answer = runs.test_run(conn, records(platform), body, lead["id"])
    assert answer["actions"] == [
        {"op": "effect", "kind": "test_stamp", "entity": "lead", "record_id": lead["id"],
         "payload": {"note": "dry", "name": "Cy"}, "actions": [0]}
    ]  # fmt: skip
    assert task_titles(platform) == []
