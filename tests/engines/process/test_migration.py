"""Moving an instance's state to another version of its flow (the pure part): tokens mapped,
tasks kept or renewed, timers planned again, joins and trails renamed, and every refusal named
at ``/mapping/<node>``."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.process import apply_delta, load_flow, step
from jimu.engines.process.migration import MigrationRefused, check_mapping, migrate
from tests.engines.process.flows import chain, edge, flow_doc, node

ALICE = [{"kind": "user", "id": 1}]
BOB = [{"kind": "user", "id": 2}]


def _sequence(*middle: dict[str, Any]) -> Any:
    ids = ["s", *[n["id"] for n in middle], "e"]
    return load_flow(flow_doc([node("s", "start"), *middle, node("e", "end")], chain(*ids)))


def _started(flow: Any) -> dict[str, Any]:
    return step(flow, None, {"type": "start"}).state


def test_a_task_token_moves_by_id_and_keeps_its_tasks() -> None:
    old = _sequence(node("a", "approval", assignees=ALICE))
    new = _sequence(node("a", "approval", assignees=ALICE), node("b", "approval"))
    state = _started(old)
    moved = migrate(old, new, state)
    assert moved.moves == [{"token": "t1", "from": "a", "to": "a", "tasks": "kept"}]
    assert moved.effects == [] and moved.delta == {}
    done = step(new, moved.state, {"type": "task_done", "token": "t1", "outcome": "approve"})
    assert done.trace == ["b"]  # the new version's graph


def test_a_renamed_node_moves_its_tasks_and_other_people_renew_them() -> None:
    old = _sequence(node("fill", "fill"), node("a", "approval", assignees=ALICE))
    state = step(old, _started(old), {"type": "task_done", "token": "t1"}).state
    renamed = _sequence(node("fill", "fill"), node("chief", "approval", assignees=ALICE))
    moved = migrate(old, renamed, state, {"a": "chief"})
    assert moved.effects == [{"effect": "move_task", "token": "t1", "from": "a", "node": "chief"}]
    assert moved.state["tokens"]["t1"]["node"] == "chief"
    assert moved.state["tokens"]["t1"]["trail"] == ["fill", "chief"]
    assert apply_delta(state, moved.delta) == moved.state

    others = _sequence(node("fill", "fill"), node("a", "approval", assignees=BOB))
    renewed = migrate(old, others, state)
    assert [(e["effect"], e["node"]) for e in renewed.effects] == [
        ("cancel_task", "a"),
        ("create_task", "a"),
    ]
    assert renewed.effects[1]["assignees"] == BOB and renewed.moves[0]["tasks"] == "renewed"


def test_refusals_name_the_node() -> None:
    old = _sequence(node("a", "approval"))
    new = _sequence(node("b", "fill"), node("w", "timer", delay={"amount": 1, "unit": "days"}))
    state = _started(old)
    with pytest.raises(MigrationRefused) as caught:
        migrate(old, new, state)
    [problem] = caught.value.errors
    assert problem.pointer == "/mapping/a" and "map it" in problem.message
    with pytest.raises(MigrationRefused) as caught:
        migrate(old, new, state, {"a": "b"})
    assert "'approval'" in caught.value.errors[0].message
    problems = check_mapping(old, new, {"a": "zz", "nope": "b", "e": "w"})
    assert [(p.pointer, p.code) for p in problems] == [
        ("/mapping/a", "unknown"),
        ("/mapping/nope", "unknown"),
        ("/mapping/e", "incompatible"),
    ]
    finished = {**state, "status": "completed", "tokens": {}}
    with pytest.raises(MigrationRefused, match="completed"):
        migrate(old, old, finished)


def test_a_multi_instance_task_moves_only_to_one_of_the_same_mode() -> None:
    multi = {"mode": "parallel", "count": 2}
    old = _sequence(node("a", "approval", multi=multi))
    single = _sequence(node("a", "approval"))
    state = _started(old)
    with pytest.raises(MigrationRefused, match="multi-instance"):
        migrate(old, single, state)
    sequential = _sequence(node("a", "approval", multi={"mode": "sequential", "count": 2}))
    with pytest.raises(MigrationRefused, match="parallel"):
        migrate(old, sequential, state)
    others = _sequence(node("a", "approval", multi=multi, assignees=BOB))
    renewed = migrate(old, others, state)
    assert [(e["effect"], e["index"]) for e in renewed.effects] == [
        ("cancel_task", 0),
        ("cancel_task", 1),
        ("create_task", 0),
        ("create_task", 1),
    ]


def test_a_timer_waiting_differently_is_planned_again() -> None:
    old = _sequence(node("w", "timer", delay={"amount": 2, "unit": "hours"}))
    same = migrate(old, old, _started(old))
    assert same.effects == []
    new = _sequence(node("w", "timer", delay={"amount": 5, "unit": "hours"}))
    [effect] = migrate(old, new, _started(old)).effects
    assert effect == {
        "effect": "replan_timer",
        "token": "t1",
        "node": "w",
        "was": {"delay": {"amount": 2, "unit": "hours"}},
        "delay": {"amount": 5, "unit": "hours"},
    }


def test_join_arrivals_follow_a_renamed_join() -> None:
    def split(join: str) -> Any:
        return load_flow(
            flow_doc(
                [
                    node("s", "start"),
                    node("p", "parallel"),
                    node("a", "fill"),
                    node("b", "fill"),
                    node(join, "join"),
                    node("e", "end"),
                ],
                [
                    *chain("s", "p"),
                    edge("p", "a"),
                    edge("p", "b"),
                    edge("a", join),
                    edge("b", join),
                    edge(join, "e"),
                ],
            )
        )

    old, new = split("j"), split("meet")
    state = step(old, _started(old), {"type": "task_done", "token": "t2"}).state
    moved = migrate(old, new, state, {"j": "meet"})
    [group] = moved.state["groups"].values()
    assert group["arrived"] == {"meet": 1}
    waiting = [t for t in moved.state["tokens"].values() if t["node"] != "b"]
    assert [t["node"] for t in waiting] == ["meet"]
    done = step(new, moved.state, {"type": "task_done", "token": "t3"})
    assert done.state["status"] == "completed" and done.trace == ["meet", "e"]
