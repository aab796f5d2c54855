"""``.../records/export`` and ``.../records/import``: records as CSV or XLSX files."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, Field

from jimu.errors import FieldError, ValidationFailed
from jimu.platform import input_guard
from jimu.platform.api.records import ListParams, records_of
from jimu.platform.auth.dependencies import CurrentPrincipal
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import WriteContext

router = APIRouter(prefix="/api/apps/{app}/entities/{entity}", tags=["records"])

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportReport(BaseModel):
    ok: bool
    total: int
    dry_run: bool
    created: list[int]
    errors: list[dict[str, Any]] = Field(description='[{"row": 3, "pointer", "message"}]')
    unmapped: list[str] = Field(
        default_factory=list, description="the file's columns that fill no field (not imported)"
    )


@router.get("/records/export")
def export_records(
    app: str,
    entity: str,
    query: ListParams,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    """The matching records as a file (the export is written to the audit log)."""
    with begin_write(platform.engine) as conn:
        blob = records_of(platform, conn, app, principal).export(
            conn, entity, query.to_list_query(), format=format
        )
    filename = f"{app}_{entity}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(blob, media_type=EXPORT_TYPES[format], headers=headers)


@router.post("/records/import")
def import_records(
    app: str,
    entity: str,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    file: Annotated[UploadFile, File(description="a .csv or .xlsx file")],
    mapping: Annotated[str | None, Form(description='JSON: {"Column": "field"}')] = None,
    dry_run: Annotated[bool, Form()] = True,
) -> ImportReport:
    """Check (``dry_run``, the default) or import a spreadsheet, all rows or none.

    A plain ``def``: the import runs in the server's thread pool, never on its event loop."""
    data = file.file.read()
    ctx = WriteContext(actor_id=principal.user.id, source="import")
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        records.access(entity)  # an unknown app or entity is a 404 before the file is read
        report = records.import_file(
            conn,
            entity,
            data=data,
            format=import_format(file.filename),
            mapping=parse_mapping(mapping),
            ctx=ctx,
            dry_run=dry_run,
        )
    return ImportReport.model_validate(report.as_dict())


def import_format(filename: str | None) -> str:
    suffix = (filename or "").rsplit(".", 1)[-1].lower()
    if suffix not in EXPORT_TYPES:
        raise ValidationFailed(
            "Upload a .csv or .xlsx file.",
            [FieldError("/file", f"Unsupported file type {suffix!r}.", "format")],
        )
    return suffix


def parse_mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    try:
        value = input_guard.loads(text, "/mapping")
    except json.JSONDecodeError as error:
        raise ValidationFailed(
            "The mapping is not valid JSON.", [FieldError("/mapping", error.msg, "json")]
        ) from error
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationFailed(
            "The mapping must map column names to field names.",
            [FieldError("/mapping", 'Expected {"Column": "field", ...}.', "type")],
        )
    return value
