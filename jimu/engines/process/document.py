"""The flow document: its JSON Schema properties and the graph checks a schema cannot express.

A flow is ``nodes`` (each with an ``id`` and a ``type``) and ``edges`` (``from`` → ``to``, an
optional ``condition`` in the expression language, an optional ``default``). Every problem is
reported on the node or edge it concerns (``/nodes/3``, ``/edges/1/condition``). See
docs/process.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

from jimu.engines.expr import ExprError
from jimu.engines.expr import compile as compile_expr
from jimu.engines.process.approvers import ASSIGNEE_KINDS, AUTO_APPROVE
from jimu.engines.process.field_permissions import PERMISSIONS_SCHEMA
from jimu.engines.rule.cron import CronError, parse_cron
from jimu.errors import FieldError

#: Node kinds that hold a token until an event arrives.
WAIT_KINDS = ("fill", "approval", "timer", "receive", "subprocess", "service")
#: Node kinds that choose among their outgoing edges by condition.
CHOICE_KINDS = ("exclusive", "inclusive")
NODE_KINDS = (
    "start",
    "fill",
    "approval",
    "cc",
    "exclusive",
    "parallel",
    "inclusive",
    "race",
    "join",
    "service",
    "timer",
    "receive",
    "subprocess",
    "end",
)
START_ON = ("manual", "created", "updated", "field_changed", "schedule", "rule", "api")
END_RESULTS = ("complete", "reject", "cancel")
JOIN_MODES = ("all", "any", "n")
UNITS = ("minutes", "hours", "days", "weeks")
#: Units a deadline may count in: calendar time, or working time of a calendar.
WORKING_UNITS = ("working_hours", "working_days")
OVERDUE_ACTIONS = ("approve", "reject", "return")
#: Units a reminder before the due time may count in.
REMIND_UNITS = ("minutes", "hours", "days", "working_hours")
ID_PATTERN = "^[A-Za-z][A-Za-z0-9_-]{0,62}$"

_DURATION = {
    "type": "object",
    "properties": {
        "amount": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
        "unit": {"enum": list(UNITS)},
    },
    "required": ["amount", "unit"],
    "additionalProperties": False,
}
_DEADLINE_SPAN = {
    "type": "object",
    "properties": {
        "amount": {"type": "integer", "minimum": 0, "maximum": 10_000},
        "unit": {"enum": [*UNITS, *WORKING_UNITS]},
    },
    "required": ["amount", "unit"],
    "additionalProperties": False,
}
_DEADLINE = {
    "type": "object",
    "properties": {
        # when the task is due, counted from its creation
        "due": _DEADLINE_SPAN,
        # or: the task is due at a date or date-time field of the record (an SLA kept there)
        "until_field": {"type": "string", "minLength": 1},
        # the app calendar working units count in (app document, "calendars")
        "calendar": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
        # reminders to the task's people, this long before the due time (0: at it)
        "remind": {
            "type": "array",
            "items": {
                **_DURATION,
                "properties": {
                    "amount": {"type": "integer", "minimum": 0, "maximum": 10_000},
                    "unit": {"enum": list(REMIND_UNITS)},
                },
            },
            "maxItems": 5,
        },
        # the approver's manager joins the task when it is this long overdue
        "escalate": {
            "type": "object",
            "properties": {"after": _DEADLINE_SPAN},
            "additionalProperties": False,
        },
        # what happens by itself when the task is this long overdue
        "overdue": {
            "type": "object",
            "properties": {
                "action": {"enum": list(OVERDUE_ACTIONS)},
                "to": {"type": "string", "pattern": ID_PATTERN},
                "after": _DEADLINE_SPAN,
            },
            "required": ["action"],
            "additionalProperties": False,
        },
        # reminders and escalations go by email too (to people with an address)
        "email": {"type": "boolean"},
    },
    "additionalProperties": False,
}
_MULTI = {
    "type": "object",
    "properties": {
        "mode": {"enum": ["parallel", "sequential"]},
        "count": {"type": "integer", "minimum": 1, "maximum": 1000},
        "items": {},
        "complete_when": {},
        "wait": {"type": "boolean"},
        "per_assignee": {"type": "boolean"},
    },
    "required": ["mode"],
    "additionalProperties": False,
}
NODE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": ID_PATTERN},
        "type": {"enum": list(NODE_KINDS)},
        "label": {"$ref": "#/$defs/label"},
        # start
        "on": {"enum": list(START_ON)},
        "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "cron": {"type": "string", "minLength": 1},
        "filter": {"type": ["object", "boolean"]},
        # tasks
        "assignees": {"type": "array", "items": {"type": "object"}},
        "outcomes": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "multi": _MULTI,
        "interleave": {"type": "string", "minLength": 1},
        "while_at": {"type": "string", "pattern": ID_PATTERN},
        "cancels": {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}},
        "auto_approve": {
            "type": "array",
            "items": {"enum": list(AUTO_APPROVE)},
            "uniqueItems": True,
        },
        "exclude_initiator": {"type": "boolean"},
        "field_permissions": PERMISSIONS_SCHEMA,
        "deadline": _DEADLINE,
        # cc / notify
        "recipients": {"type": "array", "items": {"type": "object"}},
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "body": {"type": "string"},
        "email": {"type": "boolean"},
        "robot": {"type": "string", "minLength": 1},
        # join
        "mode": {"enum": list(JOIN_MODES)},
        "n": {"type": "integer", "minimum": 1, "maximum": 1000},
        "cancel_rest": {"type": "boolean"},
        # service
        "actions": {"type": "array", "items": {"type": "object"}, "minItems": 1},
        # timer
        "delay": _DURATION,
        "until_field": {"type": "string", "minLength": 1},
        # receive
        "message": {"type": "string", "minLength": 1},
        # subprocess
        "flow": {"type": "string", "minLength": 1},
        # end
        "result": {"enum": list(END_RESULTS)},
        "terminate": {"type": "boolean"},
    },
    "required": ["id", "type"],
    "additionalProperties": False,
}
EDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "from": {"type": "string", "pattern": ID_PATTERN},
        "to": {"type": "string", "pattern": ID_PATTERN},
        "condition": {},
        "default": {"type": "boolean"},
        "label": {"$ref": "#/$defs/label"},
    },
    "required": ["from", "to"],
    "additionalProperties": False,
}
LAYOUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": ID_PATTERN},
    "additionalProperties": {
        "type": "object",
        "properties": {
            "x": {"type": "number", "minimum": -1_000_000, "maximum": 1_000_000},
            "y": {"type": "number", "minimum": -1_000_000, "maximum": 1_000_000},
        },
        "required": ["x", "y"],
        "additionalProperties": False,
    },
}
REQUIRED = ["name", "nodes", "edges"]
#: Kinds whose token always leaves by its one edge.
_ONE_WAY = ("start", "cc", "timer", "receive", "join")


def flow_properties() -> dict[str, Any]:
    """JSON Schema properties of a flow document (besides kind, name, label, description)."""
    return {
        "entity": {"type": "string", "minLength": 1},
        "nodes": {"type": "array", "items": NODE_SCHEMA, "minItems": 2},
        "edges": {"type": "array", "items": EDGE_SCHEMA},
        # where the designer's free canvas draws each node ({node id: {x, y}}); the engine
        # never reads it
        "layout": LAYOUT_SCHEMA,
    }


def flow_schema() -> dict[str, Any]:
    """The whole flow document schema (the same one ``jimu.metadata.schemas`` serves)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "label": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "minProperties": 1,
            },
            "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
        },
        "properties": {
            "kind": {"const": "flow"},
            "name": {"$ref": "#/$defs/name"},
            "label": {"$ref": "#/$defs/label"},
            "description": {"$ref": "#/$defs/label"},
            **flow_properties(),
        },
        "required": ["kind", *REQUIRED],
        "additionalProperties": False,
    }


