"""``.../recycle-bin``: an entity's deleted records, newest first, each restorable."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.records.list_state import ListState, chosen_columns
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.rendering import Crumb, render
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter()
RECYCLE_COLUMNS = 4


@router.get("/apps/{app}/{entity}/recycle-bin", response_class=HTMLResponse)
def recycle_bin(
    request: Request, app: str, entity: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    state = ListState.from_params(request.query_params)
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        columns = chosen_columns(ListState(), scope.fields, scope.entity.title_field)
        columns = columns[:RECYCLE_COLUMNS]
        query = ListQuery(
            sort=["-deleted_at"],
            limit=state.limit,
            cursor=state.cursor or None,
            fields=[c.name for c in columns] + ["deleted_at", "updated_by"],
            count=True,
            deleted=True,
        )
        page = scope.records.list(conn, scope.name, query)
        refs = collect_references(conn, scope.records, scope.model, columns, page.items)
    title = viewer.t("recycle.title", entity=scope.label)
    return render(
        request,
        viewer,
        "records/recycle_bin.html",
        crumbs=scope.crumbs(Crumb(viewer.t("list.recycle_bin"))),
        nav=scope.nav(),
        scope=scope,
        title=title,
        state=state,
        columns=columns,
        items=page.items,
        total=page.total,
        next_cursor=page.next_cursor,
        refs=refs,
    )
