"""Validation of documents: JSON Schema, then the checks a schema cannot express.

Every function returns *all* problems as :class:`~jimu.errors.FieldError` with a JSON pointer;
``raise_if_errors`` turns a non-empty list into one :class:`~jimu.errors.ValidationFailed`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from typing import Any

import jsonschema

from jimu.engines.expr import ExprError, check, parse_formula
from jimu.engines.form.codec import compile_field
from jimu.engines.form.formula_results import SYSTEM_VALUE_TYPES, value_type_of
from jimu.engines.form.formulas import formula_problem
from jimu.engines.form.model import SYSTEM_COLUMNS, AppModel, Entity, Field
from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.engines.form.tables import build_tables
from jimu.engines.form.types.base import FieldContext, InvalidValue
from jimu.engines.report import report_errors
from jimu.engines.rule.actions import ACTIONS
from jimu.errors import FieldError, ValidationFailed
from jimu.metadata.app_menu import menu_errors
from jimu.metadata.decision_tables import decision_table_report
from jimu.metadata.paths import document_path
from jimu.metadata.pointers import pointer, with_file
from jimu.metadata.pool import pool_errors
from jimu.metadata.public_form import public_form_errors, slug_errors
from jimu.metadata.roles import role_errors
from jimu.metadata.rules import rule_document_errors
from jimu.metadata.schemas import KINDS, document_schema
from jimu.metadata.views import view_errors, view_form_errors


@lru_cache(maxsize=32)
def _validator(
    kind: str, registry: FieldTypeRegistry, actions: tuple[str, ...]
) -> jsonschema.Draft202012Validator:
    """The validator of ``kind``; ``actions`` (the registered rule action types, which the rule
    schema lists) is part of the key so an action type registered later is known."""
    return jsonschema.Draft202012Validator(document_schema(kind, registry))


def _schema_errors(error: jsonschema.ValidationError) -> list[FieldError]:
    path = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        missing = [k for k in required if k not in error.instance]
        return [FieldError(pointer([*path, k]), "is required", "required") for k in missing]
    if error.validator in ("unevaluatedProperties", "additionalProperties"):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = (
            [k for k in error.instance if k not in allowed]
            if isinstance(error.instance, dict)
            else []
        )
        found = re.findall(r"'([^']+)'", error.message)
        keys = [k for k in extra if k in found] or found or extra
        return [FieldError(pointer([*path, k]), "is not allowed here", "unknown_key") for k in keys]
    if error.validator == "enum" and path and path[-1] == "type":
        what = "action type" if path[0] == "actions" else "field type"
        return [FieldError(pointer(path), f"unknown {what} {error.instance!r}", "enum")]
    return [FieldError(pointer(path), error.message, str(error.validator))]


def schema_errors(
    document: Mapping[str, Any], registry: FieldTypeRegistry | None = None
) -> list[FieldError]:
    """Problems of ``document`` against the JSON Schema of its kind."""
    kind = document.get("kind")
    if kind not in KINDS:
        return [FieldError("/kind", f"must be one of: {', '.join(KINDS)}", "enum")]
    actions = tuple(sorted(ACTIONS)) if kind == "rule" else ()
    registry = registry or default_registry()
    try:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):  # not plain JSON: checked as it is, not remembered
        return _validated(str(kind), registry, actions, document)
    return list(_validated_text(str(kind), registry, actions, text))


@lru_cache(maxsize=1024)
def _validated_text(
    kind: str, registry: FieldTypeRegistry, actions: tuple[str, ...], text: str
) -> tuple[FieldError, ...]:
    """The schema problems of the document ``text`` (canonical JSON), remembered: an app's
    documents are checked when saved, imported and published, mostly unchanged (a full schema
    check of an entity costs milliseconds; its ``if``/``unevaluatedProperties`` are slow)."""
    return tuple(_validated(kind, registry, actions, json.loads(text)))


def _validated(
    kind: str, registry: FieldTypeRegistry, actions: tuple[str, ...], document: Any
) -> list[FieldError]:
    validator = _validator(kind, registry, actions)
    errors: list[FieldError] = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        if error.validator in ("if", "allOf"):
            continue
        for fe in _schema_errors(error):
            if fe not in errors:
                errors.append(fe)
    return errors


def entity_errors(entity: Mapping[str, Any], registry: FieldTypeRegistry) -> list[FieldError]:
    """Checks within one entity document (assumed schema-valid)."""
    errors: list[FieldError] = []
    names: dict[str, int] = {}
    columns: set[str] = set()
    for i, spec in enumerate(entity.get("fields", [])):
        name = spec["name"]
        at = f"/fields/{i}"
        if name in names:
            errors.append(FieldError(f"{at}/name", f"duplicates field {names[name]}", "duplicate"))
        names.setdefault(name, i)
        if name in SYSTEM_COLUMNS:
            errors.append(FieldError(f"{at}/name", f"{name!r} is a system column", "reserved"))
        ftype = registry.get(spec["type"])
        column = ftype.column_name(Field(spec))
        if ftype.stores_column(Field(spec)):
            if column in columns or (column != name and column in names):
                errors.append(FieldError(f"{at}/name", f"column {column!r} is taken", "duplicate"))
            columns.add(column)
        if "pattern" in spec and spec["type"] != "autonumber":
            try:
                re.compile(spec["pattern"])
            except re.error as exc:
                errors.append(FieldError(f"{at}/pattern", f"is not a valid regex: {exc}"))
        for key in ("formula", "default_formula"):
            if key in spec:
                problem = formula_problem(str(spec[key]))
                if problem:
                    errors.append(FieldError(f"{at}/{key}", problem, "formula"))
    title = entity.get("title_field")
    if title and title not in names:
        errors.append(FieldError("/title_field", f"there is no field {title!r}", "reference"))
    known = set(names) | set(SYSTEM_COLUMNS) | columns
    for i, index in enumerate(entity.get("indexes", [])):
        for j, name in enumerate(index.get("fields", [])):
            if name not in known:
                errors.append(FieldError(f"/indexes/{i}/fields/{j}", f"no field {name!r}"))
    return errors


def field_errors_in_app(
    app: AppModel, entity: Entity, registry: FieldTypeRegistry
) -> list[FieldError]:
    """Checks that need the other entities: link targets, lookups, rollups, defaults."""
    errors: list[FieldError] = []
    ctx = FieldContext(app, entity, registry)
    for i, f in enumerate(entity.fields):
        if f.type not in registry:
            continue
        problems = registry.get(f.type).check_field(f, ctx)
        for suffix, message in problems:
            errors.append(FieldError(f"/fields/{i}{suffix}", message, "reference"))
        if problems:
            continue  # compiling a field that references badly may not even end (a cycle)
        try:
            compile_field(f, ctx, registry)
        except InvalidValue as exc:
            key = "default" if f.has("default") else "min"
            errors.append(FieldError(f"/fields/{i}/{key}", exc.message, exc.code))
        except re.error:
            continue  # an invalid pattern is reported by entity_errors
    return errors + formula_errors(entity, ctx, registry)


def value_types(entity: Entity, ctx: FieldContext, registry: FieldTypeRegistry) -> dict[str, str]:
    """Each field's value type as the expression language knows it (for checking formulas)."""
    types = dict(SYSTEM_VALUE_TYPES)
    for f in entity.fields:
        types[f.name] = value_type_of(f, ctx)
    return types


