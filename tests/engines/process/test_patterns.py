"""The workflow control-flow patterns (WCP-1..20, van der Aalst et al.) as flows with
expected traces: every pattern is a small flow driven event by event."""

from __future__ import annotations

import pytest

from jimu.engines.process import ProcessError
from tests.engines.process.flows import Case, chain, edge, node

S = node("s", "start", on="manual")
E = node("e", "end")


def test_wcp01_sequence() -> None:
    case = Case([S, node("a", "fill"), node("b", "fill"), E], chain("s", "a", "b", "e")).start()
    assert case.open() == ["a"]
    case.do("a")
    assert case.open() == ["b"]
    case.do("b")
    assert case.trace == ["s", "a", "b", "e"]
    assert case.status == "completed"
    assert case.effects[-1] == {"effect": "end", "result": "complete"}


def _parallel() -> Case:
    return Case(
        [
            S,
            node("p", "parallel"),
            node("a", "fill"),
            node("b", "fill"),
            node("j", "join"),
            node("c", "fill"),
            E,
        ],
        [
            edge("s", "p"),
            edge("p", "a"),
            edge("p", "b"),
            edge("a", "j"),
            edge("b", "j"),
            *chain("j", "c", "e"),
        ],
    ).start()


def test_wcp02_parallel_split_and_wcp03_synchronization() -> None:
    case = _parallel()
    assert case.open() == ["a", "b"]
    case.do("b")
    assert case.open() == ["a"]
    assert "c" not in case.trace
    case.do("a")
    assert case.open() == ["c"]
    case.do("c")
    assert case.trace == ["s", "p", "a", "b", "j", "j", "c", "e"]
    assert case.status == "completed"


def _exclusive(amount: int) -> Case:
    big = {">": [{"var": "record.amount"}, 100]}
    return Case(
        [
            S,
            node("x", "exclusive"),
            node("big", "approval"),
            node("small", "fill"),
            node("m", "fill"),
            E,
        ],
        [
            edge("s", "x"),
            edge("x", "big", big),
            edge("x", "small", default=True),
            edge("big", "m"),
            edge("small", "m"),
            edge("m", "e"),
        ],
        record={"amount": amount},
    ).start()


@pytest.mark.parametrize(("amount", "path"), [(500, "big"), (20, "small")])
def test_wcp04_exclusive_choice_and_wcp05_simple_merge(amount: int, path: str) -> None:
    case = _exclusive(amount)
    assert case.open() == [path]
    case.do(path)
    case.do("m")
    assert case.trace == ["s", "x", path, "m", "e"]


def _inclusive() -> Case:
    def wants(name: str) -> dict[str, object]:
        return {"in": [name, {"var": "vars.checks"}]}

    return Case(
        [
            S,
            node("o", "inclusive"),
            node("legal", "fill"),
            node("tech", "fill"),
            node("money", "fill"),
            node("j", "join"),
            node("c", "fill"),
            E,
        ],
        [
            edge("s", "o"),
            edge("o", "legal", wants("legal")),
            edge("o", "tech", wants("tech")),
            edge("o", "money", default=True),
            edge("legal", "j"),
            edge("tech", "j"),
            edge("money", "j"),
            *chain("j", "c", "e"),
        ],
    )


def test_wcp06_multi_choice_and_wcp07_structured_synchronizing_merge() -> None:
    case = _inclusive().start(checks=["legal", "tech"])
    assert case.open() == ["legal", "tech"]
    case.do("tech")
    assert case.open() == ["legal"]  # the merge waits for the two branches taken, not three
    case.do("legal")
    assert case.open() == ["c"]
    only_default = _inclusive().start(checks=[])
    assert only_default.open() == ["money"]
    only_default.do("money")
    assert only_default.open() == ["c"]


def test_wcp08_multi_merge() -> None:
    case = Case(
        [S, node("p", "parallel"), node("a", "fill"), node("b", "fill"), node("c", "fill"), E],
        [
            edge("s", "p"),
            edge("p", "a"),
            edge("p", "b"),
            edge("a", "c"),
            edge("b", "c"),
            edge("c", "e"),
        ],
    ).start()
    case.do("a")
    assert case.open() == ["b", "c"]
    case.do("b")
    assert case.open() == ["c", "c"]
    case.do("c")
    assert case.status == "running"
    case.do("c")
    assert case.trace.count("c") == 2
    assert case.status == "completed"


