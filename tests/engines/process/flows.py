"""Building flows and driving instances in tests of the process engine."""

from __future__ import annotations

import itertools
from typing import Any

from jimu.engines.process import apply_delta, load_flow, step
from jimu.engines.process.engine import Step
from jimu.engines.process.flow import Flow


def node(node_id: str, kind: str, **keys: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, **keys}


def edge(
    source: str, target: str, condition: Any = None, *, default: bool = False
) -> dict[str, Any]:
    result: dict[str, Any] = {"from": source, "to": target}
    if condition is not None:
        result["condition"] = condition
    if default:
        result["default"] = True
    return result


def chain(*ids: str) -> list[dict[str, Any]]:
    return [edge(a, b) for a, b in itertools.pairwise(ids)]


def flow_doc(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "flow", "name": "test_flow", "nodes": nodes, "edges": edges}


class Case:
    """One instance driven event by event; every step's delta is checked against its state."""

    def __init__(
        self,
        nodes: list[dict[str, Any]],
        edges: list[dict[str, Any]],
        record: dict[str, Any] | None = None,
    ) -> None:
        self.flow: Flow = load_flow(flow_doc(nodes, edges))
        self.record = record or {}
        self.state: dict[str, Any] | None = None
        self.trace: list[str] = []
        self.effects: list[dict[str, Any]] = []
        self.tasks: dict[tuple[str, int], str] = {}

    def send(self, event: dict[str, Any]) -> Step:
        result = step(self.flow, self.state, event, self.record)
        if self.state is not None:
            assert apply_delta(self.state, result.delta) == result.state
        self.state = result.state
        self.trace += result.trace
        self.effects += result.effects
        for effect in result.effects:
            key = (effect.get("token", ""), effect.get("index", 0))
            if effect["effect"] == "create_task":
                self.tasks[key] = effect["node"]
            elif effect["effect"] == "cancel_task":
                del self.tasks[key]
        return result

    def start(self, **variables: Any) -> Case:
        self.send({"type": "start", "vars": variables})
        return self

    def open(self) -> list[str]:
        return sorted(self.tasks.values())

    def task(self, node_id: str) -> tuple[str, int]:
        keys = [k for k, v in self.tasks.items() if v == node_id]
        assert keys, f"no open task at {node_id}: {self.tasks}"
        return keys[0]

    def do(self, node_id: str, outcome: str | None = None, **values: Any) -> Step:
        token, index = self.task(node_id)
        event: dict[str, Any] = {
            "type": "task_done",
            "token": token,
            "index": index,
            "values": values,
        }
        if outcome is not None:
            event["outcome"] = outcome
        node = self.tasks.pop((token, index))
        try:
            return self.send(event)
        except Exception:
            self.tasks[(token, index)] = node  # refused: the task stays open
            raise

    def token_at(self, node_id: str) -> str:
        assert self.state is not None
        tokens = [t for t, tok in self.state["tokens"].items() if tok["node"] == node_id]
        assert tokens, f"no token at {node_id}"
        return tokens[0]

    @property
    def status(self) -> str:
        assert self.state is not None
        return str(self.state["status"])
