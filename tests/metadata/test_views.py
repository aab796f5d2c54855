"""View documents: their schema, their checks against the entity, their place in a folder."""

from __future__ import annotations

from typing import Any

from jimu.metadata.paths import document_path
from jimu.metadata.validate import schema_errors, validate_app_documents
from jimu.platform.metadata_store.documents import document_name


def lead() -> dict[str, Any]:
    return {
        "kind": "entity",
        "name": "lead",
        "label": {"en": "Lead"},
        "fields": [
            {"name": "name", "type": "text", "required": True},
            {"name": "amount", "type": "number"},
            {"name": "due", "type": "date"},
            {
                "name": "status",
                "type": "select",
                "options": [{"value": "new"}, {"value": "won"}],
            },
        ],
    }


def view(**extra: Any) -> dict[str, Any]:
    return {"kind": "view", "entity": "lead", "name": "big", "type": "table", **extra}


def errors_of(doc: dict[str, Any]) -> dict[str, str]:
    return {
        e.pointer.removeprefix("views/lead.big.json#"): e.code
        for e in validate_app_documents([lead(), doc])
    }


def test_a_full_table_view_is_valid() -> None:
    doc = view(
        label={"en": "Big deals", "zh": "大单"},
        columns=[{"field": "name", "width": 200}, {"field": "owner_id"}, {"field": "created_at"}],
        filter={"and": [{">": [{"var": "amount"}, 1000]}, {"==": [{"var": "status"}, "new"]}]},
        sort=["-created_at", "name"],
        page_size=50,
    )
    assert validate_app_documents([lead(), doc]) == []


def test_schema_refuses_bad_types_widths_and_page_sizes() -> None:
    doc = view(type="gantt", columns=[{"field": "name", "width": 5}], page_size=30)
    pointers = {e.pointer for e in schema_errors(doc)}
    assert pointers == {"/type", "/columns/0/width", "/page_size"}


def test_unknown_and_repeated_columns_and_sort_fields_are_named() -> None:
    doc = view(columns=[{"field": "nope"}, {"field": "name"}, {"field": "name"}], sort=["-zzz"])
    assert errors_of(doc) == {
        "/columns/0/field": "reference",
        "/columns/2/field": "duplicate",
        "/sort/0": "reference",
    }


def test_the_filter_must_name_fields_of_the_entity() -> None:
    doc = view(filter={"==": [{"var": "ghost"}, 1]})
    assert [p for p in errors_of(doc)] and all(p.startswith("/filter") for p in errors_of(doc))


def test_kanban_needs_a_select_field_and_calendar_a_date() -> None:
    assert errors_of(view(type="kanban")) == {"/group_by": "required"}
    assert errors_of(view(type="kanban", group_by="amount")) == {"/group_by": "type"}
    assert errors_of(view(type="kanban", group_by="status")) == {}
    assert errors_of(view(type="calendar", date_field="name")) == {"/date_field": "type"}
    assert errors_of(view(type="calendar", date_field="due")) == {}
    assert errors_of(view(type="calendar", date_field="created_at")) == {}


def test_views_are_stored_and_filed_per_entity() -> None:
    assert document_name(view()) == "lead.big"
    assert document_path(view()) == "views/lead.big.json"


def test_an_unknown_entity_is_named() -> None:
    doc = {**view(), "entity": "ghost"}
    found = validate_app_documents([lead(), doc])
    assert [(e.pointer, e.code) for e in found] == [("views/ghost.big.json#/entity", "reference")]


def test_a_view_names_an_internal_form_layout_of_its_entity() -> None:
    quick = {"kind": "form", "entity": "lead", "name": "quick", "sections": [{"fields": ["name"]}]}
    public = {
        "kind": "form",
        "entity": "lead",
        "name": "web",
        "sections": [{"fields": ["name"]}],
        "public": {"slug": "web", "title": {"en": "Web"}},
    }

    def form_errors(name: str) -> dict[str, str]:
        found = validate_app_documents([lead(), quick, public, view(form=name)])
        return {e.pointer.removeprefix("views/lead.big.json#"): e.code for e in found}

    assert form_errors("quick") == {}
    assert form_errors("default") == {}  # the default layout always exists
    assert form_errors("ghost") == {"/form": "reference"}
    assert form_errors("web") == {"/form": "public"}
    assert errors_of({**view(form="quick")}) == {"/form": "reference"}  # no such layout here
    assert {e.pointer for e in schema_errors(view(form="Not a name"))} == {"/form"}