def formula_errors(
    entity: Entity, ctx: FieldContext, registry: FieldTypeRegistry
) -> list[FieldError]:
    """Formulas naming fields the entity lacks, or mixing types (a date compared with text)."""
    errors: list[FieldError] = []
    types: dict[str, str] | None = None
    for i, f in enumerate(entity.fields):
        for key in ("formula", "default_formula"):
            if not f.has(key):
                continue
            try:
                rule = parse_formula(str(f.get(key)))
            except ExprError:
                continue  # a syntax error is reported by entity_errors
            types = types if types is not None else value_types(entity, ctx, registry)
            for problem in check(rule, types):
                errors.append(FieldError(f"/fields/{i}/{key}", problem.message, problem.code))
    return errors


def form_errors(
    form: Mapping[str, Any], app: AppModel, registry: FieldTypeRegistry | None = None
) -> list[FieldError]:
    entity = app.entities.get(str(form.get("entity")))
    if entity is None:
        return [FieldError("/entity", f"there is no entity {form.get('entity')!r}", "reference")]
    errors = []
    placed: dict[str, str] = {}
    for i, section in enumerate(form.get("sections", [])):
        for j, name in enumerate(section.get("fields", [])):
            pointer = f"/sections/{i}/fields/{j}"
            if entity.field(name) is None:
                errors.append(FieldError(pointer, f"no field {name!r}", "reference"))
            elif name in placed:
                message = f"the field {name!r} is already placed at {placed[name]}"
                errors.append(FieldError(pointer, message, "duplicate"))
            else:
                placed[name] = pointer
    return errors + public_form_errors(form, entity, app, registry or default_registry())


