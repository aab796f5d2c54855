"""App documents: colour and a structured menu (groups, dashboards, links), plain names still
valid; references checked against the app's entities and dashboards."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.metadata.app_menu import menu_entities, menu_errors
from jimu.metadata.validate import schema_errors

GROUP = {
    "type": "group",
    "label": {"en": "Sales", "zh": "销售"},
    "items": [
        "lead",
        {"type": "entity", "entity": "account", "label": {"en": "Customers"}},
        {"type": "dashboard", "dashboard": "roi"},
        {"type": "link", "label": {"en": "Help"}, "url": "https://example.org/help"},
    ],
}


def app(**extra: Any) -> dict[str, Any]:
    return {"kind": "app", "name": "crm", "label": {"en": "CRM"}, **extra}


def pointers(doc: dict[str, Any]) -> list[str]:
    return [e.pointer for e in schema_errors(doc)]


def test_plain_names_groups_dashboards_links_and_a_colour_are_valid() -> None:
    doc = app(menu=["contact", GROUP, {"type": "link", "label": {"en": "Home"}, "url": "/apps"}])
    assert pointers({**doc, "color": "#1a2B3c", "icon": "briefcase"}) == []


@pytest.mark.parametrize(
    ("extra", "pointer"),
    [
        ({"color": "red"}, "/color"),
        ({"color": "#12345"}, "/color"),
        (
            {"menu": [{"type": "link", "label": {"en": "x"}, "url": "javascript:alert(1)"}]},
            "/menu/0",
        ),
        ({"menu": [{"type": "link", "label": {"en": "x"}, "url": "data:text/html,hi"}]}, "/menu/0"),
        ({"menu": [{"type": "link", "url": "https://example.org"}]}, "/menu/0"),
        ({"menu": [{"type": "group", "label": {"en": "g"}, "items": [GROUP]}]}, "/menu/0"),
        ({"menu": [{"type": "entity"}]}, "/menu/0"),
        ({"menu": ["Not A Name"]}, "/menu/0"),
        ({"menu": [{"type": "folder", "label": {"en": "x"}}]}, "/menu/0"),
    ],
)
def test_bad_menus_and_colours_are_refused_at_their_pointer(
    extra: dict[str, Any], pointer: str
) -> None:
    assert pointer in pointers(app(**extra))


def test_menu_entities_lists_names_in_menu_order_through_groups() -> None:
    assert menu_entities(["contact", GROUP, {"type": "entity", "entity": "deal"}]) == [
        "contact",
        "lead",
        "account",
        "deal",
    ]
    assert menu_entities(None) == []


def test_references_to_missing_entities_and_dashboards_are_errors_at_their_pointer() -> None:
    doc = app(menu=["ghost", GROUP])
    errors = menu_errors(doc, {"lead"}, {"other"})
    assert [(e.pointer, e.code) for e in errors] == [
        ("/menu/0", "reference"),
        ("/menu/1/items/1/entity", "reference"),
        ("/menu/1/items/2/dashboard", "reference"),
    ]
    # Without the app's dashboards (a single document), dashboards are not checked.
    assert [e.pointer for e in menu_errors(doc, {"lead", "account", "ghost"})] == []


def test_a_home_dashboard_must_exist() -> None:
    doc = app(home={"dashboard": "overview"})
    assert pointers(doc) == []
    assert pointers(app(home={"dashboard": "Bad Name"})) == ["/home/dashboard"]
    assert pointers(app(home={})) != []
    assert menu_errors(doc, {"lead"}, {"overview"}) == []
    errors = menu_errors(doc, {"lead"}, {"other"})
    assert [(e.pointer, e.code) for e in errors] == [("/home/dashboard", "reference")]
