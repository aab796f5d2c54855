"""The flow designer's free canvas helpers (designers/flow/canvas.ts, run by Node): dagre lays a
flow out top to bottom without overlapping cards, places kept in the document's `layout` win,
a node of every kind starts with keys the engine takes, connecting refuses what the engine
could never take, one default way per node, deleting a node takes its edges and place, and
what the canvas edits passes the engine's publish checks with its layout."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.process.document import flow_errors

REPO = Path(__file__).resolve().parents[3]
UI = REPO / "jimu" / "builder_ui"
RUNNER = Path(__file__).with_name("flow_canvas_runner.mjs")
TICKET = REPO / "examples" / "marketing" / "flows" / "service_ticket.json"
KINDS = [
    "approval",
    "fill",
    "cc",
    "exclusive",
    "inclusive",
    "parallel",
    "join",
    "timer",
    "service",
    "subprocess",
    "receive",
    "end",
]

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (UI / "node_modules" / "esbuild").is_dir(),
    reason="needs Node and `npm ci` in jimu/builder_ui",
)


def run(graph: dict[str, Any], *calls: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    done = subprocess.run(
        ["node", str(RUNNER), str(UI)],
        input=json.dumps({"graph": graph, "calls": list(calls)}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    out: dict[str, Any] = json.loads(done.stdout)
    return out["results"], out["graph"]


def ticket() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(TICKET.read_text(encoding="utf-8"))
    return doc


PRIORITIES = ("urgent", "high", "medium", "low")


def branched() -> dict[str, Any]:
    """A flow with an exclusive gateway: one resolution per priority, side by side."""
    nodes = [{"id": "start", "type": "start"}, {"id": "by_priority", "type": "exclusive"}]
    nodes += [{"id": f"resolve_{p}", "type": "fill"} for p in PRIORITIES]
    nodes.append({"id": "done", "type": "end"})
    edges: list[dict[str, Any]] = [{"from": "start", "to": "by_priority"}]
    for p in PRIORITIES:
        edge: dict[str, Any] = {"from": "by_priority", "to": f"resolve_{p}"}
        if p == "low":
            edge["default"] = True
        else:
            edge["condition"] = {"==": [{"var": "record.priority"}, p]}
        edges.append(edge)
    edges += [{"from": f"resolve_{p}", "to": "done"} for p in PRIORITIES]
    return {"nodes": nodes, "edges": edges}


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return abs(a["x"] - b["x"]) < 220 and abs(a["y"] - b["y"]) < 72


def test_dagre_lays_the_ticket_out_top_to_bottom_without_overlaps() -> None:
    doc = ticket()
    [placed], _ = run({"nodes": doc["nodes"], "edges": doc["edges"]}, ["autoLayout"])
    assert set(placed) == {n["id"] for n in doc["nodes"]}
    for e in doc["edges"]:
        assert placed[e["to"]]["y"] > placed[e["from"]]["y"], e
    ids = list(placed)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert not overlap(placed[a], placed[b]), (a, b)
    assert all(isinstance(v, int) for p in placed.values() for v in p.values())
    # A gateway's four branches side by side on one row.
    [placed], _ = run(branched(), ["autoLayout"])
    rows = {placed[f"resolve_{p}"]["y"] for p in PRIORITIES}
    assert len(rows) == 1
    ids = list(placed)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert not overlap(placed[a], placed[b]), (a, b)


def test_kept_places_win_and_missing_ones_come_from_dagre() -> None:
    doc = ticket()
    graph = {"nodes": doc["nodes"], "edges": doc["edges"], "layout": {"survey": {"x": 900, "y": 5}}}
    [auto, placed], _ = run(graph, ["autoLayout"], ["positions"])
    assert placed["survey"] == {"x": 900, "y": 5}
    assert placed["done"] == auto["done"]
    # A place of a node that is gone, or not a point, is not kept.
    graph["layout"] = {"survey": {"x": 1.6, "y": 2.2}, "gone": {"x": 1, "y": 1}, "done": {"x": "a"}}
    [kept], _ = run(graph, ["keptLayout"])
    assert kept == {"survey": {"x": 2, "y": 2}}


def test_a_drag_fixes_every_place_and_rounds() -> None:
    doc = ticket()
    graph = {"nodes": doc["nodes"], "edges": doc["edges"]}
    [before, _, after], moved = run(
        graph, ["positions"], ["moveNode", "survey", {"x": 400.4, "y": 10.6}], ["positions"]
    )
    assert moved["layout"]["survey"] == {"x": 400, "y": 11}
    assert set(moved["layout"]) == set(before)
    assert {k: v for k, v in after.items() if k != "survey"} == {
        k: v for k, v in before.items() if k != "survey"
    }


def test_every_kind_is_added_below_the_selected_node_with_keys_the_engine_takes() -> None:
    graph = {
        "nodes": [{"id": "start", "type": "start", "on": "manual"}, {"id": "end", "type": "end"}],
        "edges": [{"from": "start", "to": "end"}],
    }
    results, out = run(graph, *[["addNode", kind, "start"] for kind in KINDS])
    ids = [n["id"] for n in results]
    assert len(set(ids)) == len(KINDS)
    assert results[KINDS.index("approval")] == {
        "id": "approve_1",
        "type": "approval",
        "assignees": [],
    }
    assert results[KINDS.index("timer")]["delay"] == {"amount": 1, "unit": "days"}
    assert results[KINDS.index("join")]["mode"] == "all"
    assert results[KINDS.index("end")]["id"] == "end_1"
    start = out["layout"]["start"]
    placed = [out["layout"][i] for i in ids]
    assert all(p["y"] > start["y"] for p in placed)
    every = [start, out["layout"]["end"], *placed]
    for i, a in enumerate(every):
        for b in every[i + 1 :]:
            assert not overlap(a, b)
    # Only the schema: each new node on its own is a valid node of the document.
    doc = {"kind": "flow", "name": "f", "entity": "x", **out}
    assert [p for p in flow_errors(doc) if p.code == "schema"] == []


def test_connect_refuses_what_the_engine_could_never_take() -> None:
    graph = {
        "nodes": [
            {"id": "s", "type": "start"},
            {"id": "a", "type": "fill"},
            {"id": "e", "type": "end"},
        ],
        "edges": [{"from": "s", "to": "a"}],
    }
    results, out = run(
        graph,
        ["connect", "a", "e"],
        ["connect", "a", "a"],
        ["connect", "s", "a"],
        ["connect", "e", "a"],
        ["connect", "a", "s"],
        ["connect", "a", "nowhere"],
        ["connect", "a", "e"],
    )
    assert results == [
        {"ok": True, "index": 1},
        {"ok": False, "reason": "self"},
        {"ok": False, "reason": "duplicate"},
        {"ok": False, "reason": "from_end"},
        {"ok": False, "reason": "to_start"},
        {"ok": False, "reason": "unknown"},
        {"ok": False, "reason": "duplicate"},
    ]
    assert out["edges"] == [{"from": "s", "to": "a"}, {"from": "a", "to": "e"}]


def test_one_default_per_node_and_a_condition_is_not_the_default() -> None:
    doc = branched()
    graph = {"nodes": doc["nodes"], "edges": copy.deepcopy(doc["edges"])}
    urgent = next(i for i, e in enumerate(doc["edges"]) if e["to"] == "resolve_urgent")
    medium = next(i for i, e in enumerate(doc["edges"]) if e["to"] == "resolve_medium")
    _, out = run(graph, ["setDefault", urgent, True])
    assert out["edges"][urgent] == {"from": "by_priority", "to": "resolve_urgent", "default": True}
    assert "default" not in out["edges"][medium]
    high = {"==": [{"var": "record.priority"}, "medium"]}
    _, out = run(out, ["setCondition", urgent, high], ["setDefault", medium, True])
    assert out["edges"][urgent]["condition"] == high and "default" not in out["edges"][urgent]
    assert out["edges"][medium]["default"] is True
    _, out = run(out, ["setCondition", urgent, None], ["setDefault", medium, False])
    assert "condition" not in out["edges"][urgent] and "default" not in out["edges"][medium]


def test_deleting_a_node_takes_its_edges_and_place_and_the_result_publishes() -> None:
    doc = ticket()
    graph = {"nodes": doc["nodes"], "edges": doc["edges"]}
    survey_in = next(i for i, e in enumerate(doc["edges"]) if e["to"] == "survey")
    results, out = run(
        graph,
        ["moveNode", "done", {"x": 0, "y": 900}],
        ["removeNode", "survey"],
        ["connect", "resolved", "done"],
        ["addNode", "timer", "resolved"],
    )
    timer = results[3]["id"]
    assert "survey" not in {n["id"] for n in out["nodes"]}
    assert "survey" not in out["layout"]
    assert all("survey" not in (e["from"], e["to"]) for e in out["edges"])
    assert len(out["edges"]) == len(doc["edges"]) - 1
    assert doc["edges"][survey_in]["from"] == "resolved"
    # The timer leads nowhere and nothing leads to it: the engine says so on its node.
    published = {**doc, **out}
    index = [n["id"] for n in out["nodes"]].index(timer)
    assert {p.pointer for p in flow_errors(published)} == {f"/nodes/{index}"}
    _, fixed = run(out, ["removeNode", timer])
    assert flow_errors({**doc, **fixed}) == []
    assert set(fixed["layout"]) == {n["id"] for n in fixed["nodes"]}
