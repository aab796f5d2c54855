"""Grouping a record's field history into the changes the record page lists."""

from __future__ import annotations

from jimu.builder_ui.pages.records.fields import field_views
from jimu.builder_ui.pages.records.history import group_changes
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.model import Entity

ENTITY = Entity(
    {
        "kind": "entity",
        "name": "lead",
        "fields": [
            {"name": "name", "type": "text"},
            {"name": "company", "type": "text"},
            {"name": "score", "type": "number"},
        ],
    }
)


def entry(change: str, version: int, field: str, old: object, new: object) -> dict[str, object]:
    return {
        "change_id": change,
        "version": version,
        "field": field,
        "old_value": old,
        "new_value": new,
        "actor_id": 1,
        "source": "ui",
        "changed_at": "2026-11-23T08:00:00",
    }


def test_changes_are_grouped_by_write_newest_first() -> None:
    history = [
        entry("a", 1, "*", None, {"name": "Wang", "company": "", "score": 5, "gone": 1}),
        entry("b", 2, "company", None, "Acme"),
        entry("b", 2, "score", 5, 7),
        entry("c", 3, "deleted_at", None, "2026-11-23T09:00:00Z"),
        entry("d", 4, "deleted_at", "2026-11-23T09:00:00Z", None),
        entry("e", 5, "removed_field", 1, 2),
    ]
    changes = group_changes(history, field_views(ENTITY, Viewer(language="en")))
    assert [(c.version, c.kind) for c in changes] == [
        (5, "updated"),
        (4, "restored"),
        (3, "deleted"),
        (2, "updated"),
        (1, "created"),
    ]
    created = changes[-1]
    assert [(f.name, f.new) for f in created.fields] == [("name", "Wang"), ("score", 5)]
    updated = changes[-2]
    assert [(f.name, f.old, f.new) for f in updated.fields] == [
        ("company", None, "Acme"),
        ("score", 5, 7),
    ]
    assert changes[0].fields[0].field is None and changes[0].fields[0].name == "removed_field"
    assert changes[1].fields == [] and changes[2].fields == []
