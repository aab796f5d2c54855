"""``.../new`` and ``.../{id}/edit``: the record form, with every error shown at its input.

Both take ``?form=<layout>`` (see form_choice.py): the form is drawn with that layout, posts
back to the same URL and reads only the fields the layout shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.records.attachments import attachment_values, saver
from jimu.builder_ui.pages.records.form_choice import (
    FORM_PARAM,
    LayoutChoice,
    chosen_layout,
    internal_layouts,
)
from jimu.builder_ui.pages.records.form_errors import FormErrors, place_errors
from jimu.builder_ui.pages.records.form_input import record_values
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import Conflict, ValidationFailed
from jimu.platform.api.params import RecordId
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import WriteContext

router = APIRouter()
Record = dict[str, Any]


def ui_context(viewer: Viewer) -> WriteContext:
    return WriteContext(actor_id=viewer.signed_in_user.id, source="ui")


def default_values(scope: EntityScope, params: Mapping[str, str] | None = None) -> Record:
    """A new record's values: the fields' defaults, and the link fields named in ``params``
    (``?account=7``: "new related record" from a record page's related list)."""
    values: Record = {f.name: f.spec["default"] for f in scope.fields if "default" in f.spec}
    for f in scope.fields:
        given = (params or {}).get(f.name, "")
        if f.widget == "link" and not f.many and not f.readonly and given.isdigit():
            values[f.name] = int(given)
    return values


def layout_of(request: Request, scope: EntityScope, conn: Any) -> LayoutChoice:
    """The layout ``?form=`` names (the default without one); NotFound for an unknown one."""
    layouts = internal_layouts(conn, scope.app, scope.name, scope.viewer)
    return chosen_layout(layouts, request.query_params.get(FORM_PARAM))


def render_form(
    request: Request,
    scope: EntityScope,
    conn: Any,
    values: Record,
    *,
    layout: LayoutChoice,
    record_id: int | None = None,
    version: int | None = None,
    errors: FormErrors | None = None,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    viewer = scope.viewer
    refs = collect_references(
        conn,
        scope.records,
        scope.model,
        scope.fields,
        [values],
        with_user_choices=True,
    )
    if record_id is not None:
        refs.files_url = f"{scope.record_url(record_id)}/files"
    if record_id is None:
        title = viewer.t("form.new_title", entity=scope.label)
        crumbs = scope.crumbs(Crumb(title))
        action = f"{scope.url}/new{layout.query()}"
    else:
        title = viewer.t("form.edit_title", title=scope.title(values, record_id))
        crumbs = scope.crumbs(
            Crumb(scope.title(values, record_id), scope.record_url(record_id)),
            Crumb(viewer.t("record.edit")),
        )
        action = f"{scope.record_url(record_id)}/edit{layout.query()}"
    errors = errors or FormErrors()
    if errors and notice is None:
        notice = Notice("error", viewer.t("form.errors"))
    return render(
        request,
        viewer,
        "records/form.html",
        status=status,
        crumbs=crumbs,
        nav=scope.nav(),
        notice=notice,
        scope=scope,
        title=title,
        action=action,
        cancel_url=(
            scope.record_url(record_id) + layout.query() if record_id is not None else scope.url
        ),
        layout=layout.arrange(scope.fields, viewer),
        values=values,
        version=version,
        errors=errors,
        refs=refs,
        uses_richtext=any(
            f.widget == "richtext" for top in scope.fields for f in (top, *top.columns)
        ),
    )


def posted_version(form: PostedForm) -> int | None:
    text = form.get("version")
    return int(text) if isinstance(text, str) and text.isdigit() else None


@router.get("/apps/{app}/{entity}/new", response_class=HTMLResponse)
def new_record(
    request: Request, app: str, entity: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("create")
        layout = layout_of(request, scope, conn)
        values = default_values(scope, request.query_params)
        return render_form(request, scope, conn, values, layout=layout)


@router.post("/apps/{app}/{entity}/new")
def create_record(
    request: Request,
    app: str,
    entity: str,
    viewer: SignedIn,
    platform: PlatformDep,
    form: PostedForm,
) -> Response:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("create")
        layout = layout_of(request, scope, conn)
    shown = layout.shown(scope.fields)
    values = record_values(form, shown, viewer.time_zone)
    try:
        values.update(attachment_values(form, shown, saver(scope)))
        with begin_write(platform.engine) as conn:
            created = scope.records.create(conn, scope.name, values, ui_context(viewer))
    except (ValidationFailed, Conflict) as error:
        with platform.engine.connect() as conn:
            errors = place_errors(error.errors, shown, error.message, viewer)
            return render_form(
                request, scope, conn, values, layout=layout, errors=errors, status=error.status
            )
    target = scope.record_url(created["id"]) + layout.query(notice="created")
    return RedirectResponse(target, status_code=303)


@router.get("/apps/{app}/{entity}/{record_id:int}/edit", response_class=HTMLResponse)
def edit_record(
    request: Request,
    app: str,
    entity: str,
    record_id: RecordId,
    viewer: SignedIn,
    platform: PlatformDep,
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.records.require_rows(conn, scope.name, [record_id], "update")
        layout = layout_of(request, scope, conn)
        record = scope.records.get(conn, scope.name, record_id)
        return render_form(
            request,
            scope,
            conn,
            record,
            layout=layout,
            record_id=record_id,
            version=record["version"],
        )


def refused_update(
    request: Request,
    scope: EntityScope,
    record_id: int,
    values: Record,
    version: int | None,
    error: ValidationFailed | Conflict,
    layout: LayoutChoice,
) -> HTMLResponse:
    """The edit form again: with the errors, or after a lost race with the winner's values."""
    with scope.platform.engine.connect() as conn:
        current = error.extra.get("current")
        if isinstance(error, Conflict) and isinstance(current, dict):
            notice = Notice("warning", scope.viewer.t("form.conflict"))
            return render_form(
                request,
                scope,
                conn,
                current,
                layout=layout,
                record_id=record_id,
                version=current.get("version"),
                notice=notice,
                status=error.status,
            )
        stored = scope.records.get(conn, scope.name, record_id)
        return render_form(
            request,
            scope,
            conn,
            {**stored, **values},
            layout=layout,
            record_id=record_id,
            version=version,
            errors=place_errors(
                error.errors, layout.shown(scope.fields), error.message, scope.viewer
            ),
            status=error.status,
        )


@router.post("/apps/{app}/{entity}/{record_id:int}/edit")
def update_record(
    request: Request,
    app: str,
    entity: str,
    record_id: RecordId,
    viewer: SignedIn,
    platform: PlatformDep,
    form: PostedForm,
) -> Response:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.records.require_rows(conn, scope.name, [record_id], "update")
        layout = layout_of(request, scope, conn)
    shown = layout.shown(scope.fields)
    values = record_values(form, shown, viewer.time_zone)
    version = posted_version(form)
    try:
        values.update(attachment_values(form, shown, saver(scope)))
        with begin_write(platform.engine) as conn:
            scope.records.update(
                conn, scope.name, record_id, values, ui_context(viewer), expected_version=version
            )
    except (ValidationFailed, Conflict) as error:
        return refused_update(request, scope, record_id, values, version, error, layout)
    target = scope.record_url(record_id) + layout.query(notice="saved")
    return RedirectResponse(target, status_code=303)
