"""The flow designer's tree (designers/flow/tree.ts, run by Node): a tree compiles to the
engine's nodes/edges (approval rejects to one shared end, condition branches with a default
"otherwise", parallel branches meeting at a join), the document passes the engine's publish
checks, reads back into the same tree, and documents the tree cannot draw (cycles, N-of-M
joins, timers) are named as such rather than drawn wrongly."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.process.document import flow_errors

REPO = Path(__file__).resolve().parents[3]
UI = REPO / "jimu" / "builder_ui"
RUNNER = Path(__file__).with_name("flow_tree_runner.mjs")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (UI / "node_modules" / "esbuild").is_dir(),
    reason="needs Node and `npm ci` in jimu/builder_ui",
)

APPROVED = {"==": [{"var": "outcome"}, "approve"]}
BIG = {">": [{"var": "record.amount"}, 100000]}
MANAGER = {"kind": "role", "role": "manager"}
FINANCE = {"kind": "role", "role": "finance"}
COUNTERSIGN = {
    "mode": "parallel",
    "count": 2,
    "per_assignee": True,
    "complete_when": {">": [{"var": "outcomes.reject"}, 0]},
}


def step(node_id: str, kind: str, **keys: Any) -> dict[str, Any]:
    return {"kind": "step", "node": {"id": node_id, "type": kind, **keys}}


CONTRACT_TREE: dict[str, Any] = {
    "start": {"id": "start", "type": "start", "on": "created"},
    "rejectEnd": "rejected",
    "items": [
        {
            "kind": "exclusive",
            "id": "amount",
            "branches": [
                {
                    "label": {"en": "Large"},
                    "condition": BIG,
                    "items": [
                        step("board", "approval", assignees=[MANAGER, FINANCE], multi=COUNTERSIGN)
                    ],
                },
                {"condition": None, "items": [step("boss", "approval", assignees=[MANAGER])]},
            ],
        },
        step("tell", "cc", recipients=[{"kind": "owner"}]),
        step("end", "end"),
    ],
}
PARALLEL_TREE: dict[str, Any] = {
    "start": {"id": "start", "type": "start", "on": "manual"},
    "rejectEnd": "rejected",
    "items": [
        {
            "kind": "parallel",
            "id": "both",
            "join": "both_join",
            "branches": [
                {"condition": None, "items": [step("legal", "fill")]},
                {"condition": None, "items": []},
                {
                    "condition": None,
                    "items": [
                        {
                            "kind": "exclusive",
                            "id": "inner",
                            "branches": [
                                {"condition": BIG, "items": [step("stop", "end", result="cancel")]},
                                {"condition": None, "items": [step("check", "approval")]},
                            ],
                        }
                    ],
                },
            ],
        },
        step("end", "end"),
    ],
}


def run(documents: list[dict[str, Any]], trees: list[dict[str, Any]]) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(RUNNER), str(UI)],
        input=json.dumps({"documents": documents, "trees": trees}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def flow(compiled: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "flow", "name": "f", "entity": "contract", **compiled}


def test_the_contract_tree_compiles_to_the_engine_document() -> None:
    [doc] = run([], [CONTRACT_TREE])["compiled"]
    assert [(n["id"], n["type"]) for n in doc["nodes"]] == [
        ("start", "start"),
        ("amount", "exclusive"),
        ("board", "approval"),
        ("boss", "approval"),
        ("tell", "cc"),
        ("end", "end"),
        ("rejected", "end"),
    ]
    assert doc["nodes"][2]["multi"] == COUNTERSIGN
    assert doc["nodes"][-1] == {"id": "rejected", "type": "end", "result": "reject"}
    assert doc["edges"] == [
        {"from": "start", "to": "amount"},
        {"from": "amount", "to": "board", "condition": BIG, "label": {"en": "Large"}},
        {"from": "board", "to": "rejected", "default": True},
        {"from": "amount", "to": "boss", "default": True},
        {"from": "boss", "to": "rejected", "default": True},
        {"from": "board", "to": "tell", "condition": APPROVED},
        {"from": "boss", "to": "tell", "condition": APPROVED},
        {"from": "tell", "to": "end"},
    ]
    assert flow_errors(flow(doc)) == []


def test_compiled_trees_read_back_into_the_same_tree() -> None:
    compiled = run([], [CONTRACT_TREE, PARALLEL_TREE])["compiled"]
    assert flow_errors(flow(compiled[1])) == []
    parsed = run(compiled, [])["parsed"]
    for tree, doc, back in zip([CONTRACT_TREE, PARALLEL_TREE], compiled, parsed, strict=True):
        assert back["reason"] is None
        assert back["tree"] == tree
        assert back["again"] == doc


def test_a_document_in_another_order_reads_back_too() -> None:
    [doc] = run([], [CONTRACT_TREE])["compiled"]

    # Nodes, edges and keys in another order (PostgreSQL's jsonb sorts an object's keys).
    def keys_reversed(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: keys_reversed(value[k]) for k in sorted(value, reverse=True)}
        return [keys_reversed(v) for v in value] if isinstance(value, list) else value

    shuffled = keys_reversed({"nodes": doc["nodes"][::-1], "edges": doc["edges"][::-1]})
    [back] = run([shuffled], [])["parsed"]
    assert back["reason"] is None
    assert back["tree"] == CONTRACT_TREE


def _doc(nodes: list[dict[str, Any]], edges: list[tuple[str, str]]) -> dict[str, Any]:
    return {"nodes": nodes, "edges": [{"from": a, "to": b} for a, b in edges]}


def test_flows_the_tree_cannot_draw_are_named() -> None:
    start = {"id": "s", "type": "start"}
    cycle = _doc(
        [
            start,
            {"id": "a", "type": "fill"},
            {"id": "x", "type": "exclusive"},
            {"id": "e", "type": "end"},
        ],
        [("s", "a"), ("a", "x"), ("x", "a"), ("x", "e")],
    )
    timer = _doc(
        [
            start,
            {"id": "t", "type": "timer", "delay": {"amount": 1, "unit": "days"}},
            {"id": "e", "type": "end"},
        ],
        [("s", "t"), ("t", "e")],
    )
    n_of_m = _doc(
        [
            start,
            {"id": "p", "type": "parallel"},
            {"id": "a", "type": "fill"},
            {"id": "b", "type": "fill"},
            {"id": "j", "type": "join", "mode": "n", "n": 1},
            {"id": "e", "type": "end"},
        ],
        [("s", "p"), ("p", "a"), ("p", "b"), ("a", "j"), ("b", "j"), ("j", "e")],
    )
    # A task leaving by a second way the tree has no drawing for.
    crossing = _doc(
        [
            start,
            {"id": "a", "type": "fill"},
            {"id": "e", "type": "end"},
            {"id": "f", "type": "end"},
        ],
        [("s", "a"), ("a", "e"), ("a", "f")],
    )
    reasons = [p["reason"] for p in run([cycle, timer, n_of_m, crossing], [])["parsed"]]
    assert reasons == ["cycle", "kind:timer", "join", "shape"]