def _pointer(path: Any) -> str:
    return "".join(f"/{part}" for part in path)


def schema_problems(doc: Mapping[str, Any]) -> list[FieldError]:
    validator = Draft202012Validator(flow_schema())
    return [
        FieldError(_pointer(e.absolute_path), e.message, "schema")
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    ]


# Which keys each kind requires (beyond id and type) and which it alone may carry.
_KIND_REQUIRES: dict[str, tuple[str, ...]] = {
    "service": ("actions",),
    "receive": ("message",),
    "subprocess": ("flow",),
}
_KIND_ONLY: dict[str, tuple[str, ...]] = {
    "on": ("start",),
    "fields": ("start",),
    "cron": ("start",),
    "filter": ("start",),
    "assignees": ("fill", "approval"),
    "outcomes": ("fill", "approval"),
    "multi": ("fill", "approval"),
    "interleave": ("fill", "approval"),
    "while_at": ("fill", "approval"),
    "cancels": ("fill", "approval", "end", "receive", "timer"),
    "recipients": ("cc", "approval", "fill"),
    "auto_approve": ("approval",),
    "exclude_initiator": ("fill", "approval"),
    "field_permissions": ("fill", "approval"),
    "deadline": ("fill", "approval"),
    "title": ("cc",),
    "body": ("cc",),
    "email": ("cc",),
    "robot": ("cc",),
    "mode": ("join",),
    "n": ("join",),
    "cancel_rest": ("join",),
    "actions": ("service",),
    "delay": ("timer",),
    "until_field": ("timer",),
    "message": ("receive",),
    "flow": ("subprocess",),
    "result": ("end",),
    "terminate": ("end",),
}


