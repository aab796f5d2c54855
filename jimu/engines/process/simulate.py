"""Simulation: walk a sample record through a flow with the real engine, in memory.

The engine takes the start event, then, one step at a time, the event the platform would feed
it next: a task's outcome (from ``decisions``, else the node's first outcome — approve, done),
a timer firing, a service node's actions reported done (listed as what they would do, not
done), a sub-process ending, a receive node's message arriving. Nothing is stored; the result
is the path: per step the nodes entered, the tasks that would be created, the gateway choices
(with the condition that held), the effects, and where it ends or waits. A flow that cycles is
stopped after ``max_steps`` steps. docs/process.md, "Simulation".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.process.engine import ProcessError, step
from jimu.engines.process.flow import Flow
from jimu.engines.process.state import State, token_order
from jimu.errors import FieldError

#: How many events a simulation feeds the engine before it calls the flow a cycle.
MAX_STEPS = 60
_TASK_KINDS = ("fill", "approval")


def outcomes_of(node: Mapping[str, Any]) -> list[str]:
    """The outcomes a task node's tasks may end with (the first is the default)."""
    found = node.get("outcomes")
    if found:
        return [str(o) for o in found]
    return ["approve", "reject"] if node["type"] == "approval" else ["done"]


def decision_errors(flow: Flow, decisions: Mapping[str, Any]) -> list[FieldError]:
    """Problems of ``decisions`` (node id → outcome, or a list of outcomes for its repeats),
    at ``/decisions/<node>`` (``/decisions/<node>/<i>`` for one of a list)."""
    errors: list[FieldError] = []
    for node_id, given in decisions.items():
        at = f"/decisions/{node_id}"
        node = flow.nodes.get(node_id)
        if node is None:
            errors.append(FieldError(at, f"the flow has no node {node_id!r}", "reference"))
            continue
        if node["type"] not in _TASK_KINDS:
            errors.append(FieldError(at, f"{node_id!r} is a {node['type']} node, not a task"))
            continue
        allowed = outcomes_of(node)
        items = given if isinstance(given, list) else [given]
        if not items:
            errors.append(FieldError(at, "give at least one outcome", "too_short"))
        for i, outcome in enumerate(items):
            if outcome not in allowed:
                where = f"{at}/{i}" if isinstance(given, list) else at
                errors.append(
                    FieldError(where, f"{outcome!r} is not an outcome of {node_id!r}: {allowed}")
                )
    return errors


@dataclass
class _Decider:
    decisions: Mapping[str, Any]
    taken: dict[str, int] = field(default_factory=dict)

    def outcome(self, node: Mapping[str, Any]) -> str:
        given = self.decisions.get(node["id"])
        items = given if isinstance(given, list) else ([given] if given else [])
        count = self.taken.get(node["id"], 0)
        self.taken[node["id"]] = count + 1
        if not items:
            return outcomes_of(node)[0]
        return str(items[min(count, len(items) - 1)])


def _next_event(
    flow: Flow, state: State, decider: _Decider
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The event the platform would feed next, and its description; None when every token
    waits for something a simulation does not give (a join, a queue)."""
    for token_id, token in sorted(state["tokens"].items(), key=lambda i: token_order(i[0])):
        node = flow.node(token["node"])
        wait = token.get("wait")
        base = {"node": token["node"]}
        if wait == "task":
            outcome = decider.outcome(node)
            mi = token.get("mi")
            event: dict[str, Any] = {"type": "task_done", "token": token_id, "outcome": outcome}
            said = {**base, "event": "task_done", "outcome": outcome}
            if mi is not None and mi["open"]:
                event["index"] = mi["open"][0]
                said["index"] = mi["open"][0]
            return event, said
        if wait == "timer":
            return {"type": "timer_fired", "token": token_id}, {**base, "event": "timer_fired"}
        if wait == "service":
            return {"type": "service_done", "token": token_id}, {**base, "event": "service_done"}
        if wait == "subprocess":
            return (
                {"type": "subprocess_done", "token": token_id},
                {**base, "event": "subprocess_done"},
            )
        if wait == "message":
            name = node["message"]
            return {"type": "message", "name": name}, {**base, "event": "message", "message": name}
    return None


def _choices(doc: Mapping[str, Any], choices: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each choice with the edges taken: their conditions (None: the default edge)."""
    out = []
    for choice in choices:
        taken = []
        for target in choice["to"]:
            edge = next(
                (
                    e
                    for e in doc["edges"]
                    if e["from"] == choice["node"]
                    and e["to"] == target
                    and bool(e.get("default")) == choice["default"]
                ),
                None,
            )
            condition = None if edge is None or choice["default"] else edge.get("condition")
            taken.append({"to": target, "condition": condition})
        out.append({"node": choice["node"], "default": choice["default"], "taken": taken})
    return out


def simulate(
    flow: Flow,
    doc: Mapping[str, Any],
    record: Mapping[str, Any],
    *,
    decisions: Mapping[str, Any] | None = None,
    initiator: int | None = None,
    variables: Mapping[str, Any] | None = None,
    max_steps: int = MAX_STEPS,
) -> dict[str, Any]:
    """The path ``record`` takes through ``flow`` (compiled from ``doc``).

    Returns ``{"steps": [...], "path": [node ids in the order first entered], "status":
    "completed" | "rejected" | "cancelled" | "waiting" | "capped" | "failed", "result": the
    end's result or None, "waiting": [node ids] (status waiting or capped), "error": the
    engine's message (status failed)}``. Each step: ``event`` (what happened: start, a task's
    outcome...), ``entered`` (node ids), ``tasks`` (``{node, kind, assignees, index}`` that
    would be created), ``choices``, ``effects`` (the other effects: notify, run_actions,
    create_timer, start_subprocess, cancel_task, end)."""
    decider = _Decider(dict(decisions or {}))
    state: State | None = None
    event: dict[str, Any] = {"type": "start", "vars": dict(variables or {})}
    if initiator is not None:
        event["by"] = initiator
    said: dict[str, Any] = {"event": "start"}
    steps: list[dict[str, Any]] = []
    path: list[str] = []
    result: dict[str, Any] = {"status": "waiting", "result": None, "waiting": [], "error": None}
    while True:
        if len(steps) >= max_steps:
            result["status"] = "capped"
            break
        try:
            done = step(flow, state, event, record)
        except ProcessError as exc:
            result.update(status="failed", error=str(exc))
            break
        state = done.state
        path.extend(n for n in done.trace if n not in path)
        tasks = [
            {
                "node": e["node"],
                "kind": e["task"],
                "assignees": e["assignees"],
                "index": e["index"],
                **({"item": e["item"]} if "item" in e else {}),
            }
            for e in done.effects
            if e["effect"] == "create_task"
        ]
        steps.append(
            {
                **said,
                "entered": done.trace,
                "tasks": tasks,
                "choices": _choices(doc, done.choices),
                "effects": [
                    {k: v for k, v in e.items() if k != "token"}
                    for e in done.effects
                    if e["effect"] != "create_task"
                ],
            }
        )
        if state["status"] != "running":
            ended = next((e for e in done.effects if e["effect"] == "end"), None)
            result.update(status=state["status"], result=ended["result"] if ended else None)
            break
        following = _next_event(flow, state, decider)
        if following is None:
            break
        event, said = following
    if state is not None and state["status"] == "running":
        result["waiting"] = sorted(
            {t["node"] for t in state["tokens"].values()},
        )
    return {**result, "steps": steps, "path": path}
