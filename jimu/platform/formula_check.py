"""The formula editor's check: a formula of a (draft) entity parsed, type-checked against the
entity's fields, and computed on a sample record. Nothing is written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError, check, infer_type
from jimu.engines.expr.formula import parse_formula
from jimu.engines.expr.formula_errors import FormulaSyntaxError
from jimu.engines.form.formula_results import result_of_value_type
from jimu.engines.form.formulas import compile_formula
from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.engines.form.types.base import FieldContext
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.metadata.schemas import NAME_PATTERN
from jimu.metadata.validate import value_types
from jimu.platform.metadata_store.documents import model_of, published_bodies
from jimu.platform.records import Records


@dataclass
class FormulaCheck:
    """What the editor shows under the formula."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    #: The value type the formula gives ("number", "text", ...; "any" when unknown).
    type: str | None = None
    #: What the field stores and the record page shows: its ``returns``, else the formula's
    #: type ("number" when that cannot be known) -- the same rule as the stored column.
    stores: str | None = None
    #: The value on the sample record (when one was given and the formula is valid).
    value: Any = None
    value_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "errors": self.errors,
            "type": self.type,
            "stores": self.stores,
            "value": self.value,
            "value_error": self.value_error,
        }


def outline_errors(document: Mapping[str, Any], registry: FieldTypeRegistry) -> list[FieldError]:
    """What a draft entity needs for a formula to be checked in it: a name, and fields that
    each have a name and a known type (the rest of the draft may still be half-edited)."""
    errors: list[FieldError] = []
    name = document.get("name")
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        errors.append(FieldError("/document/name", "must be an entity name (a-z, 0-9, _)"))
    fields = document.get("fields", [])
    if not isinstance(fields, list):
        return [*errors, FieldError("/document/fields", "must be a list of fields", "type")]
    for i, spec in enumerate(fields):
        at = f"/document/fields/{i}"
        if not isinstance(spec, Mapping):
            errors.append(FieldError(at, "must be a field (an object)", "type"))
            continue
        if not isinstance(spec.get("name"), str) or not spec["name"]:
            errors.append(FieldError(f"{at}/name", "is required", "required"))
        if not isinstance(spec.get("type"), str) or spec["type"] not in registry:
            errors.append(
                FieldError(f"{at}/type", f"unknown field type {spec.get('type')!r}", "enum")
            )
    return errors


def draft_model(conn: sa.Connection, app: str, document: Mapping[str, Any]) -> AppModel:
    """The published app with ``document`` (the entity being designed) in its place."""
    bodies = [
        b
        for b in published_bodies(conn, app)
        if not (b.get("kind") == "entity" and b.get("name") == document.get("name"))
    ]
    return model_of(app, [*bodies, {**document, "kind": "entity"}])


def check_formula(
    conn: sa.Connection,
    records: Records | None,
    app: str,
    document: Mapping[str, Any],
    formula: str,
    record_id: int | None = None,
    lang: str = "en",
    registry: FieldTypeRegistry | None = None,
    returns: str | None = None,
) -> FormulaCheck:
    """Syntax errors (with line and column), unknown fields and type mistakes of ``formula`` in
    the entity ``document``; its type and what a field with ``returns`` (None: inferred)
    stores; its value on the published record ``record_id``."""
    registry = registry or default_registry()
    result = FormulaCheck()
    try:
        rule = parse_formula(formula)
    except FormulaSyntaxError as exc:
        for p in exc.problems:
            message = p.text_zh if lang.startswith("zh") else p.text_en
            result.errors.append(
                {"message": message, "code": "formula_syntax", "line": p.line, "column": p.column}
            )
        return result
    except ExprError as exc:
        result.errors.append({"message": exc.message, "code": exc.code})
        return result
    outline = outline_errors(document, registry)
    if outline:
        raise ValidationFailed("The entity draft cannot hold a formula yet.", outline)
    model = draft_model(conn, app, document)
    entity = model.entity(str(document.get("name")))
    types = value_types(entity, FieldContext(model, entity, registry), registry)
    for problem in check(rule, types, lang=lang):
        result.errors.append({"message": problem.message, "code": problem.code})
    result.type = infer_type(rule, types)
    result.stores = returns or result_of_value_type(result.type)
    if result.errors or record_id is None or records is None:
        return result
    try:
        values = records.get(conn, entity.name, record_id)
    except NotFound:
        result.value_error = f"there is no record {record_id}"
        return result
    try:
        result.value = compile_formula(formula)(values)
    except ExprError as exc:
        result.value_error = exc.message
    return result
