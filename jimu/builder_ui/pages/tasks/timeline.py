"""What the approval page shows of an instance besides the record: the path so far as a
timeline (who did what when, with comments, transfers, returns) and what comes next (the
nodes after the ones the instance waits at)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from jimu.platform.models import User

#: Nodes the "what comes next" walk passes through to the nodes behind them.
PASS_THROUGH = ("exclusive", "inclusive", "parallel", "race", "join")
#: Event types the timeline names (others are shown by their type).
KNOWN_EVENTS = (
    "start",
    "task_done",
    "return",
    "transfer",
    "add_signer",
    "add_instance",
    "withdraw",
    "urge",
    "comment",
    "timer_fired",
    "service_done",
    "subprocess_done",
    "cancel_case",
    "migrated",
    "message",
    "remind",
    "escalate",
)


def user_names(conn: sa.Connection, ids: set[int]) -> dict[int, str]:
    users = User.__table__
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(users.c.id, users.c.username, users.c.display_name).where(users.c.id.in_(ids))
    ).all()
    return {int(r.id): r.display_name or r.username for r in rows}


def people_in(trace: list[dict[str, Any]], tasks: list[dict[str, Any]]) -> set[int]:
    """Every user id the timeline and the tasks name."""
    ids: set[int] = set()
    for step in trace:
        event = step["event"]
        for key in ("by", "user", "to"):
            if isinstance(event.get(key), int) and not isinstance(event.get(key), bool):
                ids.add(int(event[key]))
        for key in ("from", "users", "mentions", "to"):
            value = event.get(key)
            if isinstance(value, list):
                ids.update(v for v in value if isinstance(v, int))
        for effect in step.get("effects") or []:
            ids.update(v for v in effect.get("users") or [] if isinstance(v, int))
    for task in tasks:
        ids.update(task["users"])
        if task["completed_by"] is not None:
            ids.add(int(task["completed_by"]))
    return ids


def timeline(
    trace: list[dict[str, Any]], node_label: Callable[[str], str], names: Mapping[int, str]
) -> list[dict[str, Any]]:
    """One entry per step, oldest first: when, who, what (the event type), the outcome, the
    comment and the files attached to it, the people it concerns (a transfer's new holder, an
    added signer, the urged), where a return went, and the nodes the step entered."""

    def name(user: Any) -> str:
        return names.get(user, f"#{user}") if isinstance(user, int) else ""

    entries = []
    for step in trace:
        event = step["event"]
        kind = str(event.get("type"))
        concerns: list[str] = []
        if kind == "transfer":
            concerns = [name(event.get("to"))]
        elif kind in ("add_signer", "add_instance"):
            concerns = [name(event.get("user"))]
        elif kind in ("urge", "remind"):
            concerns = [name(u) for u in event.get("users") or []]
        elif kind == "escalate":
            concerns = [name(u) for u in event.get("to") or []]
        created = [
            {"node": node_label(str(e.get("node"))), "users": [name(u) for u in e["users"]]}
            for e in step.get("effects") or []
            if e.get("effect") == "create_task" and e.get("users") is not None
        ]
        entries.append(
            {
                "at": step["at"],
                "kind": kind if kind in KNOWN_EVENTS else "other",
                "type": kind,
                "by": name(event.get("by")) if event.get("by") is not None else "",
                "outcome": event.get("outcome"),
                "auto": event.get("auto"),
                "comment": event.get("comment") or event.get("text") or "",
                "mode": event.get("mode"),
                "to_node": node_label(str(event["to"])) if kind == "return" else "",
                "concerns": concerns,
                "entered": [node_label(n) for n in step.get("trace") or []],
                "created": created,
                "edited": [str(f) for f in event.get("edited") or []],
                "files": _files(event.get("attachments")),
            }
        )
    return entries


def _files(value: Any) -> list[dict[str, Any]]:
    """A step's attached files (key, name, size in bytes), as the step log keeps them."""
    if not isinstance(value, list):
        return []
    return [
        {"key": str(f["key"]), "name": str(f.get("name") or f["key"]), "size": f.get("size")}
        for f in value
        if isinstance(f, Mapping) and isinstance(f.get("key"), str)
    ]


def next_nodes(doc: Mapping[str, Any], waiting_at: list[str]) -> list[str]:
    """The node ids the instance may go to after the nodes it waits at: the targets of their
    edges, through gateways and joins to the nodes behind them, and past cc nodes (each once,
    in edge order)."""
    kinds = {str(n.get("id")): str(n.get("type")) for n in doc.get("nodes", [])}
    edges: dict[str, list[str]] = {}
    for edge in doc.get("edges", []):
        edges.setdefault(str(edge.get("from")), []).append(str(edge.get("to")))
    found: list[str] = []
    seen = set(waiting_at)
    todo = [t for node in waiting_at for t in edges.get(node, [])]
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        if kinds.get(node) not in PASS_THROUGH:
            found.append(node)
        if kinds.get(node) in PASS_THROUGH or kinds.get(node) == "cc":
            todo.extend(edges.get(node, []))  # a cc goes on at once: show what follows it
    return found
