"""JSON Schemas of the records of a published entity, from its fields' types.

Three shapes per entity: the record as read (every field and the system keys), the body of a
create (writable fields, required ones marked) and the body of a partial update (writable
fields, all optional, plus ``version`` for optimistic locking).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jimu.engines.form.model import AppModel, Entity, Field
from jimu.engines.form.patterns import one_line
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.sqltypes import MAX_ID
from jimu.engines.form.types.base import FieldType
from jimu.engines.form.types.misc import DEFAULT_MAX_SIZE, AttachmentType
from jimu.engines.form.types.number import INTEGER_MAX, INTEGER_MIN, DecimalType, NumberType
from jimu.engines.form.types.text import TextType

DATETIME: dict[str, Any] = {"type": "string", "format": "date-time"}
SYSTEM_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": {"type": "integer", "readOnly": True},
    "version": {"type": "integer", "minimum": 1, "readOnly": True},
    "created_at": {**DATETIME, "readOnly": True},
    "created_by": {"type": ["integer", "null"], "readOnly": True},
    "updated_at": {**DATETIME, "readOnly": True},
    "updated_by": {"type": ["integer", "null"], "readOnly": True},
    "owner_id": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID}, {"type": "null"}]},
    "deleted_at": {"type": ["string", "null"], "format": "date-time", "readOnly": True},
}


def component_name(app: str, entity: str, shape: str = "") -> str:
    """OpenAPI component names: ``marketing.lead``, ``marketing.lead.create``, ..."""
    return f"{app}.{entity}" + (f".{shape}" if shape else "")


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:
        return {}
    return {"anyOf": [schema, {"type": "null"}]}


#: The blank value of each JSON type: on a field that is not required, a blank of a type the
#: field takes stores no value (like null); ``""`` clears a text but is no number.
BLANKS: dict[str, Any] = {"string": "", "array": [], "object": {}}


def json_types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    return [declared] if isinstance(declared, str) else list(declared or [])


def blank(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The blank values ``schema``'s JSON types allow, as a schema (none: an empty list)."""
    values = [BLANKS[t] for t in json_types(schema) if t in BLANKS]
    return [{"enum": values, "description": "blank: no value"}] if values else []


