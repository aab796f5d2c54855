"""Publishing checks of flow documents: each problem on the node or edge it concerns."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.process import flow_errors, load_flow
from jimu.errors import ValidationFailed
from tests.engines.process.flows import chain, edge, flow_doc, node

S = node("s", "start", on="manual")
E = node("e", "end")


def problems(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, str]:
    return {p.pointer: p.message for p in flow_errors(flow_doc(nodes, edges))}


def test_a_sound_flow_has_no_problems() -> None:
    assert problems([S, node("a", "approval"), E], chain("s", "a", "e")) == {}


def test_schema_problems_point_into_the_document() -> None:
    found = problems([S, node("a", "teleport"), E], chain("s", "a", "e"))
    assert list(found) == ["/nodes/1/type"]


def test_unreachable_node_is_reported_on_it() -> None:
    found = problems(
        [S, node("a", "fill"), node("lost", "fill"), E], [*chain("s", "a", "e"), edge("lost", "e")]
    )
    assert found == {"/nodes/2": "node 'lost' cannot be reached from a start"}


def test_gateway_without_default() -> None:
    cond = {"==": [{"var": "record.x"}, 1]}
    found = problems(
        [S, node("x", "exclusive"), node("a", "fill"), E],
        [edge("s", "x"), edge("x", "a", cond), edge("x", "e", cond), edge("a", "e")],
    )
    assert found == {"/nodes/1": "a gateway needs a default edge"}


def test_join_after_exclusive_choice_can_never_fire() -> None:
    cond = {"==": [{"var": "record.x"}, 1]}
    found = problems(
        [S, node("x", "exclusive"), node("a", "fill"), node("b", "fill"), node("j", "join"), E],
        [
            edge("s", "x"),
            edge("x", "a", cond),
            edge("x", "b", default=True),
            edge("a", "j"),
            edge("b", "j"),
            edge("j", "e"),
        ],
    )
    assert found == {
        "/nodes/4": "this join can never fire: no parallel or inclusive split comes before it"
    }


def test_n_of_m_join_asking_for_more_than_it_has() -> None:
    found = problems(
        [
            S,
            node("p", "parallel"),
            node("a", "fill"),
            node("b", "fill"),
            node("j", "join", mode="n", n=3),
            E,
        ],
        [
            edge("s", "p"),
            edge("p", "a"),
            edge("p", "b"),
            edge("a", "j"),
            edge("b", "j"),
            edge("j", "e"),
        ],
    )
    assert found == {"/nodes/4/n": "the join waits for 3 of 2 incoming edges"}


def test_edges_must_name_nodes_and_conditions_must_compile() -> None:
    found = problems([S, E], [edge("s", "nowhere"), edge("s", "e", {"nope": [1]})])
    assert set(found) == {"/edges/0/to", "/edges/1/condition"}


def test_kind_specific_keys_and_structure() -> None:
    found = problems(
        [
            S,
            node("t", "timer"),
            node("a", "fill", mode="all"),
            node("x", "exclusive"),
            node("e", "end"),
            node("d", "fill", while_at="ghost"),
        ],
        [
            *chain("s", "t", "a", "x"),
            edge("x", "e", default=True),
            edge("x", "d", default=True),
            edge("d", "e"),
            edge("e", "s"),
        ],
    )
    assert found["/nodes/1"] == "a timer node needs either 'delay' or 'until_field'"
    assert found["/nodes/2/mode"] == "a fill node takes no 'mode'"
    assert found["/edges/4/default"] == "a second default edge"
    assert found["/nodes/5/while_at"] == "no node 'ghost'"
    assert found["/nodes/4"] == "an end node has no outgoing edges"
    assert found["/nodes/0"] == "a start node has no incoming edges"


def test_a_race_leads_only_to_waiting_nodes() -> None:
    found = problems(
        [S, node("r", "race"), node("x", "exclusive"), E],
        [edge("s", "r"), edge("r", "x"), edge("x", "e", default=True)],
    )
    assert found == {"/edges/1/to": "a race leads to nodes that wait for an event"}


def test_load_flow_refuses_an_invalid_flow_with_every_problem() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_flow(flow_doc([S, node("a", "fill"), E], [edge("s", "e")]))
    assert [e.pointer for e in caught.value.errors] == ["/nodes/1", "/nodes/1"]


def test_per_assignee_needs_one_instance_per_entry() -> None:
    entries = [{"kind": "role", "role": "manager"}, {"kind": "role", "role": "finance"}]
    multi = {"mode": "parallel", "count": 3, "per_assignee": True}
    nodes = [
        node("s", "start"),
        node("a", "approval", assignees=entries, multi=multi),
        node("e", "end"),
    ]
    assert problems(nodes, chain("s", "a", "e")) == {
        "/nodes/1/multi/count": "with 'per_assignee', 'count' is the number of assignees entries"
    }
    nodes[1]["multi"] = {**multi, "count": 2}
    assert problems(nodes, chain("s", "a", "e")) == {}


def test_the_canvas_layout_is_accepted_and_checked_and_the_engine_ignores_it() -> None:
    doc = flow_doc([S, node("a", "fill"), E], chain("s", "a", "e"))
    placed = {**doc, "layout": {"s": {"x": 20, "y": 20}, "a": {"x": 20.5, "y": -152}}}
    assert flow_errors(placed) == []
    assert load_flow(placed).nodes == load_flow(doc).nodes
    bad = {**doc, "layout": {"s": {"x": "left"}, "9a": {"x": 1, "y": 2}}}
    assert {p.pointer for p in flow_errors(bad)} == {"/layout/s", "/layout/s/x", "/layout"}
