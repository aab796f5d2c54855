"""A flow's checks against its app (publish time): the entity it runs on, the fields its
approver entries read, its service nodes' actions (the rule engine's checks, at the node's
pointer) and the flows its sub-process nodes start. The graph checks are the engine's
(``jimu.engines.process.document``); see docs/process.md."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.process.field_permissions import permission_problems
from jimu.errors import FieldError
from jimu.metadata.rules import rule_document_errors

#: The field types an approver entry of kind ``field`` may read.
PEOPLE_TYPES = ("user", "department")
#: The field types a deadline's ``until_field`` may read.
DATE_TYPES = ("date", "datetime")


def _entry_errors(entries: Any, at: str, fields: Mapping[str, str] | None) -> list[FieldError]:
    errors: list[FieldError] = []
    for j, entry in enumerate(entries or ()):
        if entry.get("kind") != "field":
            continue
        name = str(entry.get("field"))
        if fields is None:
            errors.append(
                FieldError(f"{at}/{j}/field", "the flow names no entity to read fields of")
            )
        elif fields.get(name) not in PEOPLE_TYPES:
            errors.append(
                FieldError(
                    f"{at}/{j}/field",
                    f"{name!r} is not a user or department field of the flow's entity",
                    "reference",
                )
            )
    return errors


def flow_app_errors(
    doc: Mapping[str, Any],
    app: AppModel,
    registry: FieldTypeRegistry,
    tables: Mapping[str, Mapping[str, Any]],
    flows: Collection[str],
) -> list[FieldError]:
    """Problems of a graph-valid flow against the app's other documents."""
    entity = doc.get("entity")
    fields: dict[str, str] | None = None
    fixed: set[str] = set()  # fields nobody writes: computed by their type, or read-only
    if entity is not None:
        if entity not in app.entities:
            return [FieldError("/entity", f"there is no entity {entity!r}", "reference")]
        fields = {f.name: f.type for f in app.entity(str(entity)).fields}
        for f in app.entity(str(entity)).fields:
            kind = registry.get(f.type) if f.type in registry else None
            if f.readonly or (kind is not None and kind.computed):
                fixed.add(f.name)
    errors: list[FieldError] = []
    for i, node in enumerate(doc["nodes"]):
        at = f"/nodes/{i}"
        for key in ("assignees", "recipients"):
            errors += _entry_errors(node.get(key), f"{at}/{key}", fields)
        errors += permission_problems(node, at, fields, fixed, entity)
        calendar = node.get("deadline", {}).get("calendar")
        if calendar is not None and calendar not in (app.spec.get("calendars") or {}):
            errors.append(
                FieldError(
                    f"{at}/deadline/calendar",
                    f"the app has no calendar {calendar!r} (app document, 'calendars')",
                    "reference",
                )
            )
        until = node.get("deadline", {}).get("until_field")
        if until is not None and (fields is None or fields.get(str(until)) not in DATE_TYPES):
            errors.append(
                FieldError(
                    f"{at}/deadline/until_field",
                    f"{until!r} is not a date or date-time field of the flow's entity",
                    "reference",
                )
            )
        if node["type"] == "subprocess" and node["flow"] not in flows:
            errors.append(
                FieldError(f"{at}/flow", f"there is no flow {node['flow']!r}", "reference")
            )
        if node["type"] == "service":
            if entity is None:
                errors.append(FieldError(f"{at}/actions", "service actions need the flow's entity"))
                continue
            rule = {
                "kind": "rule",
                "name": "flow",
                "entity": entity,
                "trigger": {"on": "created"},
                "actions": node["actions"],
            }
            errors += [
                FieldError(f"{at}{e.pointer}", e.message, e.code)
                for e in rule_document_errors(rule, app, registry, tables)
            ]
    return errors
