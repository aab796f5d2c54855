"""``/apps/{app}/{entity}``: the record list with search, filters, sort, columns and pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.records.fields import BULKY_WIDGETS
from jimu.builder_ui.pages.records.form_errors import localized_message
from jimu.builder_ui.pages.records.list_state import (
    ALL_OPS,
    PAGE_SIZES,
    ListState,
    chosen_columns,
    conditions_logic,
    operators,
    sortable,
)
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.rendering import Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter()


def filter_problems(error: ValidationFailed, viewer: Viewer) -> list[FieldError]:
    """The list query's problems in the viewer's language (the service's, such as a bad sort
    or page cursor, are worded by :func:`localized_message`)."""
    found = error.errors or [FieldError("", error.message)]
    return [FieldError(e.pointer, localized_message(e, viewer), e.code) for e in found]


@router.get("/apps/{app}/{entity}", response_class=HTMLResponse)
def record_list(
    request: Request, app: str, entity: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    state = ListState.from_params(request.query_params)
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("read")  # refused in the viewer's words, the entity's label in their language
        columns = chosen_columns(state, scope.fields, scope.entity.title_field)
        problems: list[FieldError] = []
        items: list[dict[str, object]] = []
        next_cursor: str | None = None
        total: int | None = None
        try:
            query = ListQuery(
                filter=conditions_logic(state, scope.fields, viewer.t),
                sort=[state.sort] if state.sort else ["-id"],
                limit=state.limit,
                cursor=state.cursor or None,
                fields=[c.name for c in columns],
                count=True,
            )
            page = scope.records.list(conn, scope.name, query)
            items, next_cursor, total = page.items, page.next_cursor, page.total
        except ValidationFailed as error:
            problems = filter_problems(error, viewer)
        refs = collect_references(conn, scope.records, scope.model, columns, items)
        editable = scope.records.permitted(
            conn, scope.name, "update", [int(str(i["id"])) for i in items]
        )
    filterable = [f for f in scope.fields if operators(f)]
    notice = None
    if problems:
        notice = Notice("error", " ".join(p.message for p in problems))
    return render(
        request,
        viewer,
        "records/list.html",
        status=400 if problems else 200,
        crumbs=scope.list_crumbs(),
        nav=scope.nav(),
        notice=notice,
        scope=scope,
        state=state,
        columns=columns,
        items=items,
        editable=editable,
        refs=refs,
        next_cursor=next_cursor,
        total=total,
        filterable=filterable,
        operators={f.name: operators(f) for f in filterable},
        all_ops=ALL_OPS,
        choosable=[f for f in scope.fields if f.widget not in BULKY_WIDGETS - {"textarea"}],
        sortable={f.name for f in scope.fields if sortable(f)},
        page_sizes=PAGE_SIZES,
    )
