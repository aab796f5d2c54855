"""Multi-instance approvals: 会签 (everyone signs) and 或签 (anyone signs), engine behaviour
around errors, determinism and the size of what a step writes."""

from __future__ import annotations

import json

import pytest

from jimu.engines.process import ProcessError, load_flow, step
from tests.engines.process.flows import Case, chain, edge, flow_doc, node

S = node("s", "start", on="manual")
APPROVED = {"==": [{"var": "outcome"}, "approve"]}


def _signing(complete_when: object) -> Case:
    multi = {"mode": "parallel", "items": {"var": "vars.signers"}, "complete_when": complete_when}
    return Case(
        [
            S,
            node("sign", "approval", multi=multi),
            node("yes", "end"),
            node("no", "end", result="reject"),
        ],
        [edge("s", "sign"), edge("sign", "yes", APPROVED), edge("sign", "no", default=True)],
    ).start(signers=["wang", "li", "zhao"])


# 会签: done when all approve, or at the first rejection.
COUNTERSIGN = {">": [{"var": "outcomes.reject"}, 0]}
# 或签: done at the first approval.
ANY_SIGN = {">": [{"var": "outcomes.approve"}, 0]}


def test_countersign_needs_everyone() -> None:
    case = _signing(COUNTERSIGN)
    case.do("sign", "approve")
    case.do("sign", "approve")
    assert case.status == "running"
    case.do("sign", "approve")
    assert case.status == "completed"


def test_countersign_stops_at_the_first_rejection() -> None:
    case = _signing(COUNTERSIGN)
    case.do("sign", "approve")
    case.do("sign", "reject")
    assert case.status == "rejected"
    assert case.open() == []  # the third signer's task was withdrawn


def test_any_sign_finishes_at_the_first_approval() -> None:
    case = _signing(ANY_SIGN)
    case.do("sign", "reject")
    case.do("sign", "approve")
    assert case.status == "completed"
    assert case.open() == []


def test_an_unknown_outcome_is_refused() -> None:
    case = _signing(ANY_SIGN)
    with pytest.raises(ProcessError, match="'maybe' is not an outcome of 'sign'"):
        case.do("sign", "maybe")


def test_unknown_token_and_event_are_refused() -> None:
    case = Case([S, node("a", "fill"), node("e", "end")], chain("s", "a", "e")).start()
    with pytest.raises(ProcessError, match="no token 't9'"):
        case.send({"type": "task_done", "token": "t9"})
    with pytest.raises(ProcessError, match="unknown event type"):
        case.send({"type": "explode"})
    with pytest.raises(ProcessError, match="started already"):
        case.send({"type": "start"})


def test_a_loop_that_never_waits_is_an_error_not_a_hang() -> None:
    flow = load_flow(
        flow_doc(
            [S, node("x", "exclusive"), node("y", "exclusive"), node("e", "end")],
            [
                edge("s", "x"),
                edge("x", "y", default=True),
                edge("y", "e", {"==": [1, 2]}),
                edge("y", "x", default=True),
            ],
        )
    )
    with pytest.raises(ProcessError, match="loops without waiting"):
        step(flow, None, {"type": "start"})


def test_steps_are_deterministic_and_small() -> None:
    nodes = [S, *(node(f"n{i}", "approval") for i in range(30)), node("e", "end")]
    ids = ["s", *(f"n{i}" for i in range(30)), "e"]
    flow = load_flow(flow_doc(nodes, chain(*ids)))
    first = step(flow, None, {"type": "start", "vars": {"amount": 12}})
    again = step(flow, None, {"type": "start", "vars": {"amount": 12}})
    assert first == again
    state = first.state
    for _ in range(30):
        token = next(iter(state["tokens"]))
        result = step(flow, state, {"type": "task_done", "token": token, "outcome": "approve"})
        assert len(json.dumps(result.delta)) < 1024  # a step writes what changed, not the instance
        state = result.state
    assert state["status"] == "completed"
