"""``/api/apps/{app}/dashboards/{name}/...``: a published dashboard run for the caller
(docs/reports.md, "Dashboards").

``POST .../run`` answers each chart's rows and columns (or that chart's own problem) with the
caller's filter values and cross-filter; ``POST .../drill`` the record-list filter and URL of
one chart's cell. Whoever reads the app may call them (403 before the body is looked at);
each chart applies the caller's read scope and refuses their hidden fields.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from jimu.platform.api.app_access import AppReader
from jimu.platform.api.records import records_of
from jimu.platform.auth.dependencies import CurrentPrincipal
from jimu.platform.clock import ClockDep
from jimu.platform.dependencies import PlatformDep
from jimu.platform.reports.dashboards import drill_dashboard, published_dashboard, run_dashboard

router = APIRouter(prefix="/api/apps/{app}/dashboards", tags=["reports"])

NAME = Annotated[str, Path(max_length=63, pattern="^[a-z][a-z0-9_]{0,62}$")]
RUN_DOC = (
    '{"filters": {filter name: value}, "cross": {"item", "field", "value"} or null}; a date '
    'range filter takes {"range": ...}, the others a list of values'
)
DRILL_DOC = '{"item": id, "cell": {dimension: value}, "filters": {...}, "cross": {...} or null}'


@router.post("/{name}/run")
def run(
    app: str,
    name: NAME,
    _reader: AppReader,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    clock: ClockDep,
    body: Annotated[dict[str, Any], Body(description=RUN_DOC)],
) -> dict[str, Any]:
    """Each chart of the dashboard as the caller may see it, or that chart's own problem."""
    with platform.engine.connect() as conn, platform.chart_reader() as reader:
        dashboard = published_dashboard(conn, app, name)
        guarded = records_of(platform, conn, app, principal)
        results = platform.chart_results
        return run_dashboard(conn, guarded, dashboard, body, clock(), results, reader)


@router.post("/{name}/drill")
def drill(
    app: str,
    name: NAME,
    _reader: AppReader,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    clock: ClockDep,
    body: Annotated[dict[str, Any], Body(description=DRILL_DOC)],
) -> dict[str, Any]:
    """The entity, filter (JsonLogic) and record-list URL of one chart's cell."""
    with platform.engine.connect() as conn:
        dashboard = published_dashboard(conn, app, name)
        guarded = records_of(platform, conn, app, principal)
        return drill_dashboard(conn, guarded, dashboard, body, clock())
