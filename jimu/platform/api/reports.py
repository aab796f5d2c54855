"""``/api/apps/{app}/reports/...``: charts run for the caller (docs/reports.md).

``POST .../reports/run`` runs an ad hoc spec, ``GET .../reports/{name}/data`` the published
report ``name``, ``POST .../reports/drill`` gives the record-list filter of one cell. Each
applies the caller's read scope to every entity the chart reads and refuses hidden fields.
Bodies are taken as plain JSON objects and checked by the service, after the caller's right
to read the app (403 comes before 422).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from jimu.metadata.schemas import document_schema
from jimu.platform.api.records import records_of
from jimu.platform.auth.dependencies import CurrentPrincipal
from jimu.platform.clock import ClockDep
from jimu.platform.dependencies import PlatformDep
from jimu.platform.reports import drill_down, published_report, require_reader, run_cached

router = APIRouter(prefix="/api/apps/{app}/reports", tags=["reports"])

SPEC_DOC = "A chart spec: dataset, dimensions, measures, filter, date_ranges, sort, limit, visual"


def _inline(value: Any, defs: dict[str, Any]) -> Any:
    """``value`` with its ``#/$defs/...`` references replaced by the definitions."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in value.items()}
    if isinstance(value, list):
        return [_inline(item, defs) for item in value]
    return value


def spec_schema() -> dict[str, Any]:
    """The report document's JSON Schema as an OpenAPI body: inlined, ``kind`` and ``name``
    optional (an ad hoc chart has neither)."""
    schema = document_schema("report")
    defs = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    schema["required"] = [k for k in schema["required"] if k not in ("kind", "name")]
    inlined: dict[str, Any] = _inline(schema, defs)
    return inlined


SPEC_SCHEMA = spec_schema()
DRILL_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": SPEC_SCHEMA,
        "report": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
        "cell": {
            "type": "object",
            "description": "dimension name → the value of a result row",
            "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
        },
    },
    "required": ["cell"],
    "oneOf": [{"required": ["spec"]}, {"required": ["report"]}],
    "additionalProperties": False,
}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post("/run", openapi_extra=_body(SPEC_SCHEMA))
def run_adhoc(
    app: str,
    spec: Annotated[dict[str, Any], Body(description=SPEC_DOC)],
    principal: CurrentPrincipal,
    platform: PlatformDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """The rows and columns of an ad hoc chart spec, as the caller may see them."""
    with platform.engine.connect() as conn, platform.chart_reader() as reader:
        guarded = records_of(platform, conn, app, principal)
        return run_cached(conn, guarded, spec, clock(), platform.chart_results, reader)


@router.get("/{name}/data")
def report_data(
    app: str,
    name: Annotated[str, Path(max_length=63)],
    principal: CurrentPrincipal,
    platform: PlatformDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """The rows and columns of the published report ``name``, as the caller may see them."""
    with platform.engine.connect() as conn, platform.chart_reader() as reader:
        guarded = records_of(platform, conn, app, principal)
        require_reader(guarded)
        report = published_report(conn, app, name)
        return run_cached(conn, guarded, report, clock(), platform.chart_results, reader)


@router.post("/drill", openapi_extra=_body(DRILL_SCHEMA))
def drill(
    app: str,
    body: Annotated[
        dict[str, Any],
        Body(description='{"spec": {...} or "report": name, "cell": {dimension: value}}'),
    ],
    principal: CurrentPrincipal,
    platform: PlatformDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """The entity and the filter (JsonLogic) that select the records of one cell."""
    with platform.engine.connect() as conn:
        guarded = records_of(platform, conn, app, principal)
        require_reader(guarded)
        name = body.get("report")
        if isinstance(name, str):
            return drill_down(
                conn, guarded, published_report(conn, app, name), body.get("cell"), clock()
            )
        return drill_down(conn, guarded, body.get("spec"), body.get("cell"), clock(), "/spec")
