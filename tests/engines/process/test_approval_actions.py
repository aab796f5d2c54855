"""The approval actions the engine takes (return to an earlier node, withdraw, one more signer
in parallel) and the pure approver decisions (manager chain, delegation while away,
separation of duties, automatic approval), with the publish checks of approver entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jimu.engines.process import ProcessError, flow_errors
from jimu.engines.process.approvers import (
    Person,
    Policy,
    assign,
    manager_chain,
    nth_manager,
)
from tests.engines.process.flows import Case, chain, edge, flow_doc, node

S = node("s", "start", on="manual")
APPROVED = {"==": [{"var": "outcome"}, "approve"]}
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _review() -> Case:
    """s → draft (fill) → lead (approval) → boss (approval) → end; a reject ends rejected."""
    return Case(
        [
            S,
            node("draft", "fill"),
            node("lead", "approval"),
            node("boss", "approval"),
            node("ok", "end"),
            node("no", "end", result="reject"),
        ],
        [
            *chain("s", "draft", "lead"),
            edge("lead", "boss", APPROVED),
            edge("lead", "no", default=True),
            edge("boss", "ok", APPROVED),
            edge("boss", "no", default=True),
        ],
    ).start()


def test_return_sends_the_token_back_and_withdraws_the_current_tasks() -> None:
    case = _review()
    case.do("draft")
    case.do("lead", "approve")
    token = case.token_at("boss")
    result = case.send({"type": "return", "token": token, "to": "draft"})
    kinds = [(e["effect"], e["node"]) for e in result.effects]
    assert kinds == [("cancel_task", "boss"), ("create_task", "draft")]
    assert result.trace == ["draft"]
    assert case.open() == ["draft"]
    # The way on is the same: the flow goes round again and completes.
    case.do("draft")
    case.do("lead", "approve")
    case.do("boss", "approve")
    assert case.status == "completed"


def test_return_only_to_a_node_the_token_passed() -> None:
    case = _review()
    case.do("draft")
    token = case.token_at("lead")
    with pytest.raises(ProcessError, match="not an earlier node"):
        case.send({"type": "return", "token": token, "to": "boss"})  # ahead, not behind
    with pytest.raises(ProcessError, match="not an earlier node"):
        case.send({"type": "return", "token": token, "to": "lead"})  # itself
    case.send({"type": "return", "token": token, "to": "draft"})
    # Back at draft, lead is no longer behind the token.
    case.do("draft")
    case.do("lead", "approve")
    back = case.token_at("boss")
    assert case.state is not None and case.state["tokens"][back]["trail"] == [
        "draft",
        "lead",
        "boss",
    ]


def test_return_is_refused_for_a_token_not_at_a_task() -> None:
    case = Case(
        [S, node("wait", "timer", delay={"amount": 1, "unit": "days"}), node("e", "end")],
        chain("s", "wait", "e"),
    ).start()
    with pytest.raises(ProcessError, match="waits for no task"):
        case.send({"type": "return", "token": case.token_at("wait"), "to": "s"})


def test_return_after_a_join_goes_only_before_the_split() -> None:
    case = Case(
        [
            S,
            node("draft", "fill"),
            node("split", "parallel"),
            node("a", "approval"),
            node("b", "approval"),
            node("join", "join"),
            node("final", "approval"),
            node("e", "end"),
        ],
        [
            *chain("s", "draft", "split"),
            edge("split", "a"),
            edge("split", "b"),
            edge("a", "join"),
            edge("b", "join"),
            *chain("join", "final", "e"),
        ],
    ).start()
    case.do("draft")
    # Inside a branch there is nothing behind the branch's own token.
    with pytest.raises(ProcessError, match="not an earlier node"):
        case.send({"type": "return", "token": case.token_at("a"), "to": "draft"})
    case.do("a")
    case.do("b")
    token = case.token_at("final")
    with pytest.raises(ProcessError, match="not an earlier node"):
        case.send({"type": "return", "token": token, "to": "a"})
    case.send({"type": "return", "token": token, "to": "draft"})
    assert case.open() == ["draft"]
    case.do("draft")
    assert case.open() == ["a", "b"]


def test_return_withdraws_every_open_instance_of_a_multi_instance_task() -> None:
    multi = {"mode": "parallel", "count": 3}
    case = Case(
        [S, node("draft", "fill"), node("sign", "approval", multi=multi), node("e", "end")],
        chain("s", "draft", "sign", "e"),
    ).start()
    case.do("draft")
    case.do("sign", "approve")
    result = case.send({"type": "return", "token": case.token_at("sign"), "to": "draft"})
    cancelled = sorted(e["index"] for e in result.effects if e["effect"] == "cancel_task")
    assert cancelled == [1, 2]
    assert case.open() == ["draft"]


def test_withdraw_cancels_the_instance_and_its_work() -> None:
    case = _review()
    result = case.send({"type": "withdraw", "by": 7})
    assert case.status == "cancelled"
    assert [e["effect"] for e in result.effects] == ["cancel_task", "end"]
    assert result.effects[-1]["result"] == "cancel"
    with pytest.raises(ProcessError, match="cancelled"):
        case.send({"type": "withdraw"})


def test_a_signer_added_in_parallel_is_one_more_instance() -> None:
    multi = {"mode": "parallel", "count": 2}
    case = Case(
        [S, node("sign", "approval", multi=multi), node("e", "end")], chain("s", "sign", "e")
    ).start()
    result = case.send({"type": "add_instance", "token": case.token_at("sign")})
    assert [(e["effect"], e["index"]) for e in result.effects] == [("create_task", 2)]
    for _ in range(3):
        case.do("sign", "approve")
    assert case.status == "completed"


# -- approver decisions ------------------------------------------------------------------


def test_manager_chain_levels_stops_and_cycles() -> None:
    managers = {1: 2, 2: 3, 3: 4, 4: None, 8: 9, 9: 8}
    assert manager_chain(1, managers, levels=2) == [2, 3]
    assert manager_chain(1, managers, levels=10) == [2, 3, 4]
    assert manager_chain(1, managers, levels=10, stop_at={3}) == [2, 3]  # up to the director
    assert manager_chain(8, managers, levels=10) == [9]  # a loop stops
    assert manager_chain(None, managers, levels=3) == []
    assert nth_manager(1, managers, 2) == [3]
    assert nth_manager(1, managers, 5) == []


def test_an_approver_away_today_gets_their_delegate_or_manager() -> None:
    away = {"away_from": NOW - timedelta(days=1), "away_until": NOW + timedelta(days=2)}
    people = {
        1: Person(1, manager_id=5, **away),
        2: Person(2, delegate_id=6, manager_id=5, **away),
        5: Person(5),
        6: Person(6),
    }
    decided = assign([1, 2], people, NOW, initiator=None)
    assert decided.users == [5, 6]
    assert decided.delegated == [{"user": 5, "for": 1}, {"user": 6, "for": 2}]
    # Back before now, or leaving later: no delegation.
    later = {1: Person(1, manager_id=5, away_from=NOW + timedelta(hours=1))}
    assert assign([1], later, NOW, initiator=None).users == [1]
    back = {1: Person(1, manager_id=5, away_until=NOW)}
    assert assign([1], back, NOW, initiator=None).users == [1]


def test_delegation_follows_a_chain_of_absences_and_keeps_an_absent_without_stand_in() -> None:
    away = {"away_from": NOW - timedelta(days=1)}
    people = {1: Person(1, manager_id=2, **away), 2: Person(2, manager_id=3, **away), 3: Person(3)}
    decided = assign([1], people, NOW, initiator=None)
    assert decided.users == [3] and decided.delegated == [{"user": 3, "for": 1}]
    alone = {1: Person(1, **away)}
    assert assign([1], alone, NOW, initiator=None).users == [1]


def test_separation_of_duties_drops_the_initiator_and_an_empty_result_is_a_problem() -> None:
    people = {1: Person(1), 2: Person(2)}
    policy = Policy(exclude_initiator=True)
    decided = assign([1, 2], people, NOW, initiator=1, policy=policy)
    assert decided.users == [2] and decided.excluded == [1] and decided.problem is None
    alone = assign([1], people, NOW, initiator=1, policy=policy)
    assert alone.users == [] and "initiator may not approve" in str(alone.problem)
    # A delegation cannot hand the initiator their own approval either.
    away = {3: Person(3, manager_id=1, away_from=NOW - timedelta(days=1)), 1: Person(1)}
    assert assign([3], away, NOW, initiator=1, policy=policy).users == []
    assert "no user" in str(assign([], people, NOW, initiator=1).problem)
    inactive = assign([2], {2: Person(2, active=False)}, NOW, initiator=1)
    assert "deactivated" in str(inactive.problem)


def test_automatic_approval_for_the_initiator_or_a_repeat_approver() -> None:
    people = {1: Person(1), 2: Person(2)}
    both = Policy(auto_approve=("initiator", "repeat"))
    assert assign([1], people, NOW, initiator=1, policy=both).auto == "initiator"
    assert assign([2], people, NOW, initiator=1, approved={2}, policy=both).auto == "repeat"
    assert assign([2], people, NOW, initiator=1, approved={3}, policy=both).auto is None
    assert assign([1], people, NOW, initiator=1).auto is None  # not asked for
    fill = assign([1], people, NOW, initiator=1, policy=both, approval=False)
    assert fill.auto is None  # a fill task is never filled in automatically


def test_publish_checks_approver_entries_on_their_pointer() -> None:
    doc = flow_doc(
        [
            S,
            node(
                "a",
                "approval",
                assignees=[
                    {"kind": "role", "role": "manager"},
                    {"kind": "manager_chain"},
                    {"kind": "user", "id": "x"},
                    {"kind": "boss"},
                    {"kind": "owner", "field": "x"},
                ],
                auto_approve=["initiator", "repeat"],
                exclude_initiator=True,
            ),
            node("cc", "cc", recipients=[{"kind": "department_head", "department": 0}]),
            node("e", "end"),
        ],
        chain("s", "a", "cc", "e"),
    )
    problems = {p.pointer: p.message for p in flow_errors(doc)}
    assert problems == {
        "/nodes/1/assignees/1": "a manager_chain entry needs 'levels'",
        "/nodes/1/assignees/2": "'id' must be a positive whole number",
        "/nodes/1/assignees/3": problems["/nodes/1/assignees/3"],
        "/nodes/1/assignees/4": "a owner entry takes no 'field'",
        "/nodes/2/recipients/0": "'department' must be a positive whole number",
    }
    assert "kind must be one of" in problems["/nodes/1/assignees/3"]
    bad = flow_doc(
        [S, node("a", "approval", auto_approve=["boss"]), node("e", "end")], chain("s", "a", "e")
    )
    assert [p.pointer for p in flow_errors(bad)] == ["/nodes/1/auto_approve/0"]
    cc = flow_doc(
        [S, node("c", "cc", auto_approve=["repeat"]), node("e", "end")], chain("s", "c", "e")
    )
    assert [p.pointer for p in flow_errors(cc)] == ["/nodes/1/auto_approve"]


def test_round_robin_takes_turns_in_id_order() -> None:
    from jimu.engines.process.approvers import next_in_turn

    assert next_in_turn([5, 3, 9], None) == [3]
    assert next_in_turn([5, 3, 9], 3) == [5]
    assert next_in_turn([5, 3, 9], 9) == [3]  # round again
    assert next_in_turn([5, 3, 9], 4) == [5]  # 4 no longer holds the role: the next after it
    assert next_in_turn([5, 3, 9], 10) == [3]
    assert next_in_turn([], 3) == []
