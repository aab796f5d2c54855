"""What the rule designer offers, read from the registries: every trigger with its settings
and every action type with its label, JSON Schema and the editor of each setting.

The designer names no trigger and no action: a type registered by another module or a plugin
appears in its palette with a form built from this vocabulary (docs/builder.md, "How an action
declares its editors").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jimu.engines.rule.actions import ACTIONS, ActionType
from jimu.engines.rule.document import TRIGGER_KEYS

#: The editors the rule designer has, one per kind of setting (docs/builder.md).
EDITOR_KINDS = frozenset(
    {
        "text",
        "number",
        "boolean",
        "choice",
        "field",
        "fields",
        "entity",
        "link",
        "values",
        "formulas",
        "formula",
        "condition",
        "user",
        "users",
        "department",
        "role",
        "recipients",
        "template",
        "duration",
        "decision_table",
        "output_map",
        "territory",
        "pool",
        "recipient",
        "cron",
        "json",
    }
)
#: ``field:<type>`` restricts the picker to fields of a field type or kind.
_RESTRICTED_FIELD = re.compile(r"^field:[a-z][a-z0-9_]*$")

#: The words of the record triggers; a trigger added elsewhere without words shows its name.
TRIGGER_LABELS: dict[str, dict[str, str]] = {
    "created": {"en": "When a record is created", "zh": "记录创建时"},
    "updated": {"en": "When a record is updated", "zh": "记录更新时"},
    "deleted": {"en": "When a record is deleted", "zh": "记录删除时"},
    "restored": {"en": "When a record is restored", "zh": "记录恢复时"},
    "button": {"en": "When a user presses its button", "zh": "用户点击按钮时"},
    "schedule": {"en": "On a schedule", "zh": "按计划定时"},
    "time": {"en": "At a time relative to a date field", "zh": "相对日期字段的时间"},
    "unchanged": {"en": "When fields stay unchanged for a while", "zh": "字段一段时间未变化时"},
    "webhook": {
        "en": "When another system posts to its webhook",
        "zh": "外部系统调用其 Webhook 时",
    },
}


def _belongs(key: str, trigger: str) -> bool:
    """Whether ``key`` is a setting of ``trigger`` (one of ``TRIGGER_KEYS``) in a schema with
    one object for every trigger, the rule document's."""
    required, optional = TRIGGER_KEYS[trigger]
    return key in required or key in optional


def is_editor_kind(kind: str) -> bool:
    return kind in EDITOR_KINDS or bool(_RESTRICTED_FIELD.match(kind))


def action_editors(action: ActionType) -> dict[str, str]:
    """The editor of each settings property of ``action``; raises ``ValueError`` for an editor
    of a property the action does not have, or of a kind the designer does not know."""
    for key, kind in action.editors.items():
        if key not in action.properties:
            raise ValueError(f"action {action.name!r}: editor for unknown property {key!r}")
        if not is_editor_kind(kind):
            raise ValueError(f"action {action.name!r}: unknown editor kind {kind!r} for {key!r}")
    return {key: action.editors.get(key, "json") for key in action.properties}


def action_vocabulary() -> list[dict[str, Any]]:
    """Every registered action type, in registration order."""
    return [
        {
            "type": action.name,
            "label": {
                "en": action.label.get("en") or action.name,
                "zh": action.label.get("zh") or action.label.get("en") or action.name,
            },
            "properties": action.properties,
            "required": list(action.required),
            "editors": action_editors(action),
        }
        for action in ACTIONS.values()
    ]


def schema_editor(key: str, schema: Mapping[str, Any]) -> str:
    """The editor of a setting known only by its JSON Schema (a trigger's, say)."""
    props = schema.get("properties")
    if key == "fields":
        return "fields"
    if key == "cron":
        return "cron"
    if key == "match":  # a webhook's keys: field → formula over $payload
        return "formulas"
    if key == "field":
        return "field"
    if "enum" in schema:
        return "choice"
    if isinstance(props, Mapping) and {"amount", "unit"} <= set(props):
        return "duration"
    kinds = {
        "integer": "number",
        "number": "number",
        "boolean": "boolean",
        "string": "text",
    }
    kind = schema.get("type")
    return kinds.get(kind, "json") if isinstance(kind, str) else "json"


def _alternatives(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list):
            return [alt for alt in schema[key] if isinstance(alt, Mapping)]
    return [schema]


def _names(on: Mapping[str, Any]) -> list[str]:
    if "const" in on:
        return [str(on["const"])]
    return [str(name) for name in on.get("enum", [])]


def trigger_vocabulary(trigger_schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The triggers of the rule document's ``trigger`` schema, each with its settings (the
    schema's other properties) and their editors. A schema with ``oneOf`` alternatives (one
    per kind of trigger, ``on`` a ``const``) gives each alternative's own settings."""
    out: dict[str, dict[str, Any]] = {}
    flat = "oneOf" not in trigger_schema  # one object for every trigger: TRIGGER_KEYS tells
    for alternative in _alternatives(trigger_schema):
        properties = dict(alternative.get("properties") or {})
        on = properties.pop("on", {})
        required = [key for key in alternative.get("required", []) if key != "on"]
        for name in _names(on if isinstance(on, Mapping) else {}):
            own = flat and name in TRIGGER_KEYS
            settings = {k: v for k, v in properties.items() if not own or _belongs(k, name)}
            needed = list(TRIGGER_KEYS[name][0]) if own else required
            out[name] = {
                "on": name,
                "label": TRIGGER_LABELS.get(name, {"en": name, "zh": name}),
                "properties": settings,
                "required": needed,
                "editors": {key: schema_editor(key, value) for key, value in settings.items()},
            }
    return list(out.values())