def _schedule_problems(i: int, node: Mapping[str, Any]) -> list[FieldError]:
    """A start ``on: schedule`` needs a valid ``cron``; ``cron`` and ``filter`` go with it
    only, and the filter must compile."""
    problems: list[FieldError] = []
    scheduled = node.get("on") == "schedule"
    if scheduled and "cron" not in node:
        problems.append(FieldError(f"/nodes/{i}", "a start on 'schedule' needs 'cron'"))
    for key in ("cron", "filter"):
        if key in node and not scheduled:
            problems.append(FieldError(f"/nodes/{i}/{key}", f"{key!r} goes with on 'schedule'"))
    if scheduled and "cron" in node:
        try:
            parse_cron(str(node["cron"]))
        except CronError as exc:
            problems.append(FieldError(f"/nodes/{i}/cron", str(exc), "cron"))
    if (
        scheduled
        and isinstance(node.get("filter"), dict)
        and (message := _expr_problem(node["filter"]))
    ):
        problems.append(FieldError(f"/nodes/{i}/filter", message))
    return problems


def _expr_problem(rule: Any) -> str | None:
    try:
        compile_expr(rule)
    except ExprError as exc:
        return str(exc)
    return None


#: The keys each assignee kind needs, and those it may take.
_ASSIGNEE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "user": (("id",), ()),
    "role": (("role",), ()),
    "department": (("id",), ()),
    "department_head": ((), ("department",)),
    "manager": ((), ("level",)),
    "manager_chain": (("levels",), ("until_role",)),
    "field": (("field",), ()),
    "owner": ((), ()),
    "initiator": ((), ()),
    "round_robin": (("role",), ()),
}


def assignee_problem(entry: Mapping[str, Any]) -> str | None:
    """What is wrong with one ``assignees``/``recipients`` entry (None: nothing)."""
    kind = entry.get("kind")
    if kind not in ASSIGNEE_KINDS:
        return f"kind must be one of {list(ASSIGNEE_KINDS)}, not {kind!r}"
    needs, may = _ASSIGNEE_KEYS[str(kind)]
    for key in needs:
        if key not in entry:
            return f"a {kind} entry needs {key!r}"
    for key in entry:
        if key != "kind" and key not in needs and key not in may:
            return f"a {kind} entry takes no {key!r}"
    for key in ("id", "department", "level", "levels"):
        value = entry.get(key)
        if key in entry and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            return f"{key!r} must be a positive whole number"
    for key in ("role", "field", "until_role"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key]):
            return f"{key!r} must be a name"
    return None


def _upstream(node_id: str, edges: list[Mapping[str, Any]]) -> set[str]:
    """The nodes from which ``node_id`` can be reached."""
    seen: set[str] = set()
    stack = [node_id]
    while stack:
        current = stack.pop()
        for edge in edges:
            if edge.get("to") == current and edge.get("from") not in seen:
                seen.add(str(edge.get("from")))
                stack.append(str(edge.get("from")))
    return seen


def deadline_problems(
    i: int, node: Mapping[str, Any], nodes: list[Mapping[str, Any]], edges: Any = ()
) -> list[FieldError]:
    """A task's deadline: working units need a calendar, a reject needs the outcome, a
    return needs an earlier task node to return to (and only a return takes one)."""
    at = f"/nodes/{i}/deadline"
    deadline = node["deadline"]
    problems: list[FieldError] = []
    if ("due" in deadline) == ("until_field" in deadline):
        problems.append(
            FieldError(at, "a deadline needs either 'due' or 'until_field'", "required")
        )
    spans = [("due", deadline["due"])] if "due" in deadline else []
    spans += [(f"{key}/after", deadline[key]["after"]) for key in ("escalate", "overdue")
              if "after" in deadline.get(key, {})]  # fmt: skip
    spans += [(f"remind/{j}", span) for j, span in enumerate(deadline.get("remind", []))]
    for where, span in spans:
        if span["unit"] in WORKING_UNITS and "calendar" not in deadline:
            problems.append(
                FieldError(f"{at}/{where}/unit", "working hours and days need a 'calendar'")
            )
    overdue = deadline.get("overdue")
    if overdue is None:
        return problems
    outcomes = node.get("outcomes") or (["approve", "reject"] if node["type"] == "approval" else [])
    if overdue["action"] == "reject" and "reject" not in outcomes:
        problems.append(
            FieldError(f"{at}/overdue/action", f"{node['id']!r} has no 'reject' outcome")
        )
    if (overdue["action"] == "return") != ("to" in overdue):
        problems.append(FieldError(f"{at}/overdue/to", "'to' goes with a return, and only there"))
    elif "to" in overdue:
        target = next((n for n in nodes if n["id"] == overdue["to"]), None)
        if target is None or target["type"] not in ("fill", "approval") or target is node:
            problems.append(
                FieldError(f"{at}/overdue/to", f"{overdue['to']!r} is not another task node")
            )
        elif overdue["to"] not in _upstream(str(node["id"]), list(edges)):
            problems.append(
                FieldError(f"{at}/overdue/to", f"{overdue['to']!r} does not come before this node")
            )
    return problems


