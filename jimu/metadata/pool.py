"""The ``pool`` section of an entity document: its public pool (公海), see docs/pool.md.

``POOL_SECTION`` is its JSON Schema (part of the entity schema); ``pool_errors`` makes the
checks the schema cannot: the owner field is ``owner_id`` or a user field, the roles named
exist, the "open" condition checks against the entity's fields and renders as SQL, the fields
cleared on return exist (and are neither required nor the owner field), reason values are
unique.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from jimu.engines.expr import check
from jimu.engines.form.model import AppModel, Entity
from jimu.engines.form.pool import DEFAULT_OWNER_FIELD
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import FieldContext
from jimu.errors import FieldError
from jimu.metadata.scope_sql import scope_sql_errors, sql_columns

#: The most a limit may say (claims a day, records held).
MAX_LIMIT = 100_000

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}
_LIMIT = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
_REASON = {
    "type": "object",
    "properties": {"value": {**_NAME, "maxLength": 63}, "label": {"$ref": "#/$defs/label"}},
    "required": ["value", "label"],
    "additionalProperties": False,
}

POOL_SECTION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "enabled": {"type": "boolean"},
        "owner_field": _NAME,
        "claimers": {
            "type": "object",
            "properties": {
                "roles": {"type": "array", "items": _NAME, "uniqueItems": True},
                "departments": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 1},
                    "uniqueItems": True,
                },
            },
            "additionalProperties": False,
        },
        "limits": {
            "type": "object",
            "properties": {
                "claims_per_day": _LIMIT,
                "max_held": _LIMIT,
                "open_condition": {"type": ["object", "boolean"]},
            },
            "additionalProperties": False,
        },
        "returns": {
            "type": "object",
            "properties": {
                "reasons": {"type": "array", "items": _REASON, "maxItems": 50},
                "reason_required": {"type": "boolean"},
                "clear_fields": {"type": "array", "items": _NAME, "uniqueItems": True},
            },
            "additionalProperties": False,
        },
        "previous_owner_may_claim": {"type": "boolean"},
    },
    "required": ["enabled"],
    "additionalProperties": False,
}


def _owner_errors(pool: Mapping[str, Any], entity: Entity) -> list[FieldError]:
    name = str(pool.get("owner_field") or DEFAULT_OWNER_FIELD)
    if name == DEFAULT_OWNER_FIELD:
        return []
    found = entity.field(name)
    if found is None:
        return [FieldError("/pool/owner_field", f"there is no field {name!r}", "reference")]
    if found.type != "user":
        return [FieldError("/pool/owner_field", f"{name!r} is not a user field", "type")]
    return []


def _return_errors(pool: Mapping[str, Any], entity: Entity) -> list[FieldError]:
    errors: list[FieldError] = []
    returns = pool.get("returns") or {}
    seen: set[str] = set()
    for i, reason in enumerate(returns.get("reasons", [])):
        value = str(reason["value"])
        if value in seen:
            errors.append(
                FieldError(f"/pool/returns/reasons/{i}/value", f"{value!r} is twice", "duplicate")
            )
        seen.add(value)
    if returns.get("reason_required") and not seen:
        errors.append(
            FieldError("/pool/returns/reasons", "a reason is required: list at least one")
        )
    owner = str(pool.get("owner_field") or DEFAULT_OWNER_FIELD)
    for i, name in enumerate(returns.get("clear_fields", [])):
        at = f"/pool/returns/clear_fields/{i}"
        found = entity.field(name)
        if found is None:
            errors.append(FieldError(at, f"there is no field {name!r}", "reference"))
        elif name == owner:
            errors.append(FieldError(at, "the owner field is cleared anyway", "reference"))
        elif found.required:
            errors.append(FieldError(at, f"{name!r} is required: it cannot be cleared", "type"))
    return errors


def _condition_errors(
    pool: Mapping[str, Any], app: AppModel, entity: Entity, registry: FieldTypeRegistry
) -> list[FieldError]:
    from jimu.metadata.validate import value_types

    condition = (pool.get("limits") or {}).get("open_condition")
    if condition is None:
        return []
    types = value_types(entity, FieldContext(app, entity, registry), registry)
    problems = check(condition, types, require_sql=True)
    if not problems:
        problems = scope_sql_errors(condition, sql_columns(app, entity, registry), {})
    return [
        FieldError(f"/pool/limits/open_condition{p.pointer}", p.message, p.code) for p in problems
    ]


def pool_errors(
    app: AppModel, entity: Entity, registry: FieldTypeRegistry, roles: Collection[str]
) -> list[FieldError]:
    """The pool section's problems (none when the entity has no ``pool``); ``roles`` are the
    names of the app's role documents."""
    pool = entity.spec.get("pool")
    if not isinstance(pool, Mapping):
        return []
    errors = _owner_errors(pool, entity) + _return_errors(pool, entity)
    for i, role in enumerate((pool.get("claimers") or {}).get("roles", [])):
        if role not in roles:
            errors.append(
                FieldError(f"/pool/claimers/roles/{i}", f"there is no role {role!r}", "reference")
            )
    return errors + _condition_errors(pool, app, entity, registry)
