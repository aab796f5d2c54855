"""``/apps/{app}/{entity}/export``: the current list (search, filters, sort, columns) as a
CSV or Excel file, every page of it. Exports are written to the security audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from jimu.builder_ui.pages.records.list_state import ListState, chosen_columns, conditions_logic
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.api.record_files import EXPORT_TYPES
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter()


@router.get("/apps/{app}/{entity}/export")
def export_list(
    request: Request, app: str, entity: str, viewer: SignedIn, platform: PlatformDep
) -> Response:
    file_format = request.query_params.get("format", "csv")
    if file_format not in EXPORT_TYPES:
        raise ValidationFailed(
            "Choose csv or xlsx.",
            [FieldError("/format", f"{file_format!r} is not csv or xlsx", "enum")],
        )
    state = ListState.from_params(request.query_params)
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("read", "export")
        columns = chosen_columns(state, scope.fields, scope.entity.title_field)
        query = ListQuery(
            filter=conditions_logic(state, scope.fields, viewer.t),
            sort=[state.sort] if state.sort else ["-id"],
            fields=[c.name for c in columns],
        )
        blob = scope.records.export(conn, scope.name, query, file_format)
    headers = {"Content-Disposition": f'attachment; filename="{app}_{entity}.{file_format}"'}
    return Response(blob, media_type=EXPORT_TYPES[file_format], headers=headers)