def app_errors(
    app_doc: Mapping[str, Any], app: AppModel, dashboards: Collection[str] | None = None
) -> list[FieldError]:
    from jimu.engines.calendar import calendar_errors
    from jimu.metadata.time_zone import time_zone_errors

    calendars = [
        e
        for name, body in (app_doc.get("calendars") or {}).items()
        for e in calendar_errors(body, f"/calendars/{name}")
    ]
    return menu_errors(app_doc, app.entities, dashboards) + time_zone_errors(app_doc) + calendars


def validate_app_documents(
    documents: Iterable[Mapping[str, Any]],
    registry: FieldTypeRegistry | None = None,
    files: Mapping[int, str] | None = None,
) -> list[FieldError]:
    """Every problem of a set of documents of one app, each pointer prefixed with its file.

    ``files`` maps a document's position to the file it came from; by default the file is the
    document's place in an app folder (``entities/lead.json``).
    """
    registry = registry or default_registry()
    docs = list(documents)
    file_of = [(files or {}).get(i) or document_path(doc) for i, doc in enumerate(docs)]
    errors: list[FieldError] = []
    valid: list[tuple[str, Mapping[str, Any]]] = []
    for file, doc in zip(file_of, docs, strict=True):
        problems = schema_errors(doc, registry)
        if not problems:
            valid.append((file, doc))
            if doc.get("kind") == "entity":
                problems = entity_errors(doc, registry)
        errors.extend(FieldError(with_file(file, e.pointer), e.message, e.code) for e in problems)
    app_doc = next((d for _, d in valid if d.get("kind") == "app"), None)
    entities = [d for _, d in valid if d.get("kind") == "entity"]
    app = AppModel.from_documents(str((app_doc or {}).get("name", "app")), entities, app_doc)
    tables = {str(d["name"]): d for _, d in valid if d.get("kind") == "decision_table"}
    roles = {str(d["name"]) for _, d in valid if d.get("kind") == "role"}
    report_tables: dict[str, Any] | None = None  # built once, for the first report
    form_kinds = {
        (str(d.get("entity")), str(d.get("name"))): isinstance(d.get("public"), Mapping)
        for _, d in valid
        if d.get("kind") == "form"
    }
    for file, doc in valid:
        problems = []
        if doc.get("kind") == "entity":
            entity = app.entity(str(doc["name"]))
            problems = field_errors_in_app(app, entity, registry)
            problems += pool_errors(app, entity, registry, roles)
        elif doc.get("kind") == "form":
            problems = form_errors(doc, app, registry)
        elif doc.get("kind") == "app":
            dashboards = {str(d["name"]) for _, d in valid if d.get("kind") == "dashboard"}
            problems = app_errors(doc, app, dashboards)
        elif doc.get("kind") == "role":
            problems = role_errors(doc, app, registry)
        elif doc.get("kind") == "rule":
            problems = rule_document_errors(doc, app, registry, tables)
        elif doc.get("kind") == "decision_table":
            problems = decision_table_report(doc, app, registry).errors
        elif doc.get("kind") == "view":
            problems = view_errors(doc, app, registry) + view_form_errors(doc, form_kinds)
        elif doc.get("kind") == "report":
            if report_tables is None:
                report_tables = dict(build_tables(app, registry))
            problems = report_errors(doc, app, registry, tables=report_tables)
        elif doc.get("kind") == "dashboard":
            from jimu.engines.report.dashboard import dashboard_errors

            reports = {str(d["name"]): d for _, d in valid if d.get("kind") == "report"}
            problems = dashboard_errors(doc, app, reports)
        elif doc.get("kind") == "flow":
            from jimu.engines.process.document import graph_problems
            from jimu.metadata.flows import flow_app_errors

            problems = graph_problems(doc)
            if not problems:
                flows = {str(d["name"]) for _, d in valid if d.get("kind") == "flow"}
                problems = flow_app_errors(doc, app, registry, tables, flows)
        errors.extend(FieldError(with_file(file, e.pointer), e.message, e.code) for e in problems)
    forms = [(file, doc) for file, doc in valid if doc.get("kind") == "form"]
    for file, e in slug_errors(forms):
        errors.append(FieldError(with_file(file, e.pointer), e.message, e.code))
    return errors


def raise_if_errors(
    errors: list[FieldError], message: str = "The documents are not valid."
) -> None:
    if errors:
        raise ValidationFailed(message, errors)
