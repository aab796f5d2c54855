"""``.../import``: the import wizard. Upload a CSV/XLSX, match its columns, see every
problem, then import.

Step 1 uploads the file and keeps it (see :mod:`import_stash`); step 2 shows each column with
the field it fills (see :mod:`import_mapping`), a preview of the first rows, the columns left
out, and the record service's dry run with that mapping (nothing written) listing each bad row
with its field and message; changing a column's field checks again (``.../import/columns``).
Step 3 imports with the mapping checked, all rows or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.imports.mapping import ColumnStep, column_step
from jimu.builder_ui.pages.imports.stash import ImportStash, StashedFile
from jimu.builder_ui.pages.records.form_errors import input_name, localized_message
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import WriteContext

router = APIRouter()
FORMATS = ("csv", "xlsx")
#: A mapping error's pointer is ``/mapping/<column>``: the page names the column.
MAPPING_PREFIX = "mapping."


@dataclass(frozen=True)
class ImportProblem:
    row: int | None
    field: str
    message: str


def problems_of(scope: EntityScope, errors: Sequence[Mapping[str, Any]]) -> list[ImportProblem]:
    rows = []
    for error in errors:
        name = input_name(str(error.get("pointer") or "")).removeprefix(MAPPING_PREFIX)
        f = scope.field(name)
        row = error.get("row")
        rows.append(
            ImportProblem(
                row=row if isinstance(row, int) else None,
                field=f.label if f is not None else name,
                message=localized_message(
                    FieldError(str(error.get("pointer") or ""), str(error.get("message") or "")),
                    scope.viewer,
                ),
            )
        )
    return rows


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (the column choices are ``col.<index>``)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


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
    return render_step(request, _open_scope(platform, viewer, app, entity), "upload")


def _open_scope(platform: PlatformDep, viewer: Viewer, app: str, entity: str) -> EntityScope:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("import", "create")
    return scope


def _dry_run(
    request: Request, scope: EntityScope, stashed: StashedFile, columns: ColumnStep
) -> HTMLResponse:
    """The column step: the columns, the preview and the dry run of their mapping."""
    total: int | None = None
    errors: list[dict[str, Any]]
    try:
        mapping_problems = columns.problems()
        if mapping_problems:
            raise ValidationFailed("The column mapping is not valid.", mapping_problems)
        with begin_write(scope.platform.engine) as conn:
            report = scope.records.import_file(
                conn,
                scope.name,
                data=stashed.data,
                format=stashed.format,
                mapping=columns.mapping,
                ctx=import_context(scope.viewer),
                dry_run=True,
            )
        errors = [e.as_dict() for e in report.errors]
        total = report.total
    except ValidationFailed as error:
        errors = problems_from_error(error)
    problems = problems_of(scope, errors)
    bad_rows = {p.row for p in problems}
    ready = total is not None and not problems and bool(columns.mapping)
    if total is not None and not columns.mapping:
        problems.append(ImportProblem(None, "", scope.viewer.t("import.no_columns")))
    return render_step(
        request,
        scope,
        "check",
        status=200 if ready else 422,
        problems=problems,
        total=total,
        valid=0 if total is None else total - len(bad_rows - {None}),
        filename=stashed.filename,
        token=stashed.token,
        columns=columns,
        ready=ready,
    )


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
    scope = _open_scope(platform, viewer, app, entity)
    kind = file_format(filename)
    if kind is None or not data:
        notice = Notice("error", viewer.t("import.no_file"))
        return render_step(request, scope, "upload", status=400, notice=notice)
    try:
        columns = column_step(scope, data, kind, None)
    except ValidationFailed as error:  # not a readable CSV/XLSX file
        problems = problems_of(scope, problems_from_error(error))
        return render_step(
            request, scope, "check", status=422, problems=problems, total=None, valid=0,
            filename=filename, token="", columns=None, ready=False,
        )  # fmt: skip
    token = stash_of(scope).save(viewer.signed_in_user.id, filename, kind, data)
    return _dry_run(request, scope, StashedFile(token, filename, kind, data), columns)


def _stashed(request: Request, scope: EntityScope, token: str) -> StashedFile | HTMLResponse:
    try:
        return stash_of(scope).load(scope.viewer.signed_in_user.id, token)
    except NotFound:
        notice = Notice("error", scope.viewer.t("import.expired"))
        return render_step(request, scope, "upload", status=400, notice=notice)


@router.post("/apps/{app}/{entity}/import/columns", response_class=HTMLResponse)
def recheck_import(
    request: Request,
    app: str,
    entity: str,
    viewer: SignedIn,
    platform: PlatformDep,
    form: FormFields,
    token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    scope = _open_scope(platform, viewer, app, entity)
    stashed = _stashed(request, scope, token)
    if isinstance(stashed, HTMLResponse):
        return stashed
    columns = column_step(scope, stashed.data, stashed.format, form)
    return _dry_run(request, scope, stashed, columns)


@router.post("/apps/{app}/{entity}/import/commit", response_class=HTMLResponse)
def commit_import(
    request: Request,
    app: str,
    entity: str,
    viewer: SignedIn,
    platform: PlatformDep,
    form: FormFields,
    token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    scope = _open_scope(platform, viewer, app, entity)
    stashed = _stashed(request, scope, token)
    if isinstance(stashed, HTMLResponse):
        return stashed
    columns = column_step(scope, stashed.data, stashed.format, form)
    if columns.problems() or not columns.mapping:
        return _dry_run(request, scope, stashed, columns)
    try:
        with begin_write(platform.engine) as conn:
            report = scope.records.import_file(
                conn,
                scope.name,
                data=stashed.data,
                format=stashed.format,
                mapping=columns.mapping,
                ctx=import_context(viewer),
                dry_run=False,
            )
    except ValidationFailed:
        return _dry_run(request, scope, stashed, columns)
    stash_of(scope).discard(token)
    return render_step(
        request, scope, "done", created=len(report.created), filename=stashed.filename
    )