def present(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` for a required field: no null, and not empty (the form engine refuses
    ``null``, ``""``, ``[]`` and ``{}`` there with "is required")."""
    kind = schema.get("type")
    if kind == "string" and not any(k in schema for k in ("pattern", "format", "enum")):
        return {**schema, "minLength": max(1, int(schema.get("minLength", 0)))}
    if kind == "array":
        return {**schema, "minItems": max(1, int(schema.get("minItems", 0)))}
    if kind == "object":
        return {**schema, "minProperties": max(1, int(schema.get("minProperties", 0)))}
    return schema


def decimal_pattern(whole: int, scale: int, *, signed: bool = True) -> str:
    """Decimals as JSON text that the field takes: at most ``whole`` digits before the point
    (leading zeros aside) and ``scale`` after it (trailing zeros aside)."""
    digits = rf"0*[0-9]{{1,{whole}}}" if whole > 0 else "0*"
    return rf"^{'-?' if signed else ''}{digits}(?:\.[0-9]{{0,{scale}}}0*)?$"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def constrained(
    schema: dict[str, Any], field: Field, field_type: FieldType, exact_digits: int | None = None
) -> dict[str, Any]:
    """``schema`` plus the field's own rules: ``min``/``max`` of a number, ``min_length`` /
    ``max_length`` / ``pattern`` of a text, a decimal's digits (unsigned when ``min`` is 0 or
    more), an attachment's ``max_files`` and ``max_size``. (Other bounds on values written
    as strings, such as a percentage's ``max`` or a date's ``min``, have no JSON Schema form;
    the 422 names the field.) ``exact_digits``: the significant digits the database keeps
    exactly (15 on SQLite, see records/checks.py), which bound a decimal's digits too."""
    result = dict(schema)
    kinds = json_types(schema)
    # A list's repeated items are dropped, not refused (what is stored is unique).
    result.pop("uniqueItems", None)
    low, high = field.get("min"), field.get("max")
    if field_type.ordered and ("integer" in kinds or "number" in kinds):
        if _number(low):
            result["minimum"] = low
        if _number(high):
            result["maximum"] = high
    if isinstance(field_type, NumberType) and field.get("integer"):  # a 64-bit column
        result["minimum"] = max(result.get("minimum", INTEGER_MIN), INTEGER_MIN)
        result["maximum"] = min(result.get("maximum", INTEGER_MAX), INTEGER_MAX)
    if isinstance(field_type, DecimalType) and "string" in kinds:
        scale = field_type.scale(field)
        whole = field_type.precision(field) - scale
        if exact_digits is not None:
            whole = min(whole, exact_digits - scale)
        signed = not (_number(low) and low >= 0)
        result["pattern"] = decimal_pattern(whole, scale, signed=signed)
        if "number" in kinds:  # as a JSON number: the same digits
            step = Decimal(1).scaleb(-scale)
            top = float(10**whole - step)
            result["multipleOf"] = float(step)
            result["maximum"] = min(result.get("maximum", top), top)
            result["minimum"] = max(result.get("minimum", -top), -top)
    if field_type.textual and "string" in kinds:
        lengths = [("min_length", "minLength")]
        if not isinstance(field_type, TextType):  # a text's length is in its pattern
            lengths.append(("max_length", "maxLength"))
        for param, keyword in lengths:
            if isinstance(field.get(param), int):
                result[keyword] = field.get(param)
        if isinstance(field.get("pattern"), str):
            result["pattern"] = field.get("pattern")
    if field.type in ("link", "user") and kinds == ["integer"]:
        result["maximum"] = MAX_ID
    if field.type == "link" and kinds == ["array"]:
        result["items"] = {**result.get("items", {}), "maximum": MAX_ID}
    if isinstance(field_type, AttachmentType) and "array" in kinds:
        result["maxItems"] = int(field.get("max_files") or 20)
        size = {"type": "integer", "maximum": int(field.get("max_size") or DEFAULT_MAX_SIZE)}
        items = dict(result.get("items", {}))
        items["properties"] = {**items.get("properties", {}), "size": size}
        result["items"] = items
    return result


def field_schema(
    field: Field,
    registry: FieldTypeRegistry,
    *,
    written: bool = False,
    value: dict[str, Any] | None = None,
    exact_digits: int | None = None,
) -> dict[str, Any]:
    """The field's value; ``written``: as a create or update sends it (a required field must
    have a value then; a record read may still hold none, from before it was required).
    ``value``: the schema of a value instead of the field type's (a sub-table's rows)."""
    field_type = registry.get(field.type)
    if value is None:
        value = constrained(field_type.value_schema(field), field, field_type, exact_digits)
    if not written or not value:
        schema = nullable(value)
    elif field.required and isinstance(field_type, TextType) and not field.has("pattern"):
        schema = {**value, "pattern": one_line(field_type.limit(field), required=True)}
    elif field.required:
        schema = present(value)
    else:
        schema = {"anyOf": [value, {"type": "null"}, *blank(value)]}
    schema["title"] = field.label.get("en", field.name)
    schema["x-jimu-type"] = field.type
    if field.label:
        schema["x-jimu-label"] = dict(field.label)
    description = field.get("description")
    if isinstance(description, dict) and description.get("en"):
        schema["description"] = description["en"]
    if is_read_only(field, registry):
        schema["readOnly"] = True
    if field.has("default"):
        schema["default"] = field.get("default")
    if field.type in ("link", "subtable") and field.has("target"):
        schema["x-jimu-target"] = str(field.get("target"))
    return schema


def read_field_schema(app: AppModel, field: Field, registry: FieldTypeRegistry) -> dict[str, Any]:
    """A field as read: sub-table rows are described by the child entity's record schema."""
    schema = field_schema(field, registry)
    target = str(field.get("target", ""))
    if field.type == "subtable" and target in app.entities:
        child = {"$ref": f"#/components/schemas/{component_name(app.name, target)}"}
        schema["anyOf"] = [{"type": "array", "items": child}, {"type": "null"}]
    return schema


def is_read_only(field: Field, registry: FieldTypeRegistry) -> bool:
    return field.readonly or registry.get(field.type).computed


def writable_fields(entity: Entity, registry: FieldTypeRegistry) -> list[Field]:
    return [f for f in entity.fields if not is_read_only(f, registry)]


def record_schema(app: AppModel, entity: Entity, registry: FieldTypeRegistry) -> dict[str, Any]:
    properties = dict(SYSTEM_PROPERTIES)
    properties.update({f.name: read_field_schema(app, f, registry) for f in entity.fields})
    return {
        "title": f"{entity.label.get('en', entity.name)} ({app.name}.{entity.name})",
        "type": "object",
        "properties": properties,
        "required": ["id", "version"],
    }


def written_fields(
    app: AppModel, entity: Entity, registry: FieldTypeRegistry, creating: bool, digits: int | None
) -> dict[str, dict[str, Any]]:
    """The writable fields' schemas in a create (``creating``) or update body."""
    properties: dict[str, dict[str, Any]] = {}
    for f in writable_fields(entity, registry):
        rows = rows_schema(app, f, registry, creating, digits) if f.type == "subtable" else None
        properties[f.name] = field_schema(
            f, registry, written=True, value=rows, exact_digits=digits
        )
    return properties


def rows_schema(
    app: AppModel, field: Field, registry: FieldTypeRegistry, creating: bool, digits: int | None
) -> dict[str, Any] | None:
    """A sub-table's rows: each a create body of the child entity (its link to the parent is
    set by the write, so not required); in an update, also a change of a row given its id."""
    child = app.entities.get(str(field.get("target", "")))
    if child is None:
        return None
    link = str(field.get("link", ""))
    new_row = create_schema(app, child, registry, digits)
    new_row["required"] = [n for n in new_row.get("required", []) if n != link]
    if not new_row["required"]:
        del new_row["required"]
    if creating:
        return {"type": "array", "items": new_row}
    changed = update_schema(app, child, registry, digits)
    changed["properties"]["id"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    changed["required"] = ["id"]
    return {"type": "array", "items": {"anyOf": [new_row, changed]}}


def create_schema(
    app: AppModel, entity: Entity, registry: FieldTypeRegistry, digits: int | None = None
) -> dict[str, Any]:
    fields = writable_fields(entity, registry)
    properties = written_fields(app, entity, registry, True, digits)
    properties["owner_id"] = SYSTEM_PROPERTIES["owner_id"]
    required = [f.name for f in fields if f.required and not f.has("default")]
    schema: dict[str, Any] = {
        "title": f"New {entity.label.get('en', entity.name)}",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def update_schema(
    app: AppModel, entity: Entity, registry: FieldTypeRegistry, digits: int | None = None
) -> dict[str, Any]:
    properties = written_fields(app, entity, registry, False, digits)
    properties["owner_id"] = SYSTEM_PROPERTIES["owner_id"]
    properties["version"] = {
        "type": "integer",
        "minimum": 1,
        "description": "The version you read; a stale one is answered with 409 and the "
        "current record.",
    }
    return {
        "title": f"Changes to a {entity.label.get('en', entity.name)}",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def entity_components(
    app: AppModel, registry: FieldTypeRegistry, exact_digits: int | None = None
) -> dict[str, dict[str, Any]]:
    """Every entity's three schemas, keyed by component name. ``exact_digits``: the significant
    digits the database keeps exactly, if it bounds decimals (15 on SQLite)."""
    components: dict[str, dict[str, Any]] = {}
    for entity in app.entities.values():
        components[component_name(app.name, entity.name)] = record_schema(app, entity, registry)
        components[component_name(app.name, entity.name, "create")] = create_schema(
            app, entity, registry, exact_digits
        )
        components[component_name(app.name, entity.name, "update")] = update_schema(
            app, entity, registry, exact_digits
        )
    return components
