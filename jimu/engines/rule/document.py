"""The rule document: its JSON Schema properties and the checks a schema cannot express."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

from jimu.engines.expr import check
from jimu.engines.rule import assign_action as _assign  # noqa: F401  (registers it)
from jimu.engines.rule import builtin_actions as _builtin  # noqa: F401  (registers the types)
from jimu.engines.rule import effect_actions as _effects  # noqa: F401  (registers the types)
from jimu.engines.rule import pool_action as _pool  # noqa: F401  (registers move_to_pool)
from jimu.engines.rule.actions import ACTIONS, RuleScope
from jimu.engines.rule.created import created_link_errors
from jimu.engines.rule.cron import CronError, parse_cron
from jimu.engines.rule.timing import TIMER_TRIGGERS, UNITS
from jimu.engines.rule.triggers import BUTTON_PLACES, TRIGGERS
from jimu.engines.rule.webhook_trigger import (
    MATCH_SCHEMA,
    WEBHOOK,
    action_errors,
    match_errors,
    webhook_scope,
)
from jimu.errors import FieldError

_DURATION = {
    "type": "object",
    "properties": {
        "amount": {"type": "integer", "minimum": -1_000_000, "maximum": 1_000_000},
        "unit": {"enum": list(UNITS)},
    },
    "required": ["amount", "unit"],
    "additionalProperties": False,
}
#: The keys each trigger takes besides ``on`` (required ones first).
#: Each trigger's settings: (required keys, optional keys) besides ``on``.
TRIGGER_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "created": ((), ()),
    "updated": ((), ("fields",)),
    "deleted": ((), ()),
    "restored": ((), ()),
    "schedule": (("cron",), ()),
    "time": (("field", "offset"), ()),
    "unchanged": (("fields", "for"), ()),
    "button": (("label",), ("where", "confirm")),
    WEBHOOK: ((), ("match",)),
}


def rule_properties() -> dict[str, Any]:
    """JSON Schema properties of a rule document (besides kind, name, label, description)."""
    return {
        "entity": {"type": "string", "minLength": 1},
        "trigger": {
            "type": "object",
            "properties": {
                "on": {"enum": [*TRIGGERS, *TIMER_TRIGGERS, WEBHOOK]},
                "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "cron": {"type": "string", "minLength": 1},
                "field": {"type": "string", "minLength": 1},
                "offset": _DURATION,
                "for": _DURATION,
                # A button trigger: the button's words, where it shows, and the question asked
                # before it acts (none: it acts at once).
                "label": {"$ref": "#/$defs/label"},
                "where": {"enum": list(BUTTON_PLACES)},
                "confirm": {"$ref": "#/$defs/label"},
                # An inbound webhook: the rule's record is the one whose fields equal these
                # formulas over $payload (else its set_fields creates it).
                "match": MATCH_SCHEMA,
            },
            "required": ["on"],
            "additionalProperties": False,
        },
        "condition": {"type": ["object", "boolean", "null"]},
        "actions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                # Not an enum: action types are registered at any time (plugins), and the
                # schema's validator is cached; rule_errors refuses an unknown type.
                "properties": {"type": {"type": "string", "minLength": 1}},
                "required": ["type"],
            },
        },
    }


def _action_schema_errors(spec: Mapping[str, Any], at: str) -> list[FieldError]:
    action = ACTIONS[str(spec["type"])]
    errors = [
        FieldError(f"{at}/{key}", "is required", "required")
        for key in action.required
        if key not in spec
    ]
    errors += [
        FieldError(f"{at}/{key}", "is not allowed here", "unknown_key")
        for key in spec
        if key != "type" and key not in action.properties
    ]
    for key, schema in action.properties.items():
        if key in spec:
            errors += _property_errors(schema, spec[key], f"{at}/{key}")
    return errors


def _property_errors(schema: Mapping[str, Any], value: Any, at: str) -> list[FieldError]:
    """``value`` against its property's JSON Schema, each problem at its own pointer."""
    validator = Draft202012Validator(schema)
    errors = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        path = "".join(
            "/" + str(part).replace("~", "~0").replace("/", "~1") for part in error.absolute_path
        )
        errors.append(FieldError(at + path, error.message, str(error.validator)))
    return errors


