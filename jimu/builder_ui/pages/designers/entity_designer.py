"""``/design/apps/{app}/entities/{entity}``: the entity designer.

A palette of every registered field type (plugin types included, each with the property
editors it declares), the entity's fields on a canvas to drag into place, a property panel for
the selected field, and the shared publish bar. Holders of the ``forms`` design right (and
administrators) open it; the metadata API checks every save and publish again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.layouts import entity_layouts
from jimu.builder_ui.pages.designers.rights import require_designer
from jimu.builder_ui.pages.designers.shell import designer_page, editable_document
from jimu.builder_ui.pages.shell.departments import department_choices
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.form.model import AppModel, Field
from jimu.engines.form.registry import default_registry
from jimu.engines.form.types.base import FieldContext
from jimu.engines.form.types.derived import aggregate_kind
from jimu.errors import NotFound
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep
from jimu.platform.metadata_store.documents import published_bodies

router = APIRouter()
PAGE = "/design/apps/{app}/entities/{entity}"


def palette() -> list[dict[str, Any]]:
    """Every registered field type with its labels and property editors (as the API serves)."""
    return [
        {
            "name": t.name,
            "label": dict(t.label),
            "widget": t.widget,
            "computed": t.computed,
            "editors": t.property_editors(),
        }
        for t in default_registry()
    ]


def entity_document(conn: sa.Connection, app: str, entity: str) -> dict[str, Any]:
    """The entity's newest version (draft, else published), or a new entity of that name."""

    def blank() -> dict[str, Any]:
        body = {"kind": "entity", "name": entity, "label": {"en": entity}, "fields": []}
        return body

    return editable_document(conn, app, "entity", entity, blank)


def entity_names(conn: sa.Connection, app: str, viewer: Viewer) -> list[dict[str, str]]:
    """The app's entities (for link targets)."""
    return [
        {"name": doc.name, "label": viewer.label(doc.body.get("label"), doc.name)}
        for doc in store.list_documents(conn, app, "entity")
    ]


def field_outline(field: Field, ctx: FieldContext) -> dict[str, Any]:
    """What the lookup and rollup pickers show of a field: name, type, labels, link target,
    and what aggregates see in it ("number", "text", ..., "reference" for a link, "any")."""
    outline: dict[str, Any] = {"name": field.name, "type": field.type, "label": dict(field.label)}
    if field.type in ("link", "subtable"):
        outline["target"] = str(field.get("target") or "")
        outline["many"] = bool(field.get("many", False))
    outline["stored"] = field.type in ctx.registry and ctx.registry.get(field.type).stores_column(
        field
    )
    outline["value_type"] = aggregate_kind(field, ctx)
    return outline


def entity_schemas(conn: sa.Connection, app: str) -> list[dict[str, Any]]:
    """Every entity of the app with its fields, as of its newest version (a draft included, so
    an entity created a minute ago can be linked, looked up and rolled up before it is
    published)."""
    bodies: list[Mapping[str, Any]] = [
        doc.body for doc in store.list_documents(conn, app, "entity")
    ]
    model = AppModel.from_documents(app, bodies)
    registry = default_registry()
    published = {
        str(b.get("name")) for b in published_bodies(conn, app) if b.get("kind") == "entity"
    }
    return [
        {
            "name": entity.name,
            "label": dict(entity.label),
            "published": entity.name in published,
            "fields": [
                field_outline(f, FieldContext(model, entity, registry)) for f in entity.fields
            ],
        }
        for entity in model.entities.values()
    ]


def role_names(conn: sa.Connection, app: str, viewer: Viewer) -> list[dict[str, str]]:
    """The app's roles (who may claim from a public pool)."""
    return [
        {"name": doc.name, "label": viewer.label(doc.body.get("label"), doc.name)}
        for doc in store.list_documents(conn, app, "role")
    ]


@router.get(PAGE, response_class=HTMLResponse)
def entity_designer(
    request: Request, app: str, entity: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, "entity")
        if not re.fullmatch(NAME_PATTERN, entity):
            raise NotFound(f"There is no entity {entity!r}.")
        data = {
            **entity_document(conn, app, entity),
            "app": app,
            "entity": entity,
            "field_types": palette(),
            "entities": entity_names(conn, app, viewer),
            "schemas": entity_schemas(conn, app),
            "roles": role_names(conn, app, viewer),
            "departments": [{"id": d.id, "path": d.path} for d in department_choices(conn)],
            "api": f"/api/apps/{app}",
            "forms": entity_layouts(conn, app, entity, viewer),
            "forms_url": f"/design/apps/{app}/entities/{entity}/forms",
        }
    title = viewer.t("designer.entity.title")
    label = viewer.label(data["document"].get("label"), entity)
    crumbs = [Crumb(app, f"/design/apps/{app}"), Crumb(label)]
    return designer_page(
        request, viewer, "entity", title=f"{label} · {title}", crumbs=crumbs, data=data
    )
