"""Per-node field permissions of fill and approval tasks (pure: no I/O).

A task node's ``field_permissions`` maps fields of the flow's entity to ``editable``,
``read_only`` (the default for fields not named), ``hidden`` or ``required`` (editable, and it
must have a value before the task is approved). The platform combines them with the
approver's own field rules (:func:`task_fields`): a field the approver's roles hide stays
hidden whatever the node says; the node may let the approver edit a field their roles leave
read-only, for the task only. See docs/process.md, "Field permissions".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from jimu.errors import FieldError

FIELD_PERMISSIONS = ("editable", "read_only", "hidden", "required")
DEFAULT_PERMISSION = "read_only"
#: Permissions that let the task's people change the field.
WRITABLE = ("editable", "required")
FIELD_NAME_PATTERN = "^[a-z][a-z0-9_]{0,62}$"

PERMISSIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": FIELD_NAME_PATTERN},
    "additionalProperties": {"enum": list(FIELD_PERMISSIONS)},
}


def node_permissions(node: Mapping[str, Any]) -> dict[str, str]:
    """The node's ``field_permissions`` (an empty map when it names none)."""
    given = node.get("field_permissions") or {}
    return {str(name): str(value) for name, value in dict(given).items()}


@dataclass(frozen=True)
class TaskFields:
    """What the people of one task may do with each field of its record."""

    #: Every field of the entity, in order, with its permission at this task.
    permissions: Mapping[str, str]

    def of(self, name: str) -> str:
        return self.permissions.get(name, "hidden")

    @property
    def hidden(self) -> frozenset[str]:
        return frozenset(n for n, p in self.permissions.items() if p == "hidden")

    @property
    def writable(self) -> frozenset[str]:
        return frozenset(n for n, p in self.permissions.items() if p in WRITABLE)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(n for n, p in self.permissions.items() if p == "required")

    def visible(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """``record`` without the fields hidden at this task (system keys stay)."""
        return {k: v for k, v in record.items() if self.permissions.get(k) != "hidden"}


def task_fields(
    node: Mapping[str, Any],
    fields: Collection[str],
    *,
    role_hidden: Collection[str] = (),
    computed: Collection[str] = (),
) -> TaskFields:
    """The permission of each of ``fields`` at ``node`` for one person: the node's (read-only
    when it names none), hidden when their roles hide it, and never writable for a computed
    field (the publish checks refuse that; a field that became computed since reads only)."""
    given = node_permissions(node)
    result: dict[str, str] = {}
    for name in fields:
        permission = given.get(name, DEFAULT_PERMISSION)
        if name in role_hidden:
            permission = "hidden"
        elif permission in WRITABLE and name in computed:
            permission = "read_only"
        result[name] = permission
    return TaskFields(result)


def _at(prefix: str, name: str) -> str:
    """The JSON pointer of field ``name`` under ``prefix`` (``~`` and ``/`` escaped)."""
    return f"{prefix}/{name.replace('~', '~0').replace('/', '~1')}"


def edit_errors(
    fields: TaskFields, changes: Mapping[str, Any], prefix: str = "/record"
) -> list[FieldError]:
    """Problems of the changes a person sends with a task: a field hidden from them (or not
    of the entity) is unknown — it is not named as hidden —, any other field not writable at
    this task is read-only."""
    errors: list[FieldError] = []
    for name in changes:
        permission = fields.of(name)
        if permission == "hidden":
            message = f"{name!r} is not a field of this task's record"
            errors.append(FieldError(_at(prefix, name), message, "unknown_field"))
        elif permission not in WRITABLE:
            errors.append(FieldError(_at(prefix, name), "is read-only at this step", "read_only"))
    return errors


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def missing_required(
    fields: TaskFields, record: Mapping[str, Any], prefix: str = "/record"
) -> list[FieldError]:
    """The required fields of the task that ``record`` (as it would be after the changes)
    leaves empty."""
    return [
        FieldError(_at(prefix, name), "is required at this step", "required")
        for name in fields.permissions
        if fields.permissions[name] == "required" and _empty(record.get(name))
    ]


def permission_problems(
    node: Mapping[str, Any],
    at: str,
    fields: Mapping[str, str] | None,
    computed: Collection[str],
    entity: str | None,
) -> list[FieldError]:
    """Publish-time problems of a node's ``field_permissions`` against the flow's entity
    (``fields`` maps its field names to their types; None: the flow names no entity)."""
    given = node_permissions(node)
    if not given:
        return []
    if fields is None:
        return [FieldError(f"{at}/field_permissions", "field permissions need the flow's entity")]
    errors: list[FieldError] = []
    for name, permission in given.items():
        pointer = f"{at}/field_permissions/{name}"
        if name not in fields:
            errors.append(
                FieldError(pointer, f"there is no field {name!r} on {entity}", "reference")
            )
        elif permission in WRITABLE and name in computed:
            errors.append(
                FieldError(
                    pointer,
                    f"{name!r} cannot be written (a {fields[name]} field the record computes or "
                    f"keeps read-only): it can be read-only or hidden, not {permission}",
                    "not_writable",
                )
            )
    return errors
