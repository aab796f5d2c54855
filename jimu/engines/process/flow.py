"""A flow document compiled for the engine: nodes by id, edges by source, conditions compiled."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.expr import compile as compile_expr
from jimu.engines.process.document import flow_errors
from jimu.errors import ValidationFailed

Condition = Callable[..., Any]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    condition: Condition | None
    default: bool


@dataclass(frozen=True)
class Flow:
    """A checked flow: ``nodes`` by id, ``outgoing``/``incoming`` edges by node id."""

    name: str
    nodes: Mapping[str, Mapping[str, Any]]
    outgoing: Mapping[str, tuple[Edge, ...]]
    incoming: Mapping[str, int]
    expressions: dict[str, Condition] = field(default_factory=dict)

    def node(self, node_id: str) -> Mapping[str, Any]:
        return self.nodes[node_id]

    def kind(self, node_id: str) -> str:
        return str(self.nodes[node_id]["type"])

    def starts(self) -> list[str]:
        return [n for n, node in self.nodes.items() if node["type"] == "start"]

    def node_expr(self, node_id: str, key: str) -> Condition:
        """The compiled ``multi.<key>`` expression of a task node."""
        cache_key = f"{node_id}/{key}"
        if cache_key not in self.expressions:
            self.expressions[cache_key] = compile_expr(self.nodes[node_id]["multi"][key])
        return self.expressions[cache_key]


def load_flow(doc: Mapping[str, Any]) -> Flow:
    """Check ``doc`` and compile it; raises ``ValidationFailed`` naming every problem."""
    problems = flow_errors(doc)
    if problems:
        raise ValidationFailed("The flow is not valid.", errors=problems)
    nodes = {n["id"]: n for n in doc["nodes"]}
    outgoing: dict[str, list[Edge]] = {n: [] for n in nodes}
    incoming: dict[str, int] = dict.fromkeys(nodes, 0)
    for e in doc["edges"]:
        condition = compile_expr(e["condition"]) if "condition" in e else None
        outgoing[e["from"]].append(Edge(e["from"], e["to"], condition, bool(e.get("default"))))
        incoming[e["to"]] += 1
    return Flow(
        name=str(doc["name"]),
        nodes=nodes,
        outgoing={k: tuple(v) for k, v in outgoing.items()},
        incoming=incoming,
    )
