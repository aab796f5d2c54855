"""``/apps/{app}/{entity}/kanban/{view}``: the records of a published kanban view as cards in
one column per option of its select field.

The page is a Vue island (designers/kanban/) because it shares the designers' pieces: the drag
(vue-draggable-plus) and ``callApi`` (CSRF, problem+json). The server decides what is shown:
the view's filter under the reader's scope, only fields the reader may see, and which cards the
reader may move (update right on the record, the field not read-only for them). A drop sends
``PATCH /api/apps/{app}/entities/{entity}/records/{id}`` with the card's ``version``: the normal
write path validates, writes the history and refuses a stale card with 409 (docs/views.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.shell import designer_page
from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.records.form_choice import view_form_query
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import NotFound
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter()
#: At most this many cards are shown (newest first unless the view sorts otherwise).
MAX_CARDS = 500
#: At most this many of the view's columns are shown on a card, besides its title.
CARD_FIELDS = 3


def kanban_view(conn: sa.Connection, app: str, entity: str, view: str) -> Mapping[str, Any]:
    found = store.published(conn, app, "view", f"{entity}.{view}")
    if found is None or found.body.get("type") != "kanban":
        raise NotFound(f"There is no kanban view {view!r} of {entity!r}.")
    return found.body


def cell_text(f: FieldView, value: Any) -> str:
    """A value as a card shows it: an option's label, else its text."""
    if value is None or value == "":
        return ""
    for option in f.options:
        if option.value == str(value):
            return option.label
    return str(value)


def board_columns(group: FieldView, viewer: Viewer) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = [
        {"value": o.value, "label": o.label, "color": o.color} for o in group.options
    ]
    return [*columns, {"value": None, "label": viewer.t("kanban.no_value"), "color": ""}]


@router.get("/apps/{app}/{entity}/kanban/{view}", response_class=HTMLResponse)
def kanban_page(
    request: Request, app: str, entity: str, view: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("read")
        body = kanban_view(conn, app, scope.name, view)
        group = scope.field(str(body.get("group_by")))
        if group is None:  # hidden from this reader
            raise NotFound(f"There is no kanban view {view!r} of {entity!r}.")
        title_field = scope.entity.title_field
        shown = [
            f
            for name in (str(c.get("field")) for c in body.get("columns", []))
            if name not in (group.name, title_field) and (f := scope.field(name)) is not None
        ][:CARD_FIELDS]
        query = ListQuery(
            filter=body.get("filter"),
            sort=list(body.get("sort", [])) or ["-id"],
            limit=MAX_CARDS,
            fields=[n for n in (title_field, group.name) if n] + [f.name for f in shown],
        )
        items = scope.records.list(conn, scope.name, query).items
        ids = [int(str(i["id"])) for i in items]
        movable = scope.records.permitted(conn, scope.name, "update", ids)
        form_query = view_form_query(conn, app, scope.name, viewer, body.get("form"))
    cards = [
        {
            "id": item["id"],
            "version": item.get("version"),
            "title": scope.title(item),
            "url": scope.record_url(item["id"]) + form_query,
            "group": None if item.get(group.name) in (None, "") else str(item[group.name]),
            "movable": item["id"] in movable and not group.readonly,
            "fields": [
                {"label": f.label, "text": cell_text(f, item.get(f.name))}
                for f in shown
                if item.get(f.name) not in (None, "")
            ],
        }
        for item in items
    ]
    data = {
        "app": app,
        "entity": scope.name,
        "field": group.name,
        "required": group.required,
        "columns": board_columns(group, viewer),
        "cards": cards,
        "records_url": f"/api/apps/{app}/entities/{scope.name}/records",
        "truncated": len(items) >= MAX_CARDS,
    }
    label = viewer.label(body.get("label"), view)
    crumbs = [scope.list_crumbs()[0], Crumb(scope.label, scope.url), Crumb(label)]
    return designer_page(
        request, viewer, "kanban", title=f"{label} · {scope.label}", crumbs=crumbs, data=data
    )
