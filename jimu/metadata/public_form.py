"""The ``public`` section of a form document: the form published as an anonymous link.

``PUBLIC_SECTION`` is its JSON Schema (part of the form schema); ``public_form_errors`` holds the
checks a schema cannot express, and ``slug_errors`` the one across the app's forms (a slug names
one form). See docs/public-forms.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jimu.engines.form.codec import compile_field
from jimu.engines.form.model import AppModel, Entity, Field
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import FieldContext, InvalidValue
from jimu.errors import FieldError
from jimu.metadata.pointers import escape

SLUG_PATTERN = "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
#: URL query parameters that may be captured (``utm_source``, ``gclid``, ``ref``...).
PARAM_PATTERN = "^[A-Za-z0-9_.-]{1,64}$"
FIELD_NAME = "^[a-z][a-z0-9_]{0,62}$"

#: Widgets a visitor may fill on a public form. Left out on purpose: links, users and
#: departments (choosing one means reading other records or the user list), sub-tables (their
#: rows carry ids of existing children), attachments, rich text and datetimes (a visitor has
#: no time zone we know).
PUBLIC_WIDGETS = frozenset(
    {
        "input",
        "email",
        "phone",
        "url",
        "textarea",
        "number",
        "decimal",
        "money",
        "percent",
        "checkbox",
        "date",
        "select",
        "multiselect",
        "region",
        "rating",
    }
)
#: Widgets whose value can come from one URL query parameter (a text).
CAPTURE_WIDGETS = frozenset(
    {"input", "email", "phone", "url", "textarea", "number", "decimal", "money", "percent", "date"}
    | {"select"}
)
#: Widgets a hidden default may set (the admin chooses the value, so links are fine here).
DEFAULT_WIDGETS = PUBLIC_WIDGETS | {"link", "user", "department", "datetime", "richtext"}

_LABEL = {"$ref": "#/$defs/label"}

PUBLIC_SECTION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "slug": {"type": "string", "pattern": SLUG_PATTERN},
        "title": _LABEL,
        "intro": _LABEL,
        "success_message": _LABEL,
        "submit_label": _LABEL,
        "enabled": {"type": "boolean"},
        "defaults": {"type": "object", "propertyNames": {"pattern": FIELD_NAME}},
        "capture": {
            "type": "object",
            "propertyNames": {"pattern": PARAM_PATTERN},
            "additionalProperties": {"type": "string", "pattern": FIELD_NAME},
        },
        "labels": {
            "type": "object",
            "propertyNames": {"pattern": FIELD_NAME},
            "additionalProperties": _LABEL,
        },
    },
    "required": ["slug", "title"],
    "additionalProperties": False,
}


def section_fields(form: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(pointer, field name)`` of every field the form's sections place."""
    return [
        (f"/sections/{i}/fields/{j}", str(name))
        for i, section in enumerate(form.get("sections") or [])
        for j, name in enumerate(section.get("fields") or [])
    ]


def _why_not_on_form(f: Field, registry: FieldTypeRegistry) -> str | None:
    if f.type not in registry:
        return f"has the unknown type {f.type!r}"
    ftype = registry.get(f.type)
    if ftype.computed:
        return f"is computed ({f.type}), so nobody can fill it in"
    if f.readonly:
        return "is read-only"
    if not ftype.stores_column(f) or ftype.widget not in PUBLIC_WIDGETS:
        return f"is of type {f.type}, which a public form cannot offer"
    if f.unique:
        return "is unique: the answer would tell a visitor whether a record has that value"
    return None


def _why_not_written(f: Field, registry: FieldTypeRegistry, widgets: frozenset[str]) -> str | None:
    if f.type not in registry:
        return f"has the unknown type {f.type!r}"
    ftype = registry.get(f.type)
    if ftype.computed:
        return f"is computed ({f.type})"
    if f.readonly:
        return "is read-only"
    if ftype.widget not in widgets:
        return f"is of type {f.type}, which cannot be set this way"
    return None


def _section_errors(
    form: Mapping[str, Any], entity: Entity, registry: FieldTypeRegistry
) -> list[FieldError]:
    errors = []
    for at, name in section_fields(form):
        f = entity.field(name)
        problem = _why_not_on_form(f, registry) if f is not None else None
        if problem:
            errors.append(FieldError(at, f"the field {name!r} {problem}", "public_field"))
    return errors


