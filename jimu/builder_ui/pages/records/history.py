"""A record's field history grouped into changes (one per write), newest first.

The record service writes one history row per changed field, except for a create: one row
for the field ``*`` whose new value holds every initial value. A create is shown as the list
of the values it set; a change of ``deleted_at`` as moving to or back from the recycle bin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jimu.builder_ui.pages.records.fields import FieldView

CREATED_FIELD = "*"
DELETED_FIELD = "deleted_at"


@dataclass(frozen=True)
class FieldChange:
    field: FieldView | None
    name: str
    old: Any
    new: Any


@dataclass
class Change:
    change_id: str
    version: int | None
    actor_id: int | None
    source: str
    changed_at: Any
    kind: str = "updated"  # created / updated / deleted / restored
    fields: list[FieldChange] = field(default_factory=list)
    #: An owner change of the public pool or an assignment: its kind, reason and note.
    owner_change: Mapping[str, Any] | None = None


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _initial_values(values: Any, fields: Sequence[FieldView]) -> list[FieldChange]:
    if not isinstance(values, Mapping):
        return []
    return [
        FieldChange(f, f.name, None, values[f.name])
        for f in fields
        if f.name in values and not _is_empty(values[f.name])
    ]


def _add(change: Change, entry: Mapping[str, Any], fields: Sequence[FieldView]) -> None:
    name = str(entry.get("field") or "")
    owner_change = entry.get("owner_change")
    if isinstance(owner_change, Mapping):
        change.owner_change = owner_change
    old, new = entry.get("old_value"), entry.get("new_value")
    if name == CREATED_FIELD:
        change.kind = "created"
        change.fields.extend(_initial_values(new, fields))
    elif name == DELETED_FIELD:
        change.kind = "restored" if new is None else "deleted"
    else:
        by_name = {f.name: f for f in fields}
        change.fields.append(FieldChange(by_name.get(name), name, old, new))


def group_changes(
    entries: Iterable[Mapping[str, Any]], fields: Iterable[FieldView]
) -> list[Change]:
    """History rows (oldest first, one per changed field) as changes, newest first."""
    known = list(fields)
    changes: dict[str, Change] = {}
    for entry in entries:
        key = str(entry.get("change_id") or f"v{entry.get('version')}")
        change = changes.get(key)
        if change is None:
            change = changes[key] = Change(
                change_id=key,
                version=entry.get("version"),
                actor_id=entry.get("actor_id"),
                source=str(entry.get("source") or ""),
                changed_at=entry.get("changed_at"),
            )
        _add(change, entry, known)
    return list(reversed(changes.values()))
