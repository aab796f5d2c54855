"""``.../import``: the import wizard. Upload a CSV/XLSX, see every problem, then import.

Step 1 uploads the file; step 2 is the record service's dry run (nothing written) listing each
bad row with its field and message, and keeps the file (see :mod:`import_stash`); step 3
imports it, all rows or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import HTMLResponse

from jimu.errors import NotFound, ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.pages.form_errors import input_name
from jimu.platform.pages.import_stash import ImportStash
from jimu.platform.pages.rendering import Crumb, Notice, render
from jimu.platform.pages.scope import EntityScope
from jimu.platform.pages.viewer import SignedIn, Viewer
from jimu.platform.records import WriteContext

router = APIRouter()
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ImportProblem:
    row: int | None
    field: str
    message: str


def problems_of(scope: EntityScope, errors: Sequence[Mapping[str, Any]]) -> list[ImportProblem]:
    rows = []
    for error in errors:
        name = input_name(str(error.get("pointer") or ""))
        f = scope.field(name)
        row = error.get("row")
        rows.append(
            ImportProblem(
                row=row if isinstance(row, int) else None,
                field=f.label if f is not None else name,
                message=str(error.get("message") or ""),
            )
        )
    return rows


def problems_from_error(error: ValidationFailed) -> list[dict[str, Any]]:
    """A failed import's ``/<row>/<field>`` errors in the dry run's ``{row, pointer, message}``."""
    items: list[dict[str, Any]] = []
    for e in error.errors:
        head, _, rest = e.pointer.lstrip("/").partition("/")
        if head.isdigit():
            items.append({"row": int(head), "pointer": "/" + rest, "message": e.message})
        else:
            items.append({"row": None, "pointer": e.pointer, "message": e.message})
    return items or [{"row": None, "pointer": "", "message": error.message}]


def file_format(filename: str) -> str | None:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in FORMATS else None


def stash_of(scope: EntityScope) -> ImportStash:
    return ImportStash(scope.platform.settings.data_dir)


def render_step(
    request: Request,
    scope: EntityScope,
    step: str,
    *,
    status: int = 200,
    notice: Notice | None = None,
    **context: Any,
) -> HTMLResponse:
    viewer = scope.viewer
    title = viewer.t("import.title", entity=scope.label)
    context.setdefault("problems", [])
    return render(
        request,
        viewer,
        "imports/wizard.html",
        status=status,
        crumbs=scope.crumbs(Crumb(viewer.t("list.import"))),
        nav=scope.nav(),
        notice=notice,
        scope=scope,
        title=title,
        step=step,
        **context,
    )


def import_context(viewer: Viewer) -> WriteContext:
    return WriteContext(actor_id=viewer.signed_in_user.id, source="import")


@router.get("/apps/{app}/{entity}/import", response_class=HTMLResponse)
def import_form(
    request: Request, app: str, entity: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("import", "create")
    return render_step(request, scope, "upload")


@router.post("/apps/{app}/{entity}/import", response_class=HTMLResponse)
def check_import(
    request: Request,
    app: str,
    entity: str,
    viewer: SignedIn,
    platform: PlatformDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    data = file.file.read() if file is not None else b""
    filename = (file.filename or "") if file is not None else ""
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("import", "create")
    kind = file_format(filename)
    if kind is None or not data:
        notice = Notice("error", viewer.t("import.no_file"))
        return render_step(request, scope, "upload", status=400, notice=notice)
    try:
        with begin_write(platform.engine) as conn:
            report = scope.records.import_file(
                conn,
                scope.name,
                data=data,
                format=kind,
                mapping=None,
                ctx=import_context(viewer),
                dry_run=True,
            )
    except ValidationFailed as error:
        problems = problems_of(scope, problems_from_error(error))
        return render_step(
            request,
            scope,
            "check",
            status=422,
            problems=problems,
            total=None,
            valid=0,
            filename=filename,
            token="",
        )
    problems = problems_of(scope, [e.as_dict() for e in report.errors])
    bad_rows = {p.row for p in problems}
    token = stash_of(scope).save(viewer.signed_in_user.id, filename, kind, data)
    return render_step(
        request,
        scope,
        "check",
        status=200 if report.ok else 422,
        problems=problems,
        total=report.total,
        valid=report.total - len(bad_rows - {None}),
        filename=filename,
        token=token if report.ok else "",
    )


@router.post("/apps/{app}/{entity}/import/commit", response_class=HTMLResponse)
def commit_import(
    request: Request,
    app: str,
    entity: str,
    viewer: SignedIn,
    platform: PlatformDep,
    token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("import", "create")
    stash = stash_of(scope)
    try:
        stashed = stash.load(viewer.signed_in_user.id, token)
    except NotFound:
        notice = Notice("error", viewer.t("import.expired"))
        return render_step(request, scope, "upload", status=400, notice=notice)
    try:
        with begin_write(platform.engine) as conn:
            report = scope.records.import_file(
                conn,
                scope.name,
                data=stashed.data,
                format=stashed.format,
                mapping=None,
                ctx=import_context(viewer),
                dry_run=False,
            )
    except ValidationFailed as error:
        problems = problems_of(scope, problems_from_error(error))
        return render_step(
            request,
            scope,
            "check",
            status=422,
            problems=problems,
            total=None,
            valid=0,
            filename=stashed.filename,
            token="",
        )
    stash.discard(token)
    return render_step(
        request, scope, "done", created=len(report.created), filename=stashed.filename
    )
