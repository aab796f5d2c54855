"""``.../lookup?q=``: records of an entity matching a search, for the link picker (JSON)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from jimu.builder_ui.pages.records.fields import title_of
from jimu.builder_ui.pages.records.list_state import SEARCH_WIDGETS, search_logic
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter()
LOOKUP_LIMIT = 20


@router.get("/apps/{app}/{entity}/lookup")
def lookup(
    app: str, entity: str, viewer: SignedIn, platform: PlatformDep, q: str = ""
) -> list[dict[str, Any]]:
    """Up to 20 records whose text fields contain ``q``: ``[{id, title, subtitle}]``."""
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        searchable = [f for f in scope.fields if f.widget in SEARCH_WIDGETS]
        title_field = scope.entity.title_field
        subtitle = next((f.name for f in searchable if f.name != title_field), None)
        fields = [name for name in (title_field, subtitle) if name]
        query = ListQuery(
            filter=search_logic(q.strip(), searchable),
            sort=[title_field] if title_field else [],
            limit=LOOKUP_LIMIT,
            fields=fields,
        )
        items = scope.records.list(conn, scope.name, query).items
    return [
        {
            "id": item["id"],
            "title": title_of(scope.entity, item),
            "subtitle": str(item.get(subtitle) or "") if subtitle else "",
        }
        for item in items
    ]