def rule_errors(rule: Mapping[str, Any], scope: RuleScope) -> list[FieldError]:
    """Problems of a schema-valid rule against its app: the entity, trigger fields, the
    condition's fields and types (``$old.x`` included) and every action's settings."""
    entity = str(rule["entity"])
    types = scope.types.get(entity)
    if types is None:
        return [FieldError("/entity", f"there is no entity {entity!r}", "reference")]
    errors = trigger_errors(rule["trigger"], entity, types, scope.dates.get(entity, frozenset()))
    webhook = rule["trigger"].get("on") == WEBHOOK
    if webhook:
        scope = webhook_scope(scope)
        errors += action_errors(list(rule["actions"]))
    condition = rule.get("condition")
    if isinstance(condition, dict):
        context = {f"old.{k}": v for k, v in types.items()}
        context.update({"now": "datetime", "today": "date", **scope.context})
        errors += [
            FieldError(f"/condition{p.pointer}", p.message, p.code)
            for p in check(condition, types, context)
        ]
    for i, spec in enumerate(rule["actions"]):
        at = f"/actions/{i}"
        if str(spec["type"]) not in ACTIONS:
            known = ", ".join(sorted(ACTIONS))
            message = f"there is no action type {spec['type']!r} (known: {known})"
            errors.append(FieldError(f"{at}/type", message, "enum"))
            continue
        problems = _action_schema_errors(spec, at)
        if not problems:
            problems = ACTIONS[str(spec["type"])].check(spec, at, entity, scope)
        errors += problems
    if not errors:
        errors += created_link_errors(list(rule["actions"]), entity, scope)
    return errors


def trigger_errors(
    trigger: Mapping[str, Any],
    entity: str,
    types: Mapping[str, str],
    dates: frozenset[str] = frozenset(),
) -> list[FieldError]:
    """The trigger's keys for its kind, its fields, its cron expression and durations."""
    on = str(trigger["on"])
    required, optional = TRIGGER_KEYS[on]
    errors = [
        FieldError(f"/trigger/{key}", f"is required for the {on!r} trigger", "required")
        for key in required
        if key not in trigger
    ]
    errors += [
        FieldError(f"/trigger/{key}", f"the {on!r} trigger takes no {key!r}", "unknown_key")
        for key in trigger
        if key != "on" and key not in required and key not in optional
    ]
    if errors:
        return errors
    errors += [
        FieldError(f"/trigger/fields/{i}", f"{entity!r} has no field {name!r}", "reference")
        for i, name in enumerate(trigger.get("fields", []))
        if name not in types
    ]
    if on == "button" and not trigger.get("label"):
        errors.append(FieldError("/trigger/label", "a button needs its words", "required"))
    if on == "schedule":
        try:
            parse_cron(str(trigger["cron"]))
        except CronError as exc:
            errors.append(FieldError("/trigger/cron", str(exc), "cron"))
    if on == "time":
        name = str(trigger["field"])
        if name not in types:
            errors.append(
                FieldError("/trigger/field", f"{entity!r} has no field {name!r}", "reference")
            )
        elif name not in dates and types[name] not in ("date", "datetime"):
            message = f"{name!r} is not a date or date-time field"
            errors.append(FieldError("/trigger/field", message, "type"))
    if on == WEBHOOK and "match" in trigger:
        errors += match_errors(trigger["match"], entity, types)
    if on == "unchanged" and int(trigger["for"]["amount"]) <= 0:
        errors.append(FieldError("/trigger/for/amount", "must be more than 0", "minimum"))
    return errors
