"""The process engine: (flow, instance state, event) → new state, its delta, the effects, a trace.

Pure and deterministic: no clock, no I/O, no database. The platform persists the delta and
carries out the effects (create a task, a timer, run service actions, notify, start a
sub-process) in the same transaction, then feeds the outcomes back as events. docs/process.md
describes the token semantics.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.expr import ExprError
from jimu.engines.process.flow import Edge, Flow
from jimu.engines.process.state import Delta, State, diff_states, new_state, token_order
from jimu.errors import JimuError

#: How many nodes one step may pass through before it is judged a loop without a wait (a
#: step moves tokens recursively, so this also bounds the stack).
MAX_MOVES = 200
EVENT_TYPES = (
    "start",
    "task_done",
    "timer_fired",
    "service_done",
    "subprocess_done",
    "message",
    "cancel",
    "cancel_case",
    "add_instance",
    "return",
    "withdraw",
)
_TASK_KINDS = ("fill", "approval")
_END_STATUS = {"complete": "completed", "reject": "rejected", "cancel": "cancelled"}


class ProcessError(JimuError):
    """An event the instance cannot take, or a flow that fails while it runs (an incident)."""


def _error(message: str) -> ProcessError:
    return ProcessError(message, code="process_error", status=409)


@dataclass
class Step:
    """The result of one event: the new ``state``, the ``delta`` to persist, the ``effects`` to
    carry out (in order) and the ``trace`` (node ids entered, in order). ``choices`` says, per
    node that chose among conditional edges, the targets taken and whether by the default
    edge (what a simulation shows; the platform does not store it)."""

    state: State
    delta: Delta
    effects: list[dict[str, Any]] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    choices: list[dict[str, Any]] = field(default_factory=list)


def step(
    flow: Flow,
    state: State | None,
    event: Mapping[str, Any],
    record: Mapping[str, Any] | None = None,
) -> Step:
    """Apply ``event`` to ``state`` (None: a new instance; the event must be ``start``).

    ``record`` is the instance's record as it is now; conditions read it as ``record``.
    """
    old = state if state is not None else new_state()
    run = _Run(flow, copy.deepcopy(old), dict(record or {}))
    run.handle(event)
    return Step(run.state, diff_states(old, run.state), run.effects, run.trace, run.choices)


class _Run:
    def __init__(self, flow: Flow, state: State, record: dict[str, Any]) -> None:
        self.flow = flow
        self.state = state
        self.record = record
        self.effects: list[dict[str, Any]] = []
        self.trace: list[str] = []
        self.choices: list[dict[str, Any]] = []
        self.moves = 0

    # -- events ---------------------------------------------------------------------------

    def handle(self, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        if kind not in EVENT_TYPES:
            raise _error(f"unknown event type {kind!r}")
        if kind == "start":
            self._start(event)
            return
        if self.state["status"] != "running":
            raise _error(f"the instance is {self.state['status']}: it takes no more events")
        if kind in ("cancel_case", "withdraw"):
            self._finish("cancelled", "cancel")
        elif kind == "message":
            self._message(event)
        else:
            token_id = str(event.get("token", ""))
            token = self.state["tokens"].get(token_id)
            if token is None:
                raise _error(f"no token {token_id!r} in this instance")
            if kind == "cancel":
                self._cancel(token_id)
                self._settle()
            elif kind == "add_instance":
                self._add_instance(token_id, token)
            elif kind == "return":
                self._return(token_id, token, str(event.get("to", "")))
            else:
                self._complete(token_id, token, kind, event)

    def _start(self, event: Mapping[str, Any]) -> None:
        if self.state["tokens"] or self.state["seq"]:
            raise _error("the instance has started already")
        starts = self.flow.starts()
        start = str(event.get("start", starts[0]))
        if start not in starts:
            raise _error(f"{start!r} is not a start node of flow {self.flow.name!r}")
        self.state["vars"].update(dict(event.get("vars", {})))
        token_id = self._new_token(start, [])
        self.trace.append(start)
        self._leave(token_id, None)
        self._settle()

    def _message(self, event: Mapping[str, Any]) -> None:
        name = event.get("name")
        waiting = [
            t
            for t, token in self._tokens_sorted()
            if token.get("wait") == "message" and self.flow.node(token["node"])["message"] == name
        ]
        if not waiting:
            raise _error(f"no token waits for message {name!r}")
        self.state["vars"].update(dict(event.get("values", {})))
        for token_id in waiting:
            if token_id in self.state["tokens"]:
                self._leave(token_id, None)
        self._settle()

    def _complete(
        self, token_id: str, token: dict[str, Any], kind: str, event: Mapping[str, Any]
    ) -> None:
        expected = {
            "task_done": "task",
            "timer_fired": "timer",
            "service_done": "service",
            "subprocess_done": "subprocess",
        }[kind]
        if token.get("wait") != expected:
            raise _error(f"token {token_id!r} at {token['node']!r} waits for no {expected}")
        outcome = event.get("outcome")
        if kind == "task_done":
            outcome = self._task_outcome(token_id, token, event)
            if outcome is None:
                self._settle()
                return
        self.state["vars"].update(dict(event.get("values", {})))
        if token.get("detached"):
            # One instance of a multi-instance task without synchronisation: it just ends.
            del self.state["tokens"][token_id]
        else:
            self._leave(token_id, outcome)
        self._settle()

    def _task_outcome(
        self, token_id: str, token: dict[str, Any], event: Mapping[str, Any]
    ) -> str | None:
        """Record one task's completion; the node's outcome when the token may leave, else
        None (more instances of a multi-instance task are still open)."""
        node = self.flow.node(token["node"])
        outcomes = node.get("outcomes") or (
            ["approve", "reject"] if node["type"] == "approval" else ["done"]
        )
        outcome = str(event.get("outcome", outcomes[0]))
        if outcome not in outcomes:
            raise _error(f"{outcome!r} is not an outcome of {token['node']!r}: {outcomes}")
        milestone = node.get("while_at")
        if milestone and not any(t["node"] == milestone for t in self.state["tokens"].values()):
            raise _error(
                f"{token['node']!r} can be completed only while the case is at {milestone!r}"
            )
        self.state["vars"].update(dict(event.get("values", {})))
        mi = token.get("mi")
        if mi is None:
            return outcome
        index = int(event.get("index", mi["open"][0] if mi["open"] else -1))
        if index not in mi["open"]:
            raise _error(f"task {index} of token {token_id!r} is not open")
        mi["open"].remove(index)
        mi["done"] += 1
        mi["outcomes"][outcome] = mi["outcomes"].get(outcome, 0) + 1
        mi["last"] = outcome
        if self._multi_finished(token, node):
            for open_index in mi["open"]:
                self.effects.append(self._task_effect("cancel_task", token_id, token, open_index))
            mi["open"] = []
            return outcome
        if node["multi"]["mode"] == "sequential" and mi["next"] < mi["total"]:
            self._open_instance(token_id, token, mi["next"])
        return None

    def _multi_finished(self, token: dict[str, Any], node: Mapping[str, Any]) -> bool:
        mi = token["mi"]
        if "complete_when" in node["multi"]:
            data = {
                **self._data(None),
                "total": mi["total"],
                "done": mi["done"],
                "outcomes": mi["outcomes"],
            }
            if bool(self._evaluate(self.flow.node_expr(token["node"], "complete_when"), data)):
                return True
        return bool(mi["done"] >= mi["total"])

    def _add_instance(self, token_id: str, token: dict[str, Any]) -> None:
        mi = token.get("mi")
        node = self.flow.node(token["node"])
        if mi is None or token.get("wait") != "task" or node["multi"]["mode"] != "parallel":
            raise _error(f"token {token_id!r} is not at a parallel multi-instance task")
        mi["total"] += 1
        self._open_instance(token_id, token, mi["total"] - 1)

    def _return(self, token_id: str, token: dict[str, Any], target: str) -> None:
        """退回: the token goes back to a task node it has passed (its ``trail``); the open
        tasks of the node it is at are withdrawn and the earlier node's tasks made anew."""
        if token.get("wait") != "task":
            raise _error(f"token {token_id!r} at {token['node']!r} waits for no task")
        if target not in token.get("trail", [])[:-1] or target == token["node"]:
            passed = [n for n in token.get("trail", []) if n != token["node"]]
            raise _error(
                f"{target!r} is not an earlier node of this token: it may return to {passed}"
            )
        mi = token.get("mi")
        for index in mi["open"] if mi else [0]:
            self.effects.append(self._task_effect("cancel_task", token_id, token, index))
        node = self.flow.node(token["node"])
        self._release_interleave(token_id, node)
        token.pop("wait", None)
        token.pop("mi", None)
        trail = token["trail"]
        token["trail"] = trail[: trail.index(target)]
        token["node"] = target
        self._enter(token_id, target)
        self._settle()

    # -- moving tokens --------------------------------------------------------------------

    def _new_token(self, node_id: str, groups: list[str], **extra: Any) -> str:
        self.state["seq"] += 1
        token_id = f"t{self.state['seq']}"
        self.state["tokens"][token_id] = {"node": node_id, "groups": list(groups), **extra}
        return token_id

    def _tokens_sorted(self) -> list[tuple[str, dict[str, Any]]]:
        return sorted(self.state["tokens"].items(), key=lambda item: token_order(item[0]))

    def _data(self, outcome: str | None) -> dict[str, Any]:
        return {"record": self.record, "vars": self.state["vars"], "outcome": outcome}

    def _evaluate(self, fn: Any, data: Mapping[str, Any]) -> Any:
        try:
            return fn(data)
        except ExprError as exc:
            raise _error(f"a condition failed: {exc}") from exc

    def _leave(self, token_id: str, outcome: str | None) -> None:
        """The token is done at its node: cancel what the node cancels, take its edges."""
        token = self.state["tokens"][token_id]
        node_id = token["node"]
        node = self.flow.node(node_id)
        self._end_race(token_id, token)
        self._release_interleave(token_id, node)
        for target in node.get("cancels", ()):
            for other, other_token in self._tokens_sorted():
                if other != token_id and other_token["node"] == target:
                    self._cancel(other)
        token.pop("wait", None)
        token.pop("mi", None)
        edges = self.flow.outgoing[node_id]
        kind = node["type"]
        if kind in ("parallel", "race"):
            self._split(token_id, list(edges), race=kind == "race")
        elif kind == "inclusive":
            self._split(token_id, self._choose(node_id, outcome, many=True), race=False)
        else:
            self._move(token_id, self._choose(node_id, outcome, many=False)[0])

    def _choose(self, node_id: str, outcome: str | None, *, many: bool) -> list[Edge]:
        edges = self.flow.outgoing[node_id]
        if len(edges) == 1 and edges[0].condition is None:
            return [edges[0]]
        data = self._data(outcome)
        chosen = [e for e in edges if e.condition is not None and self._evaluate(e.condition, data)]
        if not many:
            chosen = chosen[:1]
        by_default = not chosen
        if by_default:
            chosen = [e for e in edges if e.default]
        if not chosen:
            raise _error(f"no edge leaving {node_id!r} matches and none is the default")
        self.choices.append(
            {"node": node_id, "to": [e.target for e in chosen], "default": by_default}
        )
        return chosen

    def _split(self, token_id: str, edges: list[Edge], *, race: bool) -> None:
        token = self.state["tokens"].pop(token_id)
        group_id = f"g{token_id[1:]}"
        self.state["groups"][group_id] = {
            "k": len(edges),
            "arrived": {},
            "fired": [],
            **({"race": True} if race else {}),
            **({"trail": token["trail"]} if token.get("trail") else {}),
        }
        groups = [*token["groups"], group_id]
        for edge in edges:
            self._enter(self._new_token(edge.target, groups), edge.target)

    def _move(self, token_id: str, edge: Edge) -> None:
        self.state["tokens"][token_id]["node"] = edge.target
        self._enter(token_id, edge.target)

    def _enter(self, token_id: str, node_id: str) -> None:
        self.moves += 1
        if self.moves > MAX_MOVES:
            raise _error(f"the flow loops without waiting (at {node_id!r})")
        self.trace.append(node_id)
        token = self.state["tokens"][token_id]
        node = self.flow.node(node_id)
        kind = node["type"]
        if kind in _TASK_KINDS:
            self._enter_task(token_id, token, node)
        elif kind == "cc":
            self.effects.append(
                {
                    "effect": "notify",
                    "token": token_id,
                    "node": node_id,
                    "recipients": node.get("recipients", []),
                }
            )
            self._leave(token_id, None)
        elif kind == "join":
            self._arrive(token_id, token, node)
        elif kind == "end":
            self._end(token_id, node)
        elif kind == "service":
            token["wait"] = "service"
            self.effects.append(
                {
                    "effect": "run_actions",
                    "token": token_id,
                    "node": node_id,
                    "actions": node["actions"],
                }
            )
        elif kind == "timer":
            token["wait"] = "timer"
            due = {"delay": node["delay"]} if "delay" in node else {"field": node["until_field"]}
            self.effects.append(
                {"effect": "create_timer", "token": token_id, "node": node_id, **due}
            )
        elif kind == "receive":
            token["wait"] = "message"
        elif kind == "subprocess":
            token["wait"] = "subprocess"
            self.effects.append(
                {
                    "effect": "start_subprocess",
                    "token": token_id,
                    "node": node_id,
                    "flow": node["flow"],
                }
            )
        else:  # exclusive, inclusive, parallel, race, start: they decide at once
            self._leave(token_id, None)

    # -- tasks ----------------------------------------------------------------------------

    def _enter_task(self, token_id: str, token: dict[str, Any], node: Mapping[str, Any]) -> None:
        # The task nodes this token passed, in order (where 退回 may send it back to).
        trail = token.setdefault("trail", [])
        if node["id"] in trail:
            del trail[trail.index(node["id"]) :]
        trail.append(node["id"])
        lane = node.get("interleave")
        if lane and self._lane_busy(lane, token_id):
            token["wait"] = "queued"
            return
        self._open_task(token_id, token, node)

    def _lane_busy(self, lane: str, token_id: str) -> bool:
        return any(
            other != token_id
            and t.get("wait") == "task"
            and self.flow.node(t["node"]).get("interleave") == lane
            for other, t in self.state["tokens"].items()
        )

    def _release_interleave(self, token_id: str, node: Mapping[str, Any]) -> None:
        lane = node.get("interleave")
        if not lane or self.state["tokens"][token_id].get("wait") != "task":
            return
        self.state["tokens"][token_id]["wait"] = "leaving"
        for other, t in self._tokens_sorted():
            if t.get("wait") == "queued" and self.flow.node(t["node"]).get("interleave") == lane:
                self._open_task(other, t, self.flow.node(t["node"]))
                return

    def _open_task(self, token_id: str, token: dict[str, Any], node: Mapping[str, Any]) -> None:
        multi = node.get("multi")
        token["wait"] = "task"
        if multi is None:
            self.effects.append(self._task_effect("create_task", token_id, token, 0))
            return
        items: list[Any] | None = None
        if "items" in multi:
            value = self._evaluate(self.flow.node_expr(node["id"], "items"), self._data(None))
            if not isinstance(value, list):
                raise _error(f"the multi items of {node['id']!r} are not a list")
            items = value
        total = len(items) if items is not None else int(multi["count"])
        if total == 0:
            self._leave(token_id, None)
            return
        if multi.get("wait") is False:
            # No synchronisation: each instance is a token of its own; this one goes on.
            for index in range(total):
                child = self._new_token(node["id"], token["groups"], wait="task", detached=True)
                child_token = self.state["tokens"][child]
                self.effects.append(
                    self._task_effect(
                        "create_task", child, child_token, 0, items[index] if items else None
                    )
                )
            token.pop("wait")
            self._leave(token_id, None)
            return
        token["mi"] = {"total": total, "done": 0, "open": [], "outcomes": {}, "next": 0}
        if multi["mode"] == "sequential":
            if items is not None:
                token["mi"]["items"] = items
            self._open_instance(token_id, token, 0)
        else:
            for index in range(total):
                self._open_instance(token_id, token, index, items[index] if items else None)

    def _open_instance(
        self, token_id: str, token: dict[str, Any], index: int, item: Any = None
    ) -> None:
        mi = token["mi"]
        mi["open"].append(index)
        mi["next"] = max(mi["next"], index + 1)
        if item is None and "items" in mi:
            item = mi["items"][index]
        self.effects.append(self._task_effect("create_task", token_id, token, index, item))

    def _task_effect(
        self, kind: str, token_id: str, token: Mapping[str, Any], index: int, item: Any = None
    ) -> dict[str, Any]:
        node = self.flow.node(token["node"])
        effect: dict[str, Any] = {
            "effect": kind,
            "token": token_id,
            "node": token["node"],
            "index": index,
        }
        if kind == "create_task":
            effect["task"] = node["type"]
            effect["assignees"] = node.get("assignees", [])
            if item is not None:
                effect["item"] = item
        return effect

    # -- joins, races, ends, cancelling ---------------------------------------------------

    def _arrive(self, token_id: str, token: dict[str, Any], node: Mapping[str, Any]) -> None:
        node_id = node["id"]
        group_id = token["groups"][-1] if token["groups"] else None
        if group_id is None or group_id not in self.state["groups"]:
            count = self.state["joins"].get(node_id, 0) + 1
            if count >= self.flow.incoming[node_id]:
                self.state["joins"].pop(node_id, None)
                for other, t in self._tokens_sorted():
                    if other != token_id and t["node"] == node_id and t.get("wait") == "join":
                        del self.state["tokens"][other]
                self._leave(token_id, None)
            else:
                self.state["joins"][node_id] = count
                token["wait"] = "join"
            return
        group = self.state["groups"][group_id]
        group["arrived"][node_id] = group["arrived"].get(node_id, 0) + 1
        if node_id in group["fired"]:
            del self.state["tokens"][token_id]  # late branch of a discriminator: consumed
            self._close_group_if_done(group_id, node_id)
            return
        token["wait"] = "join"
        self._try_fire(group_id, node)

    def _join_needs(self, group: Mapping[str, Any], node: Mapping[str, Any]) -> int:
        mode = node.get("mode", "all")
        if mode == "any":
            return 1
        if mode == "n":
            return min(int(node["n"]), int(group["k"]))
        return int(group["k"])

    def _try_fire(self, group_id: str, node: Mapping[str, Any]) -> None:
        group = self.state["groups"][group_id]
        node_id = node["id"]
        parked = [
            t
            for t, token in self._tokens_sorted()
            if token["node"] == node_id
            and token.get("wait") == "join"
            and token["groups"]
            and token["groups"][-1] == group_id
        ]
        if not parked or len(parked) < self._join_needs(group, node):
            return
        survivor = parked[-1]
        for other in parked[:-1]:
            del self.state["tokens"][other]
        survivor_token = self.state["tokens"][survivor]
        survivor_token["groups"] = survivor_token["groups"][:-1]
        # After the join the token may return only to task nodes before the split.
        survivor_token.pop("trail", None)
        if group.get("trail"):
            survivor_token["trail"] = list(group["trail"])
        group["fired"].append(node_id)
        if node.get("cancel_rest"):
            for other, t in self._tokens_sorted():
                if group_id in t["groups"]:
                    self._cancel(other)
            del self.state["groups"][group_id]
        else:
            self._close_group_if_done(group_id, node_id)
        self._leave(survivor, None)

    def _close_group_if_done(self, group_id: str, node_id: str) -> None:
        group = self.state["groups"].get(group_id)
        if group is not None and group["arrived"].get(node_id, 0) >= group["k"]:
            del self.state["groups"][group_id]

    def _end_race(self, token_id: str, token: dict[str, Any]) -> None:
        """A token leaving the first node after a race wins it: its rivals are withdrawn."""
        if not token["groups"]:
            return
        group_id = token["groups"][-1]
        group = self.state["groups"].get(group_id)
        if group is None or not group.get("race"):
            return
        for other, t in self._tokens_sorted():
            if other != token_id and group_id in t["groups"]:
                self._cancel(other, shrink=False)
        if group.get("trail"):
            token["trail"] = [*group["trail"], *token.get("trail", [])]
        del self.state["groups"][group_id]
        token["groups"] = token["groups"][:-1]

    def _end(self, token_id: str, node: Mapping[str, Any]) -> None:
        del self.state["tokens"][token_id]
        result = node.get("result", "complete")
        if node.get("terminate") or result != "complete":
            self._finish(_END_STATUS[result], result)

    def _finish(self, status: str, result: str) -> None:
        for other, _ in self._tokens_sorted():
            self._cancel(other, shrink=False)
        self.state["groups"] = {}
        self.state["joins"] = {}
        self.state["status"] = status
        self.effects.append({"effect": "end", "result": result})

    def _cancel(self, token_id: str, *, shrink: bool = True) -> None:
        """Withdraw a token and its open work; a branch group it belonged to expects one
        branch fewer (so an AND-join after a cancelled activity still fires)."""
        token = self.state["tokens"].pop(token_id, None)
        if token is None:
            return
        wait = token.get("wait")
        if wait == "task":
            mi = token.get("mi")
            for index in mi["open"] if mi else [0]:
                self.effects.append(self._task_effect("cancel_task", token_id, token, index))
        elif wait == "timer":
            self.effects.append(
                {"effect": "cancel_timer", "token": token_id, "node": token["node"]}
            )
        elif wait == "subprocess":
            self.effects.append(
                {"effect": "cancel_subprocess", "token": token_id, "node": token["node"]}
            )
        if wait == "task" and self.flow.node(token["node"]).get("interleave"):
            self.state["tokens"][token_id] = token
            self._release_interleave(token_id, self.flow.node(token["node"]))
            del self.state["tokens"][token_id]
        if not shrink or not token["groups"] or token.get("detached"):
            return
        group_id = token["groups"][-1]
        group = self.state["groups"].get(group_id)
        if group is None:
            return
        group["k"] -= 1
        if group["k"] <= 0:
            del self.state["groups"][group_id]
            return
        for join_id in {
            t["node"]
            for t in self.state["tokens"].values()
            if t.get("wait") == "join" and t["groups"][-1:] == [group_id]
        }:
            self._try_fire(group_id, self.flow.node(join_id))

    def _settle(self) -> None:
        """An instance with no tokens left is complete (implicit termination)."""
        if self.state["status"] == "running" and not self.state["tokens"]:
            self.state["status"] = "completed"
            self.state["groups"] = {}
            self.state["joins"] = {}
            self.effects.append({"effect": "end", "result": "complete"})
