"""``/admin/org``: the department tree with its members (leaders marked), and the import of
DingTalk/WeCom-shaped CSV files: a dry run that reports every bad row, then apply."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import PermissionDenied
from jimu.platform.dependencies import PlatformDep
from jimu.platform.org.columns import SourceTable, UnreadableCsv, decode_csv, read_csv
from jimu.platform.org.members import department_tree
from jimu.platform.org.sync import SyncReport, sync_organisation
from jimu.platform.state import Platform

router = APIRouter()
TABLES = ("departments", "users")


def _require_admin(viewer: Viewer) -> None:
    if not viewer.signed_in_user.is_admin:
        raise PermissionDenied("Only administrators may do this.")


def _render(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    *,
    report: SyncReport | None = None,
    texts: dict[str, str] | None = None,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    with platform.sessions() as db:
        tree = department_tree(db)
    return render(
        request,
        viewer,
        "admin/org.html",
        status=status,
        crumbs=[Crumb(viewer.t("org.title"))],
        notice=notice,
        title=viewer.t("org.title"),
        tree=tree,
        report=report.as_dict() if report is not None else None,
        texts=texts or {},
    )


@router.get("/admin/org", response_class=HTMLResponse)
def org_page(request: Request, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    _require_admin(viewer)
    return _render(request, viewer, platform)


@router.post("/admin/org/import", response_class=HTMLResponse)
def org_import(
    request: Request, viewer: SignedIn, platform: PlatformDep, form: PostedForm
) -> HTMLResponse:
    """Check the uploaded files (``apply`` absent) or apply the checked texts (``apply=1``).

    A plain ``def``: the sync runs in the server's thread pool, never on its event loop."""
    _require_admin(viewer)
    texts = {name: _text_of(form.get(name)) for name in TABLES}
    texts = {name: text for name, text in texts.items() if text.strip()}
    if not texts:
        notice = Notice("error", viewer.t("org.no_files"))
        return _render(request, viewer, platform, notice=notice, status=400)
    apply = form.get("apply") == "1"
    try:
        tables: dict[str, SourceTable] = {name: read_csv(name, t) for name, t in texts.items()}
    except UnreadableCsv as error:
        notice = Notice("error", viewer.t("org.unreadable_csv", table=error.table, line=error.line))
        return _render(request, viewer, platform, texts=texts, notice=notice, status=422)
    with platform.write_sessions() as db:
        report = sync_organisation(
            db, tables.get("departments"), tables.get("users"), dry_run=not apply
        )
        if report.applied:
            db.commit()
    applied = Notice("success", viewer.t("org.applied")) if report.applied else None
    status = 422 if report.errors else 200
    return _render(
        request, viewer, platform, report=report, texts=texts, notice=applied, status=status
    )


def _text_of(value: Any) -> str:
    if isinstance(value, UploadFile):
        return decode_csv(value.file.read())
    return value if isinstance(value, str) else ""