def graph_problems(doc: Mapping[str, Any]) -> list[FieldError]:
    """The checks of a schema-valid flow: ids, edges, reachability, gateways and joins."""
    problems: list[FieldError] = []
    nodes: list[Mapping[str, Any]] = list(doc["nodes"])
    edges: list[Mapping[str, Any]] = list(doc["edges"])
    index: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if node["id"] in index:
            problems.append(FieldError(f"/nodes/{i}/id", f"duplicate node id {node['id']!r}"))
        else:
            index[node["id"]] = i
        for key in node:
            kinds = _KIND_ONLY.get(key)
            if kinds is not None and node["type"] not in kinds:
                problems.append(
                    FieldError(f"/nodes/{i}/{key}", f"a {node['type']} node takes no {key!r}")
                )
        for key in _KIND_REQUIRES.get(node["type"], ()):
            if key not in node:
                problems.append(FieldError(f"/nodes/{i}", f"a {node['type']} node needs {key!r}"))
        for key in ("while_at",):
            if key in node and node[key] not in {n["id"] for n in nodes}:
                problems.append(FieldError(f"/nodes/{i}/{key}", f"no node {node[key]!r}"))
        for j, target in enumerate(node.get("cancels", ())):
            if target not in {n["id"] for n in nodes}:
                problems.append(FieldError(f"/nodes/{i}/cancels/{j}", f"no node {target!r}"))
        if node["type"] == "start":
            problems.extend(_schedule_problems(i, node))
        if node["type"] == "timer" and ("delay" in node) == ("until_field" in node):
            problems.append(
                FieldError(f"/nodes/{i}", "a timer node needs either 'delay' or 'until_field'")
            )
        if node["type"] == "join" and (node.get("mode") == "n") != ("n" in node):
            problems.append(FieldError(f"/nodes/{i}/n", "'n' goes with mode 'n', and only there"))
        for key in ("assignees", "recipients"):
            for j, entry in enumerate(node.get(key, ())):
                if message := assignee_problem(entry):
                    problems.append(FieldError(f"/nodes/{i}/{key}/{j}", message))
        if "deadline" in node:
            problems.extend(deadline_problems(i, node, nodes, doc["edges"]))
        multi = node.get("multi")
        if multi is not None:
            if ("count" in multi) == ("items" in multi):
                problems.append(
                    FieldError(f"/nodes/{i}/multi", "multi needs either 'count' or 'items'")
                )
            if multi.get("per_assignee") and multi.get("count") != len(node.get("assignees", ())):
                problems.append(
                    FieldError(
                        f"/nodes/{i}/multi/count",
                        "with 'per_assignee', 'count' is the number of assignees entries",
                    )
                )
            for key in ("items", "complete_when"):
                if key in multi and (message := _expr_problem(multi[key])):
                    problems.append(FieldError(f"/nodes/{i}/multi/{key}", message))
    outgoing: dict[str, list[int]] = {n: [] for n in index}
    incoming: dict[str, list[int]] = {n: [] for n in index}
    dangling = len(index) < len(nodes)
    for j, edge in enumerate(edges):
        ok = True
        for end in ("from", "to"):
            if edge[end] not in index:
                problems.append(FieldError(f"/edges/{j}/{end}", f"no node {edge[end]!r}"))
                ok = False
                dangling = True
        if "condition" in edge and (message := _expr_problem(edge["condition"])):
            problems.append(FieldError(f"/edges/{j}/condition", message))
        if ok:
            outgoing[edge["from"]].append(j)
            incoming[edge["to"]].append(j)
    if dangling:
        return problems
    starts = [n["id"] for n in nodes if n["type"] == "start"]
    if not starts:
        problems.append(FieldError("/nodes", "a flow needs a start node"))
    for node_id, i in index.items():
        node = nodes[i]
        kind = node["type"]
        outs = outgoing[node_id]
        if kind == "start" and incoming[node_id]:
            problems.append(FieldError(f"/nodes/{i}", "a start node has no incoming edges"))
        if kind == "end" and outs:
            problems.append(FieldError(f"/nodes/{i}", "an end node has no outgoing edges"))
        if kind != "end" and not outs:
            problems.append(FieldError(f"/nodes/{i}", "no outgoing edge: the token would stop"))
        defaults = [j for j in outs if edges[j].get("default")]
        conditional = [j for j in outs if "condition" in edges[j]]
        if len(defaults) > 1:
            problems.append(FieldError(f"/edges/{defaults[1]}/default", "a second default edge"))
        for j in defaults:
            if "condition" in edges[j]:
                problems.append(FieldError(f"/edges/{j}", "a default edge has no condition"))
        if kind in ("parallel", "race") or kind in _ONE_WAY:
            for j in conditional + defaults:
                problems.append(
                    FieldError(f"/edges/{j}", f"edges leaving a {kind} node take no condition")
                )
            if kind in _ONE_WAY and len(outs) > 1:
                problems.append(FieldError(f"/nodes/{i}", f"a {kind} node has one outgoing edge"))
        elif kind in CHOICE_KINDS or len(outs) > 1:
            if not defaults:
                problems.append(FieldError(f"/nodes/{i}", "a gateway needs a default edge"))
            for j in outs:
                if j not in defaults and "condition" not in edges[j]:
                    problems.append(
                        FieldError(f"/edges/{j}/condition", "a choice edge needs a condition")
                    )
        if kind == "race":
            for j in outs:
                target = nodes[index[edges[j]["to"]]]
                if target["type"] not in WAIT_KINDS:
                    problems.append(
                        FieldError(f"/edges/{j}/to", "a race leads to nodes that wait for an event")
                    )
        if kind == "join":
            problems.extend(_join_problems(i, node, incoming[node_id], edges, nodes, index))
    problems.extend(_unreachable(starts, nodes, edges, index))
    return problems


