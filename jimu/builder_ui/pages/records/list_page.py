"""``/apps/{app}/{entity}``: the record list with search, filters, sort, columns and pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.records.fields import BULKY_WIDGETS
from jimu.builder_ui.pages.records.form_choice import view_form_query
from jimu.builder_ui.pages.records.form_errors import localized_message
from jimu.builder_ui.pages.records.list_state import (
    ALL_OPS,
    PAGE_SIZES,
    ListState,
    chosen_columns,
    conditions_logic,
    operators,
    sortable,
    url_filter,
)
from jimu.builder_ui.pages.records.list_view import ListView, chosen_view, published_views
from jimu.builder_ui.pages.records.pool_page import pool_notice, pool_panel
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.rule_buttons import list_buttons, press_notice, shown_buttons
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.records.system_fields import with_system_fields
from jimu.builder_ui.pages.shell.rendering import Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.expr.describe import describe
from jimu.errors import FieldError, ValidationFailed
from jimu.platform import saved_views
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter()
MY_VIEW_PROBLEMS = frozenset({"bad_name", "too_many"})


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
        views = published_views(conn, app, scope.name, viewer)
        view = chosen_view(views, state.view)
        if view is not None:
            state = view.applied_to(state, request.query_params)
        fields = with_system_fields(scope.fields, viewer)
        # The default columns are the entity's own; system fields are shown when chosen.
        columns = chosen_columns(
            state, fields if state.columns else scope.fields, scope.entity.title_field
        )
        panel = pool_panel(conn, scope)
        wanted = [c.name for c in columns]
        if panel is not None and panel.owner_field not in wanted:
            wanted.append(panel.owner_field)
        problems: list[FieldError] = []
        items: list[dict[str, object]] = []
        next_cursor: str | None = None
        total: int | None = None
        try:
            query = ListQuery(
                filter=_filter(view, conditions_logic(state, fields, viewer.t)),
                sort=[state.sort] if state.sort else ["-id"],
                limit=state.limit,
                cursor=state.cursor or None,
                fields=wanted,
                count=True,
            )
            page = scope.records.list(conn, scope.name, query)
            items, next_cursor, total = page.items, page.next_cursor, page.total
        except ValidationFailed as error:
            problems = filter_problems(error, viewer)
        refs = collect_references(conn, scope.records, scope.model, columns, items)
        mine = saved_views.list_saved(conn, viewer.signed_in_user.id, app, scope.name)
        editable = scope.records.permitted(
            conn, scope.name, "update", [int(str(i["id"])) for i in items]
        )
        pressable = shown_buttons(conn, scope, sorted(editable), "list")
        pressed = press_notice(conn, request, viewer, app)
        form = view.form if view is not None else ""
        form_query = view_form_query(conn, app, scope.name, viewer, form)
    filterable = [f for f in fields if operators(f)]
    notice = pressed or pool_notice(request, viewer)
    if problems:
        notice = Notice("error", " ".join(p.message for p in problems))
    elif request.query_params.get("my_view_problem") in MY_VIEW_PROBLEMS:
        key = request.query_params["my_view_problem"]
        notice = Notice("error", viewer.t(f"my_views.{key}", limit=saved_views.MAX_PER_LIST))
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
        choosable=[f for f in fields if f.widget not in BULKY_WIDGETS - {"textarea"}],
        sortable={f.name for f in fields if sortable(f)},
        page_sizes=PAGE_SIZES,
        views=views,
        view=view,
        my_views=[(m, f"{scope.url}?{urlencode(m.params)}") for m in mine],
        current_params=urlencode([(k, v) for k, v in state.params() if k != "cursor"]),
        widths=view.widths if view is not None else {},
        pressable={i: bool(b) for i, b in pressable.items()},
        rule_buttons=list_buttons(pressable),
        panel=panel,
        filter_words=_filter_words(state, fields, viewer),
        form_query=form_query,
    )


def _filter_words(state: ListState, fields: list[Any], viewer: Viewer) -> str:
    """The ``?filter=`` condition in the viewer's words (its chip), or "" without one."""
    if not state.filter:
        return ""
    try:
        logic = url_filter(state.filter)
    except ValidationFailed:
        return state.filter
    labels = {f.name: f.label for f in fields}
    options = {f.name: {o.value: o.label for o in f.options} for f in fields if f.options}
    return describe(logic, viewer.language, labels, options)


def _filter(view: ListView | None, logic: dict[str, Any] | None) -> Any:
    return logic if view is None else view.with_filter(logic)