def _three_way(join: dict[str, object]) -> Case:
    return Case(
        [
            S,
            node("p", "parallel"),
            node("a", "fill"),
            node("b", "fill"),
            node("c", "fill"),
            join,
            node("d", "fill"),
            E,
        ],
        [
            edge("s", "p"),
            *(edge("p", x) for x in "abc"),
            *(edge(x, "j") for x in "abc"),
            *chain("j", "d", "e"),
        ],
    ).start()


def test_wcp09_structured_discriminator() -> None:
    case = _three_way(node("j", "join", mode="any"))
    case.do("b")
    assert case.open() == ["a", "c", "d"]
    case.do("a")
    case.do("c")
    assert case.open() == ["d"]  # later branches are absorbed, the join fires once
    assert case.state is not None and case.state["groups"] == {}
    case.do("d")
    assert case.status == "completed"
    assert case.trace.count("d") == 1


def test_n_of_m_join_cancelling_the_rest() -> None:
    case = _three_way(node("j", "join", mode="n", n=2, cancel_rest=True))
    case.do("c")
    assert case.open() == ["a", "b"]
    case.do("a")
    assert case.open() == ["d"]  # b was withdrawn when two of three arrived
    assert {"effect": "cancel_task", "token": "t3", "node": "b", "index": 0} in case.effects


def test_wcp10_arbitrary_cycles_send_back_for_rework() -> None:
    approved = {"==": [{"var": "outcome"}, "approve"]}
    case = Case(
        [S, node("draft", "fill"), node("review", "approval"), E],
        [
            *chain("s", "draft", "review"),
            edge("review", "e", approved),
            edge("review", "draft", default=True),
        ],
    ).start()
    case.do("draft")
    case.do("review", "reject")
    assert case.open() == ["draft"]
    case.do("draft")
    case.do("review", "approve")
    assert case.trace == ["s", "draft", "review", "draft", "review", "e"]
    assert case.status == "completed"


def test_wcp11_implicit_termination() -> None:
    case = Case(
        [
            S,
            node("p", "parallel"),
            node("a", "fill"),
            node("b", "fill"),
            node("e1", "end"),
            node("e2", "end"),
        ],
        [edge("s", "p"), edge("p", "a"), edge("p", "b"), edge("a", "e1"), edge("b", "e2")],
    ).start()
    case.do("a")
    assert case.status == "running"  # b still has work
    case.do("b")
    assert case.status == "completed"


def test_wcp12_multiple_instances_without_synchronization() -> None:
    case = Case(
        [
            S,
            node("notify", "fill", multi={"mode": "parallel", "count": 3, "wait": False}),
            node("c", "fill"),
            E,
        ],
        chain("s", "notify", "c", "e"),
    ).start()
    assert case.open() == ["c", "notify", "notify", "notify"]  # the flow did not wait
    case.do("c")
    assert case.status == "running"
    for _ in range(3):
        case.do("notify")
    assert case.status == "completed"


def _multi(multi: dict[str, object]) -> Case:
    return Case(
        [S, node("sign", "approval", multi=multi), node("c", "fill"), E],
        chain("s", "sign", "c", "e"),
    )


def test_wcp13_multiple_instances_with_design_time_knowledge() -> None:
    case = _multi({"mode": "parallel", "count": 3}).start()
    assert case.open() == ["sign"] * 3
    case.do("sign")
    case.do("sign")
    assert case.open() == ["sign"]
    case.do("sign")
    assert case.open() == ["c"]


def test_wcp14_multiple_instances_with_run_time_knowledge() -> None:
    case = _multi({"mode": "sequential", "items": {"var": "vars.signers"}})
    case.start(signers=["wang", "li"])
    items = [e["item"] for e in case.effects if e["effect"] == "create_task"]
    assert items == ["wang"]  # sequential: one at a time, in order
    case.do("sign")
    items = [e["item"] for e in case.effects if e["effect"] == "create_task"]
    assert items == ["wang", "li"]
    case.do("sign")
    assert case.open() == ["c"]