def _default_errors(
    public: Mapping[str, Any],
    entity: Entity,
    app: AppModel,
    registry: FieldTypeRegistry,
    on_form: set[str],
) -> list[FieldError]:
    errors = []
    ctx = FieldContext(app, entity, registry)
    for name, value in (public.get("defaults") or {}).items():
        at = f"/public/defaults/{escape(name)}"
        f = entity.field(name)
        if f is None:
            errors.append(FieldError(at, f"there is no field {name!r}", "reference"))
            continue
        problem = _why_not_written(f, registry, DEFAULT_WIDGETS)
        if problem is None and name in on_form:
            problem = "is on the form: a hidden default would overwrite what the visitor types"
        if problem:
            errors.append(FieldError(at, f"the field {name!r} {problem}", "public_field"))
            continue
        try:
            if value is not None:
                compile_field(f, ctx, registry).parse(value)
        except InvalidValue as exc:
            errors.append(FieldError(at, exc.message, exc.code))
        except (TypeError, ValueError) as exc:
            errors.append(FieldError(at, f"is not a valid value: {exc}", "invalid"))
    return errors


def _capture_errors(
    public: Mapping[str, Any], entity: Entity, registry: FieldTypeRegistry, on_form: set[str]
) -> list[FieldError]:
    errors = []
    targets: dict[str, str] = {}
    for param, name in (public.get("capture") or {}).items():
        at = f"/public/capture/{escape(param)}"
        f = entity.field(str(name))
        if f is None:
            errors.append(FieldError(at, f"there is no field {name!r}", "reference"))
            continue
        problem = _why_not_written(f, registry, CAPTURE_WIDGETS)
        if problem is None and name in on_form:
            problem = "is on the form; a captured value would overwrite what the visitor types"
        if problem is None and name in targets:
            problem = f"is already captured from the parameter {targets[name]!r}"
        if problem:
            errors.append(FieldError(at, f"the field {name!r} {problem}", "public_field"))
        targets.setdefault(str(name), str(param))
    return errors


def _required_errors(
    public: Mapping[str, Any], entity: Entity, on_form: set[str]
) -> list[FieldError]:
    """A required field nobody can fill makes every submission fail: say so when publishing."""
    given = on_form | set(public.get("defaults") or {})
    errors = []
    for f in entity.fields:
        if (
            f.required
            and f.name not in given
            and not (f.has("default") or f.has("default_formula"))
        ):
            message = f"the required field {f.name!r} must be on the form or have a default"
            errors.append(FieldError("/public", message, "required"))
    return errors


def public_form_errors(
    form: Mapping[str, Any], entity: Entity, app: AppModel, registry: FieldTypeRegistry
) -> list[FieldError]:
    """Problems of a (schema-valid) form's ``public`` section; none if it has no such section."""
    public = form.get("public")
    if not isinstance(public, Mapping):
        return []
    on_form = {name for _, name in section_fields(form)}
    errors = _section_errors(form, entity, registry)
    if not on_form:
        errors.append(FieldError("/sections", "a public form needs at least one field", "empty"))
    errors += _default_errors(public, entity, app, registry, on_form)
    errors += _capture_errors(public, entity, registry, on_form)
    errors += _required_errors(public, entity, on_form)
    for name in public.get("labels") or {}:
        if name not in on_form:
            at = f"/public/labels/{escape(name)}"
            errors.append(FieldError(at, f"the field {name!r} is not on the form", "reference"))
    return errors


def slug_errors(forms: Sequence[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, FieldError]]:
    """``(file, error)`` for each public form whose slug an earlier form of the app has."""
    seen: dict[str, str] = {}
    errors = []
    for file, form in forms:
        public = form.get("public")
        if not isinstance(public, Mapping):
            continue
        slug = str(public.get("slug"))
        if slug in seen:
            message = f"the slug {slug!r} is taken by {seen[slug]}"
            errors.append((file, FieldError("/public/slug", message, "duplicate")))
        else:
            seen[slug] = file
    return errors
