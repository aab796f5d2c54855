"""The ``assign_owner`` action: give the rule's record an owner from a pool of users, by round
robin, by fewest open records, or through a territory table (first matching row wins).

Planning is pure: the territory rows' conditions are evaluated on the record here, and the
action plans one ``assign`` effect naming the chosen pool and method. The platform handler
(``jimu.platform.assign``) reads the pool's members, skips inactive, away and previous owners,
advances the round-robin pointer atomically, writes the owner and keeps the explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from jsonschema import Draft202012Validator

from jimu.engines.expr import ExprError, check
from jimu.engines.expr import compile as compile_expr
from jimu.engines.rule.actions import ActionType, Planner, RuleScope, register_action
from jimu.engines.rule.condition import truthy
from jimu.engines.rule.plan import Planned, PlannedEffect, RecordView
from jimu.errors import FieldError

#: The kind of effect the action plans (carried out by ``jimu.platform.assign.handler``).
EFFECT_KIND = "assign"
METHODS = ("round_robin", "fewest_open", "territory")
#: The methods of one pool (a territory row, the fallback).
POOL_METHODS = ("round_robin", "fewest_open")
#: The keys naming a pool's members: exactly one per pool.
POOL_KEYS = ("department", "role", "users", "user")
DEFAULT_FIELD = "owner_id"

#: A user or department: its id, or (portable between installations) the department's id in
#: the HR system (``external_id``, as the org import and role members name it) or the username.
_ID = {"type": ["integer", "string"], "minimum": 1, "minLength": 1, "maxLength": 150}
_POOL_PROPERTIES: dict[str, Any] = {
    "department": _ID,
    "include_sub_departments": {"type": "boolean"},
    "role": {"type": "string", "minLength": 1, "maxLength": 63},
    "users": {"type": "array", "items": _ID, "minItems": 1, "uniqueItems": True},
    "user": _ID,
}
_POOL: dict[str, Any] = {
    "type": "object",
    "properties": {**_POOL_PROPERTIES, "method": {"enum": list(POOL_METHODS)}},
    "additionalProperties": False,
}
_ROW: dict[str, Any] = {
    "type": "object",
    "properties": {**_POOL["properties"], "when": {"type": ["object", "boolean"]}},
    "required": ["when"],
    "additionalProperties": False,
}


def pool_of(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The pool a spec names: its one member key, and whether sub-departments count."""
    pool = {key: spec[key] for key in POOL_KEYS if key in spec}
    if "department" in pool:
        pool["include_sub_departments"] = bool(spec.get("include_sub_departments", False))
    return pool


def _reference(value: Any) -> str:
    """An id as itself, an external id or username after ``@`` (they never collide)."""
    return str(value) if isinstance(value, int) else f"@{value}"


def pool_key(pool: Mapping[str, Any]) -> str:
    """A stable name of a pool (the round-robin pointer's key): ``department:3+sub``,
    ``department:@12`` (by external id), ``role:sales_rep``, ``users:4,5,9``,
    ``users:@ann,@bob``, ``user:4``."""
    if "department" in pool:
        sub = "+sub" if pool.get("include_sub_departments") else ""
        return f"department:{_reference(pool['department'])}{sub}"
    if "role" in pool:
        return f"role:{pool['role']}"
    if "users" in pool:
        return "users:" + ",".join(sorted(_reference(u) for u in pool["users"]))
    return f"user:{_reference(pool['user'])}"


def _pool_errors(spec: Mapping[str, Any], at: str) -> list[FieldError]:
    named = [key for key in POOL_KEYS if key in spec]
    if not named:
        message = "names no pool: give one of department, role, users or user"
        return [FieldError(at, message, "required")]
    errors = [
        FieldError(f"{at}/{key}", f"a pool is named once; {named[0]!r} names it already")
        for key in named[1:]
    ]
    if "include_sub_departments" in spec and "department" not in spec:
        errors.append(
            FieldError(f"{at}/include_sub_departments", "only a department has sub-departments")
        )
    return errors


def _condition_errors(
    condition: Any, at: str, types: Mapping[str, str], sql: bool
) -> list[FieldError]:
    if isinstance(condition, bool):
        return []
    context = {f"old.{k}": v for k, v in types.items()}
    context.update({"now": "datetime", "today": "date"})
    try:
        problems = check(condition, types, {} if sql else context, require_sql=sql)
    except ExprError as exc:
        return [FieldError(at, exc.message, "condition")]
    return [FieldError(f"{at}{p.pointer}", p.message, p.code) for p in problems]


