"""Simulation (jimu.engines.process.simulate): the marketing contract approval walked with
sample amounts and decisions — the manager only when small, the director and finance 会签
when large, the general manager above a million, a rejection —, a cycle stopped by the step
cap, a parallel split with a join, timers, service, receive nodes and the decisions' checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.process import load_flow
from jimu.engines.process.simulate import decision_errors, simulate
from tests.engines.process.flows import chain, edge, flow_doc, node

CONTRACT = Path(__file__).parents[3] / "examples/marketing/flows/contract_approval.json"
APPROVE = {"==": [{"var": "outcome"}, "approve"]}


def contract(amount: float, decisions: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = json.loads(CONTRACT.read_text())
    return simulate(load_flow(doc), doc, {"total_amount": amount}, decisions=decisions)


def tasks(result: dict[str, Any]) -> list[str]:
    return [t["node"] for s in result["steps"] for t in s["tasks"]]


def test_a_small_contract_goes_to_the_manager_only() -> None:
    result = contract(5000)
    assert result["status"] == "completed" and result["result"] == "complete"
    assert result["path"] == ["start", "submit", "manager", "by_amount", "tell_finance", "approved"]
    assert tasks(result) == ["submit", "manager"]
    assert [s["event"] for s in result["steps"]] == ["start", "task_done", "task_done"]
    assert [s.get("outcome") for s in result["steps"]] == [None, "done", "approve"]
    last = result["steps"][-1]
    by_amount = next(c for c in last["choices"] if c["node"] == "by_amount")
    assert by_amount["default"] is False
    assert by_amount["taken"] == [
        {"to": "tell_finance", "condition": {"<=": [{"var": "record.total_amount"}, 100000]}}
    ]
    notify = [e for e in last["effects"] if e["effect"] == "notify"]
    assert notify == [
        {
            "effect": "notify",
            "node": "tell_finance",
            "recipients": [{"kind": "role", "role": "finance"}],
        }
    ]
    assert last["effects"][-1] == {"effect": "end", "result": "complete"}


def test_a_large_contract_is_countersigned_by_the_director_and_finance() -> None:
    result = contract(500_000)
    assert result["status"] == "completed"
    assert tasks(result) == ["submit", "manager", "director", "finance"]
    both = result["steps"][2]
    assert both["entered"] == ["by_amount", "countersign", "director", "finance"]
    assert [(t["node"], t["assignees"]) for t in both["tasks"]] == [
        ("director", [{"kind": "role", "role": "sales_director"}]),
        ("finance", [{"kind": "role", "role": "finance"}]),
    ]
    assert next(c for c in both["choices"] if c["node"] == "by_amount")["default"] is True
    # Director first (waits at the join), then finance: the join fires.
    assert result["steps"][3]["entered"] == ["both_signed"]
    assert result["steps"][4]["entered"] == ["both_signed", "large", "tell_finance", "approved"]
    assert "general_manager" not in result["path"]
    above = contract(2_000_000)
    assert tasks(above)[-1] == "general_manager" and above["result"] == "complete"


def test_a_rejection_takes_the_other_path() -> None:
    result = contract(500_000, {"finance": "reject"})
    assert result["status"] == "rejected" and result["result"] == "reject"
    assert result["path"][-1] == "rejected" and "tell_finance" not in result["path"]
    last = result["steps"][-1]
    assert last["outcome"] == "reject" and last["node"] == "finance"
    assert last["choices"] == [
        {"node": "finance", "default": True, "taken": [{"to": "rejected", "condition": None}]}
    ]
    small = contract(10, {"manager": "reject"})
    assert small["path"] == ["start", "submit", "manager", "rejected"]


def test_a_cycle_is_stopped_by_the_step_cap() -> None:
    nodes = [
        node("start", "start"),
        node("draft", "fill", assignees=[{"kind": "initiator"}]),
        node("check", "approval", assignees=[{"kind": "initiator"}]),
        node("end", "end"),
    ]
    edges = [*chain("start", "draft", "check"), edge("check", "end", APPROVE),
             edge("check", "draft", default=True)]  # fmt: skip
    doc = flow_doc(nodes, edges)
    looping = simulate(load_flow(doc), doc, {}, decisions={"check": "reject"}, max_steps=9)
    assert looping["status"] == "capped" and len(looping["steps"]) == 9
    assert looping["waiting"] == ["draft"]  # the start, 4 rounds, back at the draft
    # Rejected twice, then approved: the list gives the repeats in turn.
    twice = simulate(load_flow(doc), doc, {}, decisions={"check": ["reject", "reject", "approve"]})
    assert twice["status"] == "completed"
    assert tasks(twice) == ["draft", "check"] * 3


def test_a_parallel_split_with_a_join_and_waiting_nodes() -> None:
    nodes = [
        node("start", "start"),
        node("split", "parallel"),
        node("a", "approval", assignees=[{"kind": "initiator"}]),
        node("wait", "timer", delay={"amount": 2, "unit": "days"}),
        node("act", "service", actions=[{"type": "set_fields", "values": {"x": 1}}]),
        node("join", "join"),
        node("hear", "receive", message="paid"),
        node("end", "end"),
    ]
    edges = [
        edge("start", "split"), edge("split", "a"), edge("split", "wait"), edge("wait", "act"),
        edge("a", "join"), edge("act", "join"), edge("join", "hear"), edge("hear", "end"),
    ]  # fmt: skip
    doc = flow_doc(nodes, edges)
    result = simulate(load_flow(doc), doc, {})
    assert result["status"] == "completed"
    assert result["path"] == ["start", "split", "a", "wait", "join", "act", "hear", "end"]
    events = [(s["event"], s.get("node")) for s in result["steps"]]
    assert events == [
        ("start", None), ("task_done", "a"), ("timer_fired", "wait"),
        ("service_done", "act"), ("message", "hear"),
    ]  # fmt: skip
    effects = [e["effect"] for s in result["steps"] for e in s["effects"]]
    assert effects == ["create_timer", "run_actions", "end"]
    run = next(e for s in result["steps"] for e in s["effects"] if e["effect"] == "run_actions")
    assert run["actions"] == [{"type": "set_fields", "values": {"x": 1}}]


def test_multi_instance_tasks_take_the_outcomes_in_turn_and_a_failure_says_why() -> None:
    each = {"mode": "parallel", "items": {"var": "record.items"}}
    nodes = [node("start", "start"), node("end", "end"),
             node("each", "approval", assignees=[{"kind": "initiator"}], multi=each)]  # fmt: skip
    doc = flow_doc(nodes, chain("start", "each", "end"))
    flow = load_flow(doc)
    result = simulate(flow, doc, {"items": ["a", "b"]}, decisions={"each": ["approve", "reject"]})
    assert result["status"] == "completed"
    assert [t["item"] for t in result["steps"][0]["tasks"]] == ["a", "b"]
    assert [(s.get("outcome"), s.get("index")) for s in result["steps"][1:]] == [
        ("approve", 0),
        ("reject", 1),
    ]
    failed = simulate(flow, doc, {"items": 5})
    assert failed["status"] == "failed" and failed["steps"] == []
    assert failed["error"] == "the multi items of 'each' are not a list"


@pytest.mark.parametrize(
    ("decisions", "pointer"),
    [
        ({"nowhere": "approve"}, "/decisions/nowhere"),
        ({"by_amount": "approve"}, "/decisions/by_amount"),
        ({"manager": "maybe"}, "/decisions/manager"),
        ({"manager": ["approve", "maybe"]}, "/decisions/manager/1"),
        ({"submit": "approve"}, "/decisions/submit"),
    ],
)
def test_decisions_are_checked(decisions: dict[str, Any], pointer: str) -> None:
    doc = json.loads(CONTRACT.read_text())
    assert [e.pointer for e in decision_errors(load_flow(doc), decisions)] == [pointer]
    assert decision_errors(load_flow(doc), {"manager": ["reject"], "submit": "done"}) == []
