"""``.../{id}``: the record page with its history (and Sharing panel); delete to and restore
from the recycle bin."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.auth.sign_in import safe_next
from jimu.builder_ui.pages.records.history import group_changes
from jimu.builder_ui.pages.records.layout import form_sections
from jimu.builder_ui.pages.records.record_form import ui_context
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.records.sharing import DONE_NOTICES as SHARE_NOTICES
from jimu.builder_ui.pages.records.sharing import ShareForm, sharing_panel
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import PermissionDenied
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.state import Platform

router = APIRouter()


@router.get("/apps/{app}/{entity}/{record_id:int}", response_class=HTMLResponse)
def record_page(
    request: Request,
    app: str,
    entity: str,
    record_id: int,
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
            extra_user_ids=[c.actor_id for c in changes if isinstance(c.actor_id, int)],
        )
        sections = form_sections(scope.form_document(conn), scope.fields, viewer)
        can = {
            action: bool(scope.records.permitted(conn, scope.name, action, [record_id]))
            for action in ("update", "delete")
        }
        deleted = bool(record.get("deleted_at"))
        sharing = (
            sharing_panel(conn, scope, record_id, share_form)
            if can["update"] and not deleted
            else None
        )
    refs.files_url = f"{scope.record_url(record_id)}/files"
    title = scope.title(record)
    notice = None
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
        sections=sections,
        changes=changes,
        refs=refs,
        deleted=deleted,
        can=can,
        sharing=sharing,
    )


@router.post("/apps/{app}/{entity}/{record_id:int}/delete")
def delete_record(
    app: str, entity: str, record_id: int, viewer: SignedIn, platform: PlatformDep
) -> Response:
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.records.delete(conn, scope.name, record_id, ui_context(viewer))
    return RedirectResponse(f"{scope.url}?notice=deleted", status_code=303)


@router.post("/apps/{app}/{entity}/{record_id:int}/restore")
def restore_record(
    app: str,
    entity: str,
    record_id: int,
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
    app: str, entity: str, record_id: int, viewer: SignedIn, platform: PlatformDep
) -> Response:
    """Delete a record in the recycle bin for good (administrators only)."""
    if not viewer.signed_in_user.is_admin:
        raise PermissionDenied("Only administrators may delete records for good.")
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.records.purge(conn, scope.name, record_id, ui_context(viewer))
    return RedirectResponse(f"{scope.url}/recycle-bin?notice=purged", status_code=303)
