"""Which form layout a record page uses: the default one, or another the admin designed.

An entity's *internal* layouts are its published form documents without a ``public`` section
(public ones are anonymous links, never offered inside the app), plus the default layout, which
always exists (one section of every field when it has no document). The record pages take the
layout in ``?form=<name>``; a list view names one in its ``form`` property for its "New" button
and its record links. An unknown name is a 404.

A layout only arranges the form: the default one still shows the fields it does not place (so
none is ever hidden); another shows only what it places, and a form posted from it carries only
those fields, so the others keep their values. Field permissions and required fields are the
records service's, whatever the layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.records.layout import FormLayout, form_layout, placed_names
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.errors import NotFound
from jimu.platform.metadata_store.documents import DOCS, PUBLISHED

DEFAULT_FORM = "default"
#: The query parameter naming the layout (``/apps/crm/lead/new?form=quick``).
FORM_PARAM = "form"


@dataclass(frozen=True)
class LayoutChoice:
    """One internal layout of an entity: its name, label and published document (None for a
    default layout that has no document)."""

    name: str
    label: str
    document: Mapping[str, Any] | None = None

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_FORM

    def query(self, **more: str) -> str:
        """``?form=<name>`` (nothing for the default) with ``more`` parameters after it."""
        params = {} if self.is_default else {FORM_PARAM: self.name}
        params.update({k: v for k, v in more.items() if v})
        return f"?{urlencode(params)}" if params else ""

    def arrange(self, fields: Sequence[FieldView], viewer: Viewer) -> FormLayout:
        """The sections and tabs of the form (the default layout adds the unplaced fields)."""
        return form_layout(self.document, fields, viewer, show_unplaced=self.is_default)

    def shown(self, fields: Sequence[FieldView]) -> list[FieldView]:
        """The fields the form shows, so the only ones a form posted from it carries."""
        if self.is_default:
            return list(fields)
        placed = placed_names(self.document)
        return [f for f in fields if f.name in placed]


def internal_layouts(
    conn: sa.Connection, app: str, entity: str, viewer: Viewer
) -> list[LayoutChoice]:
    """The entity's published internal layouts: the default first, the others by label."""
    stmt = sa.select(DOCS.c.body).where(
        DOCS.c.app == app,
        DOCS.c.kind == "form",
        DOCS.c.status == PUBLISHED,
        DOCS.c.name.startswith(f"{entity}.", autoescape=True),
    )
    default = LayoutChoice(DEFAULT_FORM, viewer.t("form.layout_default"))
    others: list[LayoutChoice] = []
    for body in conn.execute(stmt).scalars():
        if body.get("entity") != entity or isinstance(body.get("public"), Mapping):
            continue
        name = str(body.get("name", DEFAULT_FORM))
        if name == DEFAULT_FORM:
            default = LayoutChoice(name, viewer.label(body.get("label"), default.label), body)
        else:
            others.append(LayoutChoice(name, viewer.label(body.get("label"), name), body))
    return [default, *sorted(others, key=lambda c: (c.label, c.name))]


def chosen_layout(layouts: Sequence[LayoutChoice], name: str | None) -> LayoutChoice:
    """The layout named (the default when ``name`` is empty); NotFound for any other name,
    a public form's included."""
    wanted = name or DEFAULT_FORM
    for layout in layouts:
        if layout.name == wanted:
            return layout
    raise NotFound(f"There is no form layout {wanted!r} to use here.")


def view_layout(layouts: Sequence[LayoutChoice], name: object) -> LayoutChoice:
    """The layout a list view names (the default when it names none, or one since deleted)."""
    found = [layout for layout in layouts if layout.name == name]
    return found[0] if found else layouts[0]


def view_form_query(
    conn: sa.Connection, app: str, entity: str, viewer: Viewer, name: object
) -> str:
    """``?form=<layout>`` for the record links of a view naming ``name`` ("" for the default)."""
    if not name or name == DEFAULT_FORM:
        return ""
    return view_layout(internal_layouts(conn, app, entity, viewer), name).query()
