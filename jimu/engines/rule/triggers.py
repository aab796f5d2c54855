"""Record triggers: which record events start a rule."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

#: The record events a rule can wait for; ``button`` is a user pressing the rule's button on
#: a record (its outbox event names the rule in ``changed_fields``).
TRIGGERS = ("created", "updated", "deleted", "restored", "button")
#: Where a button trigger's button shows: the record page, the list (for selected records).
BUTTON_PLACES = ("record", "list", "both")


@dataclass(frozen=True, slots=True)
class RecordEvent:
    """One record event as the outbox tells it: what happened to which record, what changed."""

    entity: str
    kind: str  # created / updated / deleted / restored / purged
    changed_fields: Collection[str] = ()


def trigger_matches(
    trigger: Mapping[str, Any], entity: str, event: RecordEvent, rule: str = ""
) -> bool:
    """Whether ``event`` starts the rule ``rule`` on ``entity`` with ``trigger``.

    ``{"on": "updated", "fields": ["status"]}`` waits for an update changing ``status``; without
    ``fields`` any update counts. Deletes and restores match ``deleted`` and ``restored``. A
    button press matches only the rule whose button was pressed.
    """
    if event.entity != entity or trigger.get("on") != event.kind:
        return False
    if event.kind == "button":
        return rule in event.changed_fields
    fields = trigger.get("fields")
    if event.kind != "updated" or not fields:
        return True
    return any(name in event.changed_fields for name in fields)
