"""``/design/apps/{app}/reports`` and ``.../reports/{name}``: the app's charts and the chart
designer of one (docs/reports.md, "The chart designer").

Who holds the ``reports`` design right (and administrators) may open them; the metadata API
checks every save and publish again, and the ad hoc run API every live preview (with the
designer's own data scope), pinning the problems to the wells and controls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.document_pages import DocumentPages
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.engines.report.schema import AGGREGATES, GRAINS, RANGES, VISUALS
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
KIND = "report"
FORMATS = ("number", "integer", "money", "percent")


def _blank(name: str, entity: str | None) -> dict[str, Any]:
    """A count of the entity's records as a number card, which runs as soon as the page
    opens."""
    return {
        "kind": KIND,
        "name": name,
        "label": {},
        "dataset": {"entity": entity or ""},
        "dimensions": [],
        "measures": [{"name": "records", "agg": "count"}],
        "visual": {"type": "number"},
    }


def _summary(body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "entity": (body.get("dataset") or {}).get("entity"),
        "visual": (body.get("visual") or {}).get("type"),
    }


PAGES = DocumentPages(
    kind=KIND,
    path="reports",
    messages="designer.report",
    noun="report",
    blank=_blank,
    summary=_summary,
    extra={
        "aggregates": list(AGGREGATES),
        "grains": list(GRAINS),
        "ranges": list(RANGES),
        "visuals": list(VISUALS),
        "formats": list(FORMATS),
    },
    list_links={"dashboards_url": "/design/apps/{app}/dashboards"},
)


@router.get("/design/apps/{app}/reports", response_class=HTMLResponse)
def report_list(
    request: Request, app: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    return PAGES.list_page(request, app, viewer, platform, "reports")


@router.get("/design/apps/{app}/reports/{name}", response_class=HTMLResponse)
def report_designer(
    request: Request,
    app: str,
    name: str,
    viewer: SignedIn,
    platform: PlatformDep,
    entity: str | None = Query(default=None, max_length=63),
) -> HTMLResponse:
    return PAGES.designer(request, app, name, viewer, platform, entity)
