"""The form layouts of an entity, as the entity and form designers list them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.platform import metadata_store as store

#: The layout the record pages use (``forms/<entity>.json``).
DEFAULT_FORM = "default"


def entity_layouts(
    conn: sa.Connection, app: str, entity: str, viewer: Viewer
) -> list[dict[str, Any]]:
    """The entity's form layouts (the default first), for the designers' Forms lists."""
    found: list[dict[str, Any]] = []
    for doc in store.list_documents(conn, app, "form"):
        if doc.body.get("entity") != entity:
            continue
        name = str(doc.body.get("name", DEFAULT_FORM))
        public = doc.body.get("public")
        found.append(
            {
                "name": name,
                "label": viewer.label(doc.body.get("label"), name),
                "public": isinstance(public, Mapping),
                "status": doc.status,
                "document": doc.body,
            }
        )
    if not any(f["name"] == DEFAULT_FORM for f in found):
        found.append(
            {
                "name": DEFAULT_FORM,
                "label": DEFAULT_FORM,
                "public": False,
                "status": "new",
                "document": None,
            }
        )
    return sorted(found, key=lambda f: (f["name"] != DEFAULT_FORM, f["name"]))
