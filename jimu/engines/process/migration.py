"""Moving a running instance to another version of its flow (pure: no clock, no I/O).

``check_mapping(old, new, mapping)`` checks a node mapping ``{old node id: new node id}``
against both versions: each key a node of the old version, each value a node of the new one,
of the same kind. ``migrate(old, new, state, mapping)`` moves an instance's tokens: every node
holding a token maps to a node of the new version (the mapping's entry, by default the node
of the same id) of the same kind — a task to a task of the same kind (and the same
multi-instance mode), a wait to the same wait (timer, receive, join, sub-process of the same
flow). It answers the new state, the delta and the effects:

- a task node mapped to a node with the same people (``assignees``): its open tasks are kept
  (``move_task`` when the node's id changes);
- with other people: its open tasks are withdrawn (``cancel_task``) and made anew at the new
  node (``create_task``, people resolved again);
- a timer mapped to a timer that waits differently: ``replan_timer`` (the platform moves the
  due time: the time the token entered plus the new delay, or the record's date).

A mapping that cannot hold raises :class:`MigrationRefused` with every reason at once. See
docs/process.md, "Migrating running instances".
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.process.flow import Flow
from jimu.engines.process.state import Delta, State, diff_states, token_order
from jimu.errors import FieldError, JimuError

_TASK_KINDS = ("fill", "approval")


class MigrationRefused(JimuError):
    """The instance (or the mapping) cannot move to the new version; ``errors`` say why, each
    at ``/mapping/<node>``."""

    def __init__(self, message: str, errors: list[FieldError]) -> None:
        super().__init__(message, errors, code="migration_refused", status=409)


@dataclass
class Migration:
    """The new ``state``, the ``delta`` to persist, the ``effects`` to carry out (in order)
    and the ``moves`` (``{token, from, to, tasks}``: tasks ``kept``, ``renewed`` or none)."""

    state: State
    delta: Delta
    effects: list[dict[str, Any]] = field(default_factory=list)
    moves: list[dict[str, Any]] = field(default_factory=list)


def _pointer(node: str) -> str:
    return "/mapping/" + node.replace("~", "~0").replace("/", "~1")


def _kind_problem(old: Flow, new: Flow, source: str, target: str) -> str | None:
    """Why ``source`` of the old version cannot become ``target`` of the new one (None: it can)."""
    if target not in new.nodes:
        return f"{target!r} (for {source!r}) is not a node of the new version"
    before, after = old.kind(source), new.kind(target)
    if before != after:
        what = "a task" if before in _TASK_KINDS else "a node"
        return (
            f"{source!r} is {what} of kind {before!r}: it cannot become {target!r} "
            f"of kind {after!r}"
        )
    if before == "subprocess" and old.node(source)["flow"] != new.node(target)["flow"]:
        return f"the sub-process {source!r} cannot become {target!r}: it starts another flow"
    if before == "receive" and old.node(source)["message"] != new.node(target)["message"]:
        return f"{source!r} waits for another message than {target!r}"
    return None


def check_mapping(old: Flow, new: Flow, mapping: Mapping[str, str]) -> list[FieldError]:
    """Every problem of an explicit ``mapping`` between two versions (nodes unknown on either
    side, kinds that do not match), each at ``/mapping/<old node>``."""
    problems: list[FieldError] = []
    for source, target in mapping.items():
        if source not in old.nodes:
            problems.append(
                FieldError(
                    _pointer(source), f"{source!r} is not a node of the old version", "unknown"
                )
            )
            continue
        reason = _kind_problem(old, new, source, str(target))
        if reason is not None:
            code = "unknown" if str(target) not in new.nodes else "incompatible"
            problems.append(FieldError(_pointer(source), reason, code))
    return problems


def occupied(state: State) -> list[str]:
    """The nodes holding a token, in token order (each once)."""
    seen: list[str] = []
    for _, token in sorted(state["tokens"].items(), key=lambda item: token_order(item[0])):
        if token["node"] not in seen:
            seen.append(token["node"])
    return seen


def migrate(
    old: Flow, new: Flow, state: State, mapping: Mapping[str, str] | None = None
) -> Migration:
    """Move ``state`` (an instance of ``old``) onto ``new`` by ``mapping`` (see the module)."""
    if state["status"] != "running":
        raise MigrationRefused(
            f"the instance is {state['status']}: only running instances move",
            [FieldError("", f"the instance is {state['status']}", "not_running")],
        )
    given = dict(mapping or {})
    problems = check_mapping(old, new, given)
    target_of = {n: str(given.get(n, n)) for n in old.nodes}
    for node in occupied(state):
        if node in given:
            continue  # checked above
        target = target_of[node]
        reason = _kind_problem(old, new, node, target)
        if reason is not None and target not in new.nodes:
            reason = f"{node!r} holds a token but the new version has no node {node!r}: map it"
        if reason is not None:
            problems.append(FieldError(_pointer(node), reason, "unmapped"))
    if problems:
        raise MigrationRefused("The instance cannot move to the new version.", problems)

    result = copy.deepcopy(state)
    effects: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for token_id, token in sorted(result["tokens"].items(), key=lambda i: token_order(i[0])):
        source = token["node"]
        target = target_of[source]
        problem = _multi_problem(old, new, token, source, target)
        if problem is not None:
            problems.append(FieldError(_pointer(source), problem, "incompatible"))
            continue
        move: dict[str, Any] = {"token": token_id, "from": source, "to": target}
        wait = token.get("wait")
        if wait == "task":
            move["tasks"] = _move_tasks(old, new, token_id, token, source, target, effects)
        elif wait == "timer":
            _replan_timer(old, new, token_id, source, target, effects)
        token["node"] = target
        if token.get("trail"):
            token["trail"] = _map_trail(token["trail"], target_of, new)
        moves.append(move)
    if problems:
        raise MigrationRefused("The instance cannot move to the new version.", problems)
    for group in result["groups"].values():
        group["arrived"] = {target_of.get(n, n): c for n, c in group["arrived"].items()}
        group["fired"] = [target_of.get(n, n) for n in group["fired"]]
        if group.get("trail"):
            group["trail"] = _map_trail(group["trail"], target_of, new)
    result["joins"] = {target_of.get(n, n): c for n, c in result["joins"].items()}
    return Migration(result, diff_states(state, result), effects, moves)


def _multi_problem(
    old: Flow, new: Flow, token: Mapping[str, Any], source: str, target: str
) -> str | None:
    if old.kind(source) not in _TASK_KINDS or token.get("detached"):
        return None
    before = old.node(source).get("multi")
    after = new.node(target).get("multi")
    if token.get("mi") is None and after is not None and token.get("wait") == "task":
        return f"{source!r} has one task: {target!r} is a multi-instance task"
    if token.get("mi") is not None:
        if after is None:
            return f"{source!r} is a multi-instance task: {target!r} is not"
        if before is not None and before.get("mode") != after.get("mode"):
            return f"{source!r} runs its instances {before.get('mode')}: {target!r} does not"
    return None


def _move_tasks(
    old: Flow,
    new: Flow,
    token_id: str,
    token: Mapping[str, Any],
    source: str,
    target: str,
    effects: list[dict[str, Any]],
) -> str:
    """Keep the token's open tasks (same people) or withdraw them and make them anew."""
    before, after = old.node(source), new.node(target)
    same_people = before.get("assignees", []) == after.get("assignees", []) and bool(
        (before.get("multi") or {}).get("per_assignee")
    ) == bool((after.get("multi") or {}).get("per_assignee"))
    if same_people:
        if source != target:
            effects.append(
                {"effect": "move_task", "token": token_id, "from": source, "node": target}
            )
        return "kept"
    mi = token.get("mi")
    indexes = list(mi["open"]) if mi else [0]
    for index in indexes:
        effects.append({"effect": "cancel_task", "token": token_id, "node": source, "index": index})
    for index in indexes:
        effect: dict[str, Any] = {
            "effect": "create_task",
            "token": token_id,
            "node": target,
            "index": index,
            "task": after["type"],
            "assignees": after.get("assignees", []),
        }
        if mi and "items" in mi:
            effect["item"] = mi["items"][index]
        effects.append(effect)
    return "renewed"


def _replan_timer(
    old: Flow, new: Flow, token_id: str, source: str, target: str, effects: list[dict[str, Any]]
) -> None:
    before, after = old.node(source), new.node(target)
    keys = ("delay", "until_field")
    if all(before.get(k) == after.get(k) for k in keys):
        return
    effect: dict[str, Any] = {"effect": "replan_timer", "token": token_id, "node": target}
    effect["was"] = (
        {"delay": before["delay"]} if "delay" in before else {"field": before["until_field"]}
    )
    if "delay" in after:
        effect["delay"] = after["delay"]
    else:
        effect["field"] = after["until_field"]
    effects.append(effect)


def _map_trail(trail: list[str], target_of: Mapping[str, str], new: Flow) -> list[str]:
    """The task nodes passed, as the new version names them (those it lacks are dropped)."""
    mapped = [target_of.get(n, n) for n in trail]
    return [n for n in mapped if n in new.nodes and new.kind(n) in _TASK_KINDS]
