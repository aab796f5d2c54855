"""Form documents: tabs in the schema, and the publish checks of where fields are placed."""

from __future__ import annotations

from typing import Any

from jimu.metadata.validate import validate_app_documents


def lead() -> dict[str, Any]:
    return {
        "kind": "entity",
        "name": "lead",
        "label": {"en": "Lead"},
        "fields": [
            {"name": "name", "type": "text"},
            {"name": "phone", "type": "text"},
            {"name": "notes", "type": "textarea"},
        ],
    }


def form(*sections: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "form", "entity": "lead", "name": "default", "sections": list(sections)}


def pointers(*docs: dict[str, Any]) -> dict[str, str]:
    return {e.pointer: e.message for e in validate_app_documents(docs)}


def test_sections_may_carry_a_tab_label() -> None:
    tabbed = form(
        {"fields": ["name"]},
        {
            "title": {"en": "Call"},
            "columns": 3,
            "tab": {"en": "More", "zh": "更多"},
            "fields": ["phone", "notes"],
        },
    )
    assert pointers(lead(), tabbed) == {}


def test_a_tab_is_a_label_not_a_text_and_columns_stay_within_four() -> None:
    bad = form({"tab": "More", "fields": ["name"]}, {"columns": 5, "fields": ["phone"]})
    found = pointers(lead(), bad)
    assert set(found) == {"forms/lead.json#/sections/0/tab", "forms/lead.json#/sections/1/columns"}


def test_a_field_placed_twice_is_refused_at_its_second_place() -> None:
    twice = form(
        {"fields": ["name", "phone"]}, {"tab": {"en": "More"}, "fields": ["notes", "name"]}
    )
    found = pointers(lead(), twice)
    assert set(found) == {"forms/lead.json#/sections/1/fields/1"}
    assert "'name'" in found["forms/lead.json#/sections/1/fields/1"]
    assert "/sections/0/fields/0" in found["forms/lead.json#/sections/1/fields/1"]


def test_an_unknown_field_is_refused_at_its_pointer_and_the_others_still_checked() -> None:
    found = pointers(lead(), form({"fields": ["name", "ghost"]}, {"fields": ["name"]}))
    assert set(found) == {
        "forms/lead.json#/sections/0/fields/1",
        "forms/lead.json#/sections/1/fields/0",
    }
    assert "ghost" in found["forms/lead.json#/sections/0/fields/1"]
