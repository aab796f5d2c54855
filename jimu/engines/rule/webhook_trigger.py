"""The inbound webhook trigger: ``{"on": "webhook", "match": {"email": "$payload.email"}}``.

A webhook rule runs on a JSON body posted to its URL (``$payload``, of type ``any``). Without
``match`` the run has no record and its actions create them; with ``match`` (field → formula
over ``$payload``) the record of the rule's entity whose fields equal the formulas' values is
the rule's record: ``set_fields`` updates it, or creates it when none matches ("upsert").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jimu.engines.expr import ExprError, check, parse_formula
from jimu.engines.expr import compile as compile_expr
from jimu.engines.rule.actions import RuleScope
from jimu.errors import FieldError

WEBHOOK = "webhook"
#: The ``$`` values of a webhook rule's condition and formulas.
WEBHOOK_CONTEXT = {"payload": "any", "now": "datetime", "today": "date"}
#: What a webhook rule's actions may be: there is no record before they run.
WEBHOOK_ACTIONS = ("set_fields", "create_record")
#: JSON Schema of ``trigger.match``.
MATCH_SCHEMA = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 8,
    "additionalProperties": {"type": "string", "minLength": 1},
}


def webhook_scope(scope: RuleScope) -> RuleScope:
    """``scope`` with ``$payload`` known to formulas."""
    from dataclasses import replace

    return replace(scope, context={**scope.context, "payload": "any"})


def match_errors(
    match: Mapping[str, Any], entity: str, types: Mapping[str, str]
) -> list[FieldError]:
    """Each key of ``match`` is a field of ``entity``; each value a formula over ``$payload``."""
    errors: list[FieldError] = []
    for name, text in match.items():
        at = "/trigger/match/" + str(name).replace("~", "~0").replace("/", "~1")
        if name not in types:
            errors.append(FieldError(at, f"{entity!r} has no field {name!r}", "reference"))
            continue
        try:
            parsed = parse_formula(str(text))
        except ExprError as exc:
            errors.append(FieldError(at, exc.message, "formula"))
            continue
        errors += [
            FieldError(at, f"{p.message} ({p.pointer or '/'})", p.code)
            for p in check(parsed, {}, WEBHOOK_CONTEXT)
        ]
    return errors


def action_errors(actions: list[Any]) -> list[FieldError]:
    """A webhook rule creates records (``create_record`` without ``link``, there is no record
    to link to) or upserts its record (one ``set_fields``, which needs ``match`` to update)."""
    errors: list[FieldError] = []
    seen_set = False
    for i, spec in enumerate(actions):
        kind = str(spec.get("type"))
        if kind not in WEBHOOK_ACTIONS:
            message = (
                f"a webhook rule's actions are {' and '.join(WEBHOOK_ACTIONS)}: there is no "
                f"record before they run ({kind!r} needs one)"
            )
            errors.append(FieldError(f"/actions/{i}/type", message, "webhook"))
        elif kind == "create_record" and "link" in spec:
            message = "a webhook rule has no record to link to"
            errors.append(FieldError(f"/actions/{i}/link", message, "webhook"))
        elif kind == "set_fields":
            if seen_set:
                message = "a webhook rule upserts its record once: merge the set_fields actions"
                errors.append(FieldError(f"/actions/{i}/type", message, "webhook"))
            seen_set = True
    return errors


def compile_match(match: Mapping[str, Any] | None) -> Callable[[Any], dict[str, Any]]:
    """A function of the payload giving the key values the rule's record is found by."""
    compiled = {
        name: compile_expr(parse_formula(str(text))) for name, text in (match or {}).items()
    }

    def keys(payload: Any) -> dict[str, Any]:
        context = {"payload": payload}
        return {name: function({}, context) for name, function in compiled.items()}

    return keys
