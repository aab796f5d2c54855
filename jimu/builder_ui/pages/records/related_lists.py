"""The related lists of a record page: for every entity with a link field pointing at the
record's entity, the newest records linked to this record, with "view all" (the list filtered
by the link) and "new" (the form with the link prefilled).

Each list reads through the reader's guarded records, so scopes and hidden fields apply: an
entity the reader may not read, or whose link field is hidden from them, shows no list. Sub-table
rows are not listed here (the record page shows them in their sub-table).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from jimu.builder_ui.pages.records.fields import BULKY_WIDGETS, FieldView, field_views, title_of
from jimu.builder_ui.pages.records.references import References, collect_references
from jimu.builder_ui.pages.records.scope import EntityScope, visible_views
from jimu.engines.form.model import Entity
from jimu.platform.records import ListQuery

#: Rows shown per related list (the "view all" link shows the rest).
RELATED_ROWS = 10
#: Columns shown besides the title.
RELATED_COLUMNS = 3


@dataclass(frozen=True)
class RelatedList:
    """One related list: records of ``entity`` whose ``link`` field names this record."""

    entity: Entity
    label: str
    link: FieldView
    columns: list[FieldView]
    rows: list[dict[str, Any]]
    total: int
    refs: References
    base_url: str
    list_url: str
    new_url: str | None

    def title(self, row: dict[str, Any]) -> str:
        return title_of(self.entity, row)

    def record_url(self, row: dict[str, Any]) -> str:
        return f"{self.base_url}/{row['id']}"


def links_to(scope: EntityScope) -> Iterator[tuple[Entity, str]]:
    """(entity, link field) for every single link of the app pointing at ``scope``'s entity,
    the entity's own sub-table rows left out; in the app's entity order."""
    subtable_rows = {
        (str(f.get("target")), str(f.get("link")))
        for f in scope.entity.fields
        if f.type == "subtable"
    }
    for entity in scope.model.entities.values():
        for f in entity.fields:
            if f.type != "link" or str(f.get("target")) != scope.name or f.get("many"):
                continue
            if (entity.name, f.name) not in subtable_rows:
                yield entity, f.name


def related_lists(
    conn: sa.Connection, scope: EntityScope, record_id: int, *, can_link: bool
) -> list[RelatedList]:
    """The related lists the viewer may see of record ``record_id``; ``can_link`` says whether
    they may update it (a new related record changes what the record shows)."""
    out: list[RelatedList] = []
    viewer = scope.viewer
    for entity, link_name in links_to(scope):
        access = scope.records.access(entity.name)
        if not access.allows("read") or link_name in access.hidden:
            continue
        views = visible_views(field_views(entity, viewer, scope.model), access, scope.records)
        link = next(v for v in views if v.name == link_name)
        columns = [
            v
            for v in views
            if v.name not in (link_name, entity.title_field) and v.widget not in BULKY_WIDGETS
        ][:RELATED_COLUMNS]
        query = ListQuery(
            filter={"==": [{"var": link_name}, record_id]},
            sort=["-id"],
            limit=RELATED_ROWS,
            fields=[n for n in (entity.title_field,) if n] + [c.name for c in columns],
            count=True,
        )
        page = scope.records.list(conn, entity.name, query)
        refs = collect_references(conn, scope.records, scope.model, columns, page.items)
        base = f"/apps/{scope.app}/{entity.name}"
        creatable = access.allows("create") and not link.readonly and can_link
        out.append(
            RelatedList(
                entity=entity,
                label=viewer.label(entity.label, entity.name),
                link=link,
                columns=columns,
                rows=page.items,
                total=page.total if page.total is not None else len(page.items),
                refs=refs,
                base_url=base,
                list_url=f"{base}?{urlencode({'f': f'{link_name}:eq:{record_id}'})}",
                new_url=f"{base}/new?{urlencode({link_name: record_id})}" if creatable else None,
            )
        )
    return out