def _join_problems(
    i: int,
    node: Mapping[str, Any],
    ins: list[int],
    edges: list[Mapping[str, Any]],
    nodes: list[Mapping[str, Any]],
    index: Mapping[str, int],
) -> list[FieldError]:
    mode = node.get("mode", "all")
    needed = node.get("n", 1) if mode == "n" else (1 if mode == "any" else 2)
    if mode == "n" and node["n"] > len(ins):
        return [
            FieldError(
                f"/nodes/{i}/n", f"the join waits for {node['n']} of {len(ins)} incoming edges"
            )
        ]
    if needed < 2:
        return []
    if len(ins) < 2:
        return [FieldError(f"/nodes/{i}", "this join can never fire: it has one incoming edge")]
    # Walk back from the join: without a parallel or inclusive split (or a start per branch)
    # upstream, only one token ever arrives and the join waits forever.
    seen: set[str] = set()
    stack = [edges[j]["from"] for j in ins]
    splits = 0
    starts = 0
    while stack:
        current = stack.pop()
        if current in seen or current == node["id"]:
            continue
        seen.add(current)
        kind = nodes[index[current]]["type"]
        if kind in ("parallel", "inclusive"):
            splits += 1
        if kind == "start":
            starts += 1
        multi = nodes[index[current]].get("multi")
        if multi is not None and multi.get("wait") is False:
            splits += 1
        stack.extend(e["from"] for e in edges if e["to"] == current)
    if splits == 0 and starts < 2:
        return [
            FieldError(
                f"/nodes/{i}",
                "this join can never fire: no parallel or inclusive split comes before it",
            )
        ]
    return []


def _unreachable(
    starts: list[str],
    nodes: list[Mapping[str, Any]],
    edges: list[Mapping[str, Any]],
    index: Mapping[str, int],
) -> list[FieldError]:
    seen = set(starts)
    stack = list(starts)
    while stack:
        current = stack.pop()
        for edge in edges:
            if edge["from"] == current and edge["to"] not in seen:
                seen.add(edge["to"])
                stack.append(edge["to"])
    return [
        FieldError(f"/nodes/{index[n['id']]}", f"node {n['id']!r} cannot be reached from a start")
        for n in nodes
        if n["id"] not in seen and index[n["id"]] == nodes.index(n)
    ]


def flow_errors(doc: Mapping[str, Any]) -> list[FieldError]:
    """Every problem of a flow document: the schema first, then the graph."""
    problems = schema_problems(doc)
    if problems:
        return problems
    return graph_problems(doc)
