"""``.../{id}``: the record page with its history, the owner assignments rules made ("why
this owner") and the Sharing panel; delete to and restore from the recycle bin.

``?form=<layout>`` shows the record with another internal layout; with more than one, the page
offers a switcher (see form_choice.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.auth.sign_in import safe_next
from jimu.builder_ui.pages.records.form_choice import FORM_PARAM, chosen_layout, internal_layouts
from jimu.builder_ui.pages.records.history import group_changes
from jimu.builder_ui.pages.records.pool_page import pool_notice, pool_panel
from jimu.builder_ui.pages.records.record_form import ui_context
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.related_lists import related_lists
from jimu.builder_ui.pages.records.rule_buttons import press_notice, shown_buttons
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.records.sharing import DONE_NOTICES as SHARE_NOTICES
from jimu.builder_ui.pages.records.sharing import ShareForm, sharing_panel
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import PermissionDenied
from jimu.platform.api.params import RecordId
from jimu.platform.assign.store import record_assignments
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.process.flows import manual_flows
from jimu.platform.state import Platform

router = APIRouter()


@router.get("/apps/{app}/{entity}/{record_id:int}", response_class=HTMLResponse)
def record_page(
    request: Request,
    app: str,
    entity: str,
    record_id: RecordId,
    viewer: SignedIn,
    platform: PlatformDep,
) -> HTMLResponse:
    return show_record(request, viewer, platform, app, entity, record_id)


def show_record(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    app: str,
    entity: str,
    record_id: int,
    *,
    share_form: ShareForm | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The record page (with the Sharing panel's form as posted, after a refused share)."""
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        record = scope.records.get(conn, scope.name, record_id, include_deleted=True)
        changes = group_changes(scope.records.history(conn, scope.name, record_id), scope.fields)
        assignments = record_assignments(conn, scope.app, scope.name, record_id)
        changed_values = [
            {c.name: getattr(c, side) for c in change.fields}
            for change in changes
            for side in ("old", "new")
        ]
        refs = collect_references(
            conn,
            scope.records,
            scope.model,
            scope.fields,
            [record, *changed_values],
            extra_user_ids=[
                *(c.actor_id for c in changes if isinstance(c.actor_id, int)),
                *(a["user_id"] for a in assignments),
            ],
        )
        layouts = internal_layouts(conn, scope.app, scope.name, viewer)
        chosen = chosen_layout(layouts, request.query_params.get(FORM_PARAM))
        layout = chosen.arrange(scope.fields, viewer)
        can = {
            action: bool(scope.records.permitted(conn, scope.name, action, [record_id]))
            for action in ("update", "delete")
        }
        deleted = bool(record.get("deleted_at"))
        related = [] if deleted else related_lists(conn, scope, record_id, can_link=can["update"])
        rule_buttons = (
            [] if deleted else shown_buttons(conn, scope, [record_id], "record").get(record_id, [])
        )
        flows = [] if deleted else manual_flows(conn, scope.app, scope.name)
        pressed = press_notice(conn, request, viewer, app)
        panel = pool_panel(conn, scope, users=can["update"]) if not deleted else None
        sharing = (
            sharing_panel(conn, scope, record_id, share_form)
            if can["update"] and not deleted
            else None
        )
    refs.files_url = f"{scope.record_url(record_id)}/files"
    title = scope.title(record)
    notice = pressed or pool_notice(request, viewer)
    if deleted:
        notice = Notice("warning", viewer.t("record.deleted_notice"))
    elif share_form is not None:
        notice = Notice("error", viewer.t("sharing.fix_errors"))
    elif request.query_params.get("shared") in SHARE_NOTICES:
        notice = Notice("success", viewer.t(SHARE_NOTICES[request.query_params["shared"]]))
    return render(
        request,
        viewer,
        "records/page.html",
        status=status,
        crumbs=scope.crumbs(Crumb(title)),
        nav=scope.nav(),
        notice=notice,
        scope=scope,
        record=record,
        title=title,
        layout=layout,
        layouts=layouts,
        chosen=chosen,
        changes=changes,
        refs=refs,
        deleted=deleted,
        can=can,
        sharing=sharing,
        related=related,
        rule_buttons=rule_buttons,
        flow_buttons=[
            {"name": f["name"], "text": viewer.label(f["label"], f["name"])} for f in flows
        ],
        assignments=assignments,
        # the history shows why beside the owner change an assignment made
        assigned_in={(a["version"], a["field"]): a for a in reversed(assignments)},
        panel=panel,
        owner=record.get(panel.owner_field) if panel is not None else None,
    )


@router.post("/apps/{app}/{entity}/{record_id:int}/delete")
def delete_record(
    app: str, entity: str, record_id: RecordId, viewer: SignedIn, platform: PlatformDep
) -> Response:
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.records.delete(conn, scope.name, record_id, ui_context(viewer))
    return RedirectResponse(f"{scope.url}?notice=deleted", status_code=303)


@router.post("/apps/{app}/{entity}/{record_id:int}/restore")
def restore_record(
    app: str,
    entity: str,
    record_id: RecordId,
    viewer: SignedIn,
    platform: PlatformDep,
    form: PostedForm,
) -> Response:
    """Restore the record, then show it (or go to the form's ``next`` page, e.g. the bin)."""
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.records.restore(conn, scope.name, record_id, ui_context(viewer))
    back = form.get("next")
    target = safe_next(back) if isinstance(back, str) and back else scope.record_url(record_id)
    return RedirectResponse(f"{target}?notice=restored", status_code=303)


@router.post("/apps/{app}/{entity}/{record_id:int}/purge")
def purge_record(
    app: str, entity: str, record_id: RecordId, viewer: SignedIn, platform: PlatformDep
) -> Response:
    """Delete a record in the recycle bin for good (administrators only)."""
    if not viewer.signed_in_user.is_admin:
        raise PermissionDenied("Only administrators may delete records for good.")
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.records.purge(conn, scope.name, record_id, ui_context(viewer))
    return RedirectResponse(f"{scope.url}/recycle-bin?notice=purged", status_code=303)
