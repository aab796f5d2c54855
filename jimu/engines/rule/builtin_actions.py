"""The built-in action types that write records: set fields, create or update a related
record, add to a score, add or remove tags. Each registers itself in ``ACTIONS``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from jimu.engines.expr import ExprError, check, parse_formula
from jimu.engines.expr import compile as compile_expr
from jimu.engines.rule.actions import (
    ActionType,
    Planner,
    RuleScope,
    compile_values,
    field_errors,
    formula_errors,
    register_action,
)
from jimu.engines.rule.created import AS_SCHEMA, CREATED_LINKS_SCHEMA
from jimu.engines.rule.plan import PlannedWrite, RecordView
from jimu.errors import FieldError

_VALUES = {"type": "object", "additionalProperties": True}
_FORMULAS = {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}}


def _values_errors(
    spec: Mapping[str, Any], at: str, target: str, source: str, scope: RuleScope
) -> list[FieldError]:
    values = spec.get("values") or {}
    formulas = spec.get("formulas") or {}
    errors = field_errors(values, f"{at}/values", target, scope)
    errors += field_errors(formulas, f"{at}/formulas", target, scope)
    errors += formula_errors(formulas, f"{at}/formulas", source, scope)
    if not values and not formulas and not spec.get("created_links") and not spec.get("add"):
        errors.append(FieldError(f"{at}/values", "sets no field: give values or formulas"))
    return errors


class SetFields(ActionType):
    """``{"type": "set_fields", "values": {"status": "mql"}, "formulas": {"due": "..."}}``:
    set fields of the record the rule runs on."""

    name: ClassVar[str] = "set_fields"
    label: ClassVar[dict[str, str]] = {"en": "Set fields", "zh": "设置字段"}
    editors: ClassVar[dict[str, str]] = {
        "values": "values",
        "formulas": "formulas",
        "created_links": "json",
    }
    properties: ClassVar[dict[str, Any]] = {
        "values": _VALUES,
        "formulas": _FORMULAS,
        "created_links": CREATED_LINKS_SCHEMA,
    }

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        return _values_errors(spec, at, entity, entity, scope)

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        values = compile_values(spec.get("values") or {}, spec.get("formulas") or {})
        refs = dict(spec.get("created_links") or {})

        def plan(record: RecordView, index: int) -> list[PlannedWrite]:
            out = values(record)
            if not record.exists:  # an inbound webhook found no record by its key: create it
                return [PlannedWrite(index, "create", record.entity, out, refs=refs)]
            return [PlannedWrite(index, "update", record.entity, out, record.record_id, refs=refs)]

        return plan


class CreateRecord(ActionType):
    """``{"type": "create_record", "entity": "task", "values": {...}, "formulas": {...},
    "link": "lead"}``: create a record of another entity with mapped fields; ``link`` names
    its link field that gets the id of the record the rule runs on. ``"as": "account"`` names
    the new record for later actions, whose ``"created_links": {"account": "account"}`` set
    link fields to its id (see ``jimu.engines.rule.created``)."""

    name: ClassVar[str] = "create_record"
    label: ClassVar[dict[str, str]] = {"en": "Create a related record", "zh": "创建关联记录"}
    editors: ClassVar[dict[str, str]] = {
        "entity": "entity",
        "values": "values",
        "formulas": "formulas",
        "link": "link",
        "as": "text",
        "created_links": "json",
    }
    properties: ClassVar[dict[str, Any]] = {
        "entity": {"type": "string", "minLength": 1},
        "values": _VALUES,
        "formulas": _FORMULAS,
        "link": {"type": "string", "minLength": 1},
        "as": AS_SCHEMA,
        "created_links": CREATED_LINKS_SCHEMA,
    }
    required: ClassVar[tuple[str, ...]] = ("entity",)

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        target = str(spec["entity"])
        if target not in scope.types:
            return [FieldError(f"{at}/entity", f"there is no entity {target!r}", "reference")]
        errors = _values_errors(spec, at, target, entity, scope)
        link = spec.get("link")
        if link is not None and scope.links.get(target, {}).get(str(link)) != entity:
            errors.append(
                FieldError(f"{at}/link", f"{target!r} has no link {link!r} to {entity!r}")
            )
        return [e for e in errors if not (e.pointer == f"{at}/values" and link)]

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        values = compile_values(spec.get("values") or {}, spec.get("formulas") or {})
        target, link = str(spec["entity"]), spec.get("link")
        name = str(spec["as"]) if spec.get("as") else None
        refs = dict(spec.get("created_links") or {})

        def plan(record: RecordView, index: int) -> list[PlannedWrite]:
            out = values(record)
            if link:
                out[str(link)] = record.record_id
            return [PlannedWrite(index, "create", target, out, name=name, refs=refs)]

        return plan


class UpdateLinked(ActionType):
    """``{"type": "update_linked", "link": "account", "values": {...}, "formulas": {...}}``:
    update the record a link field of the rule's record points at (formulas read the rule's
    record). ``"add": {"score": "score_delta"}`` adds amounts (numbers, or formulas over the
    rule's record) to number fields of the linked record as it is stored when the write is
    carried out (empty counts 0). Nothing is written when the link is empty."""

    name: ClassVar[str] = "update_linked"
    label: ClassVar[dict[str, str]] = {"en": "Update the linked record", "zh": "更新关联记录"}
    editors: ClassVar[dict[str, str]] = {
        "link": "link",
        "values": "values",
        "formulas": "formulas",
        "add": "json",
    }
    properties: ClassVar[dict[str, Any]] = {
        "link": {"type": "string", "minLength": 1},
        "values": _VALUES,
        "formulas": _FORMULAS,
        "add": {
            "type": "object",
            "additionalProperties": {"type": ["number", "string"]},
            "minProperties": 1,
        },
    }
    required: ClassVar[tuple[str, ...]] = ("link",)

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        target = scope.links.get(entity, {}).get(str(spec["link"]))
        if target is None:
            return [FieldError(f"{at}/link", f"{entity!r} has no link field {spec['link']!r}")]
        errors = _values_errors(spec, at, target, entity, scope)
        for name, amount in (spec.get("add") or {}).items():
            where = f"{at}/add/{name}"
            kind = scope.types.get(target, {}).get(name)
            if kind is None:
                errors.append(FieldError(where, f"{target!r} has no field {name!r}", "reference"))
            elif kind not in ("number", "any"):
                errors.append(FieldError(where, f"{name!r} is not a number field", "type"))
            if isinstance(amount, str):
                errors += formula_errors({name: amount}, f"{at}/add", entity, scope)
        return errors

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        values = compile_values(spec.get("values") or {}, spec.get("formulas") or {})
        link = str(spec["link"])
        target = scope.links[entity][link]
        fixed = {k: v for k, v in (spec.get("add") or {}).items() if not isinstance(v, str)}
        amounts = compile_values(
            fixed, {k: v for k, v in (spec.get("add") or {}).items() if isinstance(v, str)}
        )

        def plan(record: RecordView, index: int) -> list[PlannedWrite]:
            linked = record.values.get(link)
            if not isinstance(linked, int):
                return []
            adds = {k: v or 0 for k, v in amounts(record).items()}
            out = values(record)
            return [PlannedWrite(index, "update", target, out, linked, increments=adds)]

        return plan


class AddScore(ActionType):
    """``{"type": "add_score", "field": "score", "amount": 10}`` (negative subtracts; a
    formula text computes it): add to a number field of the rule's record (empty counts 0)."""

    name: ClassVar[str] = "add_score"
    label: ClassVar[dict[str, str]] = {"en": "Add to a score", "zh": "加分"}
    editors: ClassVar[dict[str, str]] = {"field": "field:number", "amount": "number"}
    properties: ClassVar[dict[str, Any]] = {
        "field": {"type": "string", "minLength": 1},
        "amount": {"type": ["number", "string"]},
    }
    required: ClassVar[tuple[str, ...]] = ("field", "amount")

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        name = str(spec["field"])
        errors = field_errors([name], at, entity, scope)
        if errors:
            return [FieldError(f"{at}/field", errors[0].message, "reference")]
        if scope.types[entity][name] not in ("number", "any"):
            errors.append(FieldError(f"{at}/field", f"{name!r} is not a number field", "type"))
        amount = spec["amount"]
        if isinstance(amount, str):
            try:
                problems = check(parse_formula(amount), scope.types[entity])
            except ExprError as exc:
                return [*errors, FieldError(f"{at}/amount", exc.message, "formula")]
            errors += [FieldError(f"{at}/amount", p.message, p.code) for p in problems]
        return errors

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        name, amount = str(spec["field"]), spec["amount"]
        formula = compile_expr(parse_formula(amount)) if isinstance(amount, str) else None

        def plan(record: RecordView, index: int) -> list[PlannedWrite]:
            step = formula(record.data(), record.context()) if formula else amount
            current = record.data().get(name) or 0
            return [
                PlannedWrite(
                    index, "update", record.entity, {name: current + step}, record.record_id
                )
            ]

        return plan


class Tags(ActionType):
    """``{"type": "add_tags", "field": "tags", "tags": ["hot"]}`` and ``remove_tags``: add or
    remove options of a multi-select field of the rule's record, keeping the others."""

    name: ClassVar[str] = "add_tags"
    label: ClassVar[dict[str, str]] = {"en": "Add tags", "zh": "添加标签"}
    editors: ClassVar[dict[str, str]] = {"field": "field:multiselect", "tags": "text"}
    properties: ClassVar[dict[str, Any]] = {
        "field": {"type": "string", "minLength": 1},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    }
    required: ClassVar[tuple[str, ...]] = ("field", "tags")
    adds: ClassVar[bool] = True

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        name = str(spec["field"])
        if name not in scope.lists.get(entity, frozenset()):
            return [FieldError(f"{at}/field", f"{name!r} is not a multi-select field", "type")]
        return []

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        name, tags, adds = str(spec["field"]), list(spec["tags"]), self.adds

        def plan(record: RecordView, index: int) -> list[PlannedWrite]:
            current = list(record.values.get(name) or [])
            if adds:
                after = current + [t for t in tags if t not in current]
            else:
                after = [t for t in current if t not in tags]
            return [PlannedWrite(index, "update", record.entity, {name: after}, record.record_id)]

        return plan


class RemoveTags(Tags):
    name: ClassVar[str] = "remove_tags"
    label: ClassVar[dict[str, str]] = {"en": "Remove tags", "zh": "移除标签"}
    adds: ClassVar[bool] = False


for _action in (SetFields(), CreateRecord(), UpdateLinked(), AddScore(), Tags(), RemoveTags()):
    register_action(_action)

from jimu.engines.rule import decision_action as _decision  # noqa: E402, F401  (registers it)
