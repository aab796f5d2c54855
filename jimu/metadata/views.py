"""View documents: how the records of one entity are listed (see docs/views.md).

A view names its entity, a type (``table``, ``kanban`` grouped by a select field, ``calendar``
by a date field), the columns in order with their widths, a default filter (JsonLogic, as the
condition builder emits it), the sort and the page size. ``view_properties()`` is the JSON
Schema; ``view_errors(view, app, registry)`` the checks it cannot make: the fields named exist
(system fields included), the filter checks against their types and renders as SQL, the
kanban's field is a select and the calendar's a date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.expr import check
from jimu.engines.form.model import AppModel, Entity
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import FieldContext
from jimu.errors import FieldError
from jimu.metadata.scope_sql import scope_sql_errors, sql_columns

VIEW_TYPES = ("table", "kanban", "calendar")
PAGE_SIZES = (25, 50, 100)
#: System columns a view may show, filter and sort on, besides the entity's fields.
SYSTEM_FIELDS = ("id", "owner_id", "created_at", "created_by", "updated_at", "updated_by")
DATE_TYPES = ("date", "datetime")
MIN_WIDTH, MAX_WIDTH = 40, 800


def view_properties() -> dict[str, Any]:
    """The properties of a view document (``kind``, ``name``, ``label`` come from the base)."""
    field_name = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}
    column = {
        "type": "object",
        "properties": {
            "field": field_name,
            "width": {"type": "integer", "minimum": MIN_WIDTH, "maximum": MAX_WIDTH},
        },
        "required": ["field"],
        "additionalProperties": False,
    }
    return {
        "entity": {"$ref": "#/$defs/name"},
        "name": {"$ref": "#/$defs/name"},
        "label": {"$ref": "#/$defs/label"},
        "type": {"enum": list(VIEW_TYPES)},
        "columns": {"type": "array", "items": column},
        "filter": {"type": ["object", "boolean"]},
        "sort": {
            "type": "array",
            "items": {"type": "string", "pattern": "^-?[a-z][a-z0-9_]{0,62}$"},
            "maxItems": 3,
        },
        "page_size": {"enum": list(PAGE_SIZES)},
        "group_by": field_name,
        "date_field": field_name,
        "form": {"$ref": "#/$defs/name"},
    }


def _known(entity: Entity, name: str) -> bool:
    return name in SYSTEM_FIELDS or entity.field(name) is not None


def _field_type(entity: Entity, name: str) -> str | None:
    if name in ("created_at", "updated_at"):
        return "datetime"
    found = entity.field(name)
    return found.type if found is not None else None


def _reference_errors(view: Mapping[str, Any], entity: Entity) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, column in enumerate(view.get("columns", [])):
        name = str(column.get("field"))
        if not _known(entity, name):
            errors.append(FieldError(f"/columns/{i}/field", f"no field {name!r}", "reference"))
        elif name in seen:
            errors.append(FieldError(f"/columns/{i}/field", f"{name!r} is twice", "duplicate"))
        seen.add(name)
    for i, key in enumerate(view.get("sort", [])):
        name = str(key).removeprefix("-")
        if not _known(entity, name):
            errors.append(FieldError(f"/sort/{i}", f"no field {name!r}", "reference"))
    return errors


def _type_errors(view: Mapping[str, Any], entity: Entity) -> list[FieldError]:
    kind = view.get("type", "table")
    if kind == "kanban":
        group_by = view.get("group_by")
        if group_by is None:
            return [FieldError("/group_by", "a kanban view needs a select field", "required")]
        if _field_type(entity, str(group_by)) != "select":
            return [FieldError("/group_by", f"{group_by!r} is not a select field", "type")]
    if kind == "calendar":
        date_field = view.get("date_field")
        if date_field is None:
            return [FieldError("/date_field", "a calendar view needs a date field", "required")]
        if _field_type(entity, str(date_field)) not in DATE_TYPES:
            return [FieldError("/date_field", f"{date_field!r} is not a date field", "type")]
    return []


def _filter_errors(
    view: Mapping[str, Any], app: AppModel, entity: Entity, registry: FieldTypeRegistry
) -> list[FieldError]:
    from jimu.metadata.validate import value_types

    if "filter" not in view:
        return []
    condition = view["filter"]
    types = value_types(entity, FieldContext(app, entity, registry), registry)
    problems = check(condition, types, require_sql=True)
    if not problems:
        problems = scope_sql_errors(condition, sql_columns(app, entity, registry), {})
    return [FieldError(f"/filter{p.pointer}", p.message, p.code) for p in problems]


def view_errors(
    view: Mapping[str, Any], app: AppModel, registry: FieldTypeRegistry
) -> list[FieldError]:
    """What the schema cannot check: the entity and fields exist, the filter renders as SQL."""
    entity = app.entities.get(str(view.get("entity")))
    if entity is None:
        return [FieldError("/entity", f"there is no entity {view.get('entity')!r}", "reference")]
    return (
        _reference_errors(view, entity)
        + _type_errors(view, entity)
        + _filter_errors(view, app, entity, registry)
    )


DEFAULT_FORM = "default"


def view_form_errors(
    view: Mapping[str, Any], forms: Mapping[tuple[str, str], bool]
) -> list[FieldError]:
    """The view's ``form`` names no layout of its entity, or a public one. ``forms`` maps
    (entity, layout name) to whether the layout is public."""
    name = view.get("form")
    if name is None or name == DEFAULT_FORM:
        return []
    entity = str(view.get("entity"))
    public = forms.get((entity, str(name)))
    if public is None:
        message = f"there is no form layout {name!r} of {entity!r}"
        return [FieldError("/form", message, "reference")]
    if public:
        message = f"{name!r} is a public form; a view opens the layouts used inside the app"
        return [FieldError("/form", message, "public")]
    return []
