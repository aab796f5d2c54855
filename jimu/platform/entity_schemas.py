"""JSON Schemas of the records of a published entity, from its fields' types.

Three shapes per entity: the record as read (every field and the system keys), the body of a
create (writable fields, required ones marked) and the body of a partial update (writable
fields, all optional, plus ``version`` for optimistic locking).
"""

from __future__ import annotations

from typing import Any

from jimu.engines.form.model import AppModel, Entity, Field
from jimu.engines.form.registry import FieldTypeRegistry

DATETIME: dict[str, Any] = {"type": "string", "format": "date-time"}
SYSTEM_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": {"type": "integer", "readOnly": True},
    "version": {"type": "integer", "minimum": 1, "readOnly": True},
    "created_at": {**DATETIME, "readOnly": True},
    "created_by": {"type": ["integer", "null"], "readOnly": True},
    "updated_at": {**DATETIME, "readOnly": True},
    "updated_by": {"type": ["integer", "null"], "readOnly": True},
    "owner_id": {"type": ["integer", "null"]},
    "deleted_at": {"type": ["string", "null"], "format": "date-time", "readOnly": True},
}


def component_name(app: str, entity: str, shape: str = "") -> str:
    """OpenAPI component names: ``marketing.lead``, ``marketing.lead.create``, ..."""
    return f"{app}.{entity}" + (f".{shape}" if shape else "")


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:
        return {}
    return {"anyOf": [schema, {"type": "null"}]}


def field_schema(field: Field, registry: FieldTypeRegistry) -> dict[str, Any]:
    field_type = registry.get(field.type)
    schema = nullable(field_type.value_schema(field))
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


def create_schema(app: AppModel, entity: Entity, registry: FieldTypeRegistry) -> dict[str, Any]:
    fields = writable_fields(entity, registry)
    properties = {f.name: field_schema(f, registry) for f in fields}
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


def update_schema(app: AppModel, entity: Entity, registry: FieldTypeRegistry) -> dict[str, Any]:
    properties = {f.name: field_schema(f, registry) for f in writable_fields(entity, registry)}
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


def entity_components(app: AppModel, registry: FieldTypeRegistry) -> dict[str, dict[str, Any]]:
    """Every entity's three schemas, keyed by component name."""
    components: dict[str, dict[str, Any]] = {}
    for entity in app.entities.values():
        components[component_name(app.name, entity.name)] = record_schema(app, entity, registry)
        components[component_name(app.name, entity.name, "create")] = create_schema(
            app, entity, registry
        )
        components[component_name(app.name, entity.name, "update")] = update_schema(
            app, entity, registry
        )
    return components