def _schema_errors(spec: Mapping[str, Any], at: str, schema: dict[str, Any]) -> list[FieldError]:
    validator = Draft202012Validator(schema)
    errors: list[FieldError] = []
    for error in sorted(validator.iter_errors(dict(spec)), key=lambda e: list(e.absolute_path)):
        path = "".join(f"/{part}" for part in error.absolute_path)
        errors.append(FieldError(f"{at}{path}", error.message, str(error.validator)))
    return errors


def _when(condition: Any) -> Callable[[RecordView], bool]:
    if isinstance(condition, bool):
        return lambda record: condition
    test = compile_expr(condition)
    return lambda record: truthy(test(record.data(), record.context()))


class AssignOwner(ActionType):
    """``{"type": "assign_owner", "method": "round_robin", "department": 3}``: give the
    record an owner from a pool (see docs/rules.md, "Assigning an owner")."""

    name: ClassVar[str] = "assign_owner"
    label: ClassVar[dict[str, str]] = {"en": "Assign an owner", "zh": "分配负责人"}
    properties: ClassVar[dict[str, Any]] = {
        "method": {"enum": list(METHODS)},
        **_POOL_PROPERTIES,
        "open": {"type": ["object", "boolean"]},
        "territory": {"type": "array", "items": _ROW, "minItems": 1},
        "fallback": _POOL,
        "skip_away": {"type": "boolean"},
        "exclude_previous_owners": {"type": "boolean"},
        "field": {"type": "string", "minLength": 1},
    }
    required: ClassVar[tuple[str, ...]] = ("method",)
    editors: ClassVar[dict[str, str]] = {
        "method": "choice",
        "department": "department",
        "include_sub_departments": "boolean",
        "role": "role",
        "users": "users",
        "user": "user",
        "open": "condition",
        "territory": "territory",
        "fallback": "pool",
        "skip_away": "boolean",
        "exclude_previous_owners": "boolean",
        "field": "field:user",
    }

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        schema = {"type": "object", "properties": self.properties}
        errors = _schema_errors({k: v for k, v in spec.items() if k != "type"}, at, schema)
        if errors:
            return errors
        types = scope.types.get(entity, {})
        method = str(spec["method"])
        if method == "territory":
            rows = spec.get("territory")
            if not rows:
                errors.append(FieldError(f"{at}/territory", "a territory method needs rows"))
            errors += [
                FieldError(f"{at}/{key}", "a territory method takes its pools from its rows")
                for key in (*POOL_KEYS, "include_sub_departments")
                if key in spec
            ]
            for i, row in enumerate(rows or []):
                where = f"{at}/territory/{i}"
                errors += _pool_errors(row, where)
                errors += _condition_errors(row["when"], f"{where}/when", types, sql=False)
        else:
            errors += _pool_errors(spec, at)
            if "territory" in spec:
                errors.append(FieldError(f"{at}/territory", "only the territory method has rows"))
        if "fallback" in spec:
            errors += _pool_errors(spec["fallback"], f"{at}/fallback")
        if "open" in spec:
            errors += _condition_errors(spec["open"], f"{at}/open", types, sql=True)
        name = str(spec.get("field", DEFAULT_FIELD))
        if name not in types:
            errors.append(FieldError(f"{at}/field", f"{entity!r} has no field {name!r}"))
        elif types[name] not in ("number", "any"):
            errors.append(FieldError(f"{at}/field", f"{name!r} does not hold a user", "type"))
        return errors

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        method = str(spec["method"])
        rows = [
            (_when(row["when"]), row["when"], str(row.get("method", "round_robin")), pool_of(row))
            for row in spec.get("territory") or []
        ]
        fallback = spec.get("fallback")
        common = {
            "field": str(spec.get("field", DEFAULT_FIELD)),
            "skip_away": bool(spec.get("skip_away", True)),
            "exclude_previous_owners": bool(spec.get("exclude_previous_owners", False)),
            "open": spec.get("open", True),
            "fallback": (
                {"method": str(fallback.get("method", "round_robin")), "pool": pool_of(fallback)}
                if fallback is not None
                else None
            ),
        }

        def plan(record: RecordView, index: int) -> Sequence[Planned]:
            choice: dict[str, Any] | None
            if method == "territory":
                choice = None
                for i, (holds, when, row_method, pool) in enumerate(rows):
                    if holds(record):
                        choice = {
                            "method": row_method,
                            "pool": pool,
                            "territory_row": i,
                            "when": when,
                        }
                        break
                payload = {**common, "territory": True, "choice": choice}
            else:
                choice = {"method": method, "pool": pool_of(spec), "territory_row": None}
                payload = {**common, "territory": False, "choice": choice}
            return [PlannedEffect(index, EFFECT_KIND, entity, record.record_id, payload)]

        return plan


register_action(AssignOwner())