def test_wcp15_multiple_instances_without_a_priori_knowledge() -> None:
    case = _multi({"mode": "parallel", "count": 1}).start()
    token, _ = case.task("sign")
    case.send({"type": "add_instance", "token": token})
    case.send({"type": "add_instance", "token": token})
    assert case.open() == ["sign"] * 3
    for _ in range(2):
        case.do("sign")
    assert case.open() == ["sign"]
    case.do("sign")
    assert case.open() == ["c"]


def _deferred() -> Case:
    return Case(
        [
            S,
            node("r", "race"),
            node("answer", "fill"),
            node("wait", "timer", delay={"amount": 2, "unit": "days"}),
            node("chase", "fill"),
            node("done", "fill"),
            E,
        ],
        [
            edge("s", "r"),
            edge("r", "answer"),
            edge("r", "wait"),
            edge("wait", "chase"),
            edge("answer", "done"),
            edge("chase", "done"),
            edge("done", "e"),
        ],
    ).start()


def test_wcp16_deferred_choice() -> None:
    timer_wins = _deferred()
    assert timer_wins.open() == ["answer"]
    timers = [e for e in timer_wins.effects if e["effect"] == "create_timer"]
    assert timers == [
        {
            "effect": "create_timer",
            "token": "t3",
            "node": "wait",
            "delay": {"amount": 2, "unit": "days"},
        }
    ]
    timer_wins.send({"type": "timer_fired", "token": "t3"})
    assert timer_wins.open() == ["chase"]  # the answer task was withdrawn
    task_wins = _deferred()
    task_wins.do("answer")
    assert task_wins.open() == ["done"]
    assert {"effect": "cancel_timer", "token": "t3", "node": "wait"} in task_wins.effects
    with pytest.raises(ProcessError):
        task_wins.send({"type": "timer_fired", "token": "t3"})


def test_wcp17_interleaved_parallel_routing() -> None:
    case = Case(
        [
            S,
            node("p", "parallel"),
            *(node(x, "fill", interleave="desk") for x in "abc"),
            node("j", "join"),
            E,
        ],
        [
            edge("s", "p"),
            *(edge("p", x) for x in "abc"),
            *(edge(x, "j") for x in "abc"),
            edge("j", "e"),
        ],
    ).start()
    assert case.open() == ["a"]  # one at a time, in any order the flow offers
    case.do("a")
    assert case.open() == ["b"]
    case.do("b")
    assert case.open() == ["c"]
    case.do("c")
    assert case.status == "completed"


def test_wcp18_milestone() -> None:
    case = Case(
        [
            S,
            node("p", "parallel"),
            node("pack", "fill"),
            node("shipped", "receive", message="shipped"),
            node("change", "fill", while_at="shipped"),
            node("e1", "end"),
            node("e2", "end"),
        ],
        [
            edge("s", "p"),
            edge("p", "pack"),
            edge("p", "change"),
            edge("pack", "shipped"),
            edge("shipped", "e1"),
            edge("change", "e2"),
        ],
    ).start()
    with pytest.raises(ProcessError, match="only while the case is at 'shipped'"):
        case.do("change")
    case.do("pack")
    case.do("change")  # the milestone is reached: the change may be made
    case.send({"type": "message", "name": "shipped"})
    assert case.status == "completed"


def test_wcp19_cancel_activity() -> None:
    case = _parallel()
    case.send({"type": "cancel", "token": case.task("b")[0]})
    assert case.open() == ["a"]
    case.do("a")
    assert case.open() == ["c"]  # the join expects one branch fewer


def test_wcp20_cancel_case() -> None:
    case = _parallel()
    case.send({"type": "cancel_case"})
    assert case.open() == []
    assert case.status == "cancelled"
    with pytest.raises(ProcessError, match="cancelled"):
        case.send({"type": "cancel_case"})


def test_reject_end_terminates_the_case() -> None:
    rejected = {"==": [{"var": "outcome"}, "reject"]}
    case = Case(
        [
            S,
            node("p", "parallel"),
            node("a", "approval"),
            node("b", "fill"),
            node("j", "join"),
            node("no", "end", result="reject"),
            E,
        ],
        [
            edge("s", "p"),
            edge("p", "a"),
            edge("p", "b"),
            edge("a", "no", rejected),
            edge("a", "j", default=True),
            edge("b", "j"),
            edge("j", "e"),
        ],
    ).start()
    case.do("a", "reject")
    assert case.status == "rejected"
    assert case.open() == []
