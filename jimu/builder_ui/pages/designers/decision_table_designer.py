"""``/design/apps/{app}/decision-tables`` and ``.../decision-tables/{name}``: the app's decision
tables and the grid editor of one (docs/rules.md, "Decision tables").

Who holds the ``rules`` design right (and administrators) may open them; the metadata API
checks every save and publish again and pins the problems it finds to the cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.document_pages import DocumentPages
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.engines.rule.decision_cells import CELL_KINDS, KINDS_BY_TYPE
from jimu.engines.rule.decision_table import AGGREGATES, HIT_POLICIES, OUTPUT_TYPES
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
KIND = "decision_table"


def _blank(name: str, entity: str | None) -> dict[str, Any]:
    return {
        "kind": KIND,
        "name": name,
        "label": {},
        "entity": entity or "",
        "hit_policy": "first",
        "inputs": [],
        "outputs": [{"name": "result", "type": "number"}],
        "rows": [],
    }


def _summary(body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "entity": body.get("entity"),
        "hit_policy": body.get("hit_policy"),
        "rows": len(body.get("rows") or []),
    }


PAGES = DocumentPages(
    kind=KIND,
    path="decision-tables",
    messages="designer.dtable",
    noun="decision table",
    blank=_blank,
    summary=_summary,
    entity_keys=lambda entity: {"title_field": entity.title_field or ""},
    extra={
        "hit_policies": list(HIT_POLICIES),
        "aggregates": list(AGGREGATES),
        "output_types": list(OUTPUT_TYPES),
        "cell_kinds": {kind: list(kinds) for kind, kinds in KINDS_BY_TYPE.items()},
        "all_cell_kinds": list(CELL_KINDS),
    },
)


@router.get("/design/apps/{app}/decision-tables", response_class=HTMLResponse)
def table_list(request: Request, app: str, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    return PAGES.list_page(request, app, viewer, platform, "tables")


@router.get("/design/apps/{app}/decision-tables/{name}", response_class=HTMLResponse)
def table_designer(
    request: Request,
    app: str,
    name: str,
    viewer: SignedIn,
    platform: PlatformDep,
    entity: str | None = Query(default=None, max_length=63),
) -> HTMLResponse:
    return PAGES.designer(request, app, name, viewer, platform, entity)
