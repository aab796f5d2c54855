"""The published list views of an entity and what one of them makes of the list's state.

A view (a ``view`` document, jimu/metadata/views.py) gives the list its columns and widths,
its sort and page size unless the URL names its own, and a default filter that always holds:
it is AND-ed with the user's search and conditions, and the records service still applies
the reader's scope and hidden fields beneath it (the filter goes through the same
``ListQuery.filter`` as the user's conditions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from jimu.builder_ui.pages.records.list_state import ListState
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.errors import NotFound
from jimu.platform.metadata_store.documents import DOCS, PUBLISHED


@dataclass(frozen=True)
class ListView:
    name: str
    label: str
    columns: tuple[str, ...] = ()
    widths: Mapping[str, int] = field(default_factory=dict)
    filter: Any = None
    sort: str = ""
    page_size: int | None = None
    #: ``table`` (the list follows it), ``kanban`` or ``calendar`` (pages of their own).
    type: str = "table"
    #: The form layout its "New" button and its record links open ("" for the default).
    form: str = ""

    @classmethod
    def from_body(cls, body: Mapping[str, Any], viewer: Viewer) -> ListView:
        columns = [c for c in body.get("columns", []) if isinstance(c, Mapping)]
        sort = list(body.get("sort", []))
        return cls(
            name=str(body["name"]),
            label=viewer.label(body.get("label"), str(body["name"])),
            columns=tuple(str(c["field"]) for c in columns),
            widths={str(c["field"]): int(c["width"]) for c in columns if "width" in c},
            filter=body.get("filter"),
            sort=str(sort[0]) if sort else "",
            page_size=body.get("page_size"),
            type=str(body.get("type", "table")),
            form=str(body.get("form") or ""),
        )

    def applied_to(self, state: ListState, params: Mapping[str, Any]) -> ListState:
        """The state with the view's columns, sort and page size where the URL has none."""
        return replace(
            state,
            columns=state.columns or self.columns,
            sort=state.sort or self.sort,
            limit=state.limit if "limit" in params or not self.page_size else self.page_size,
        )

    def with_filter(self, logic: dict[str, Any] | None) -> Any:
        """The view's default filter AND the user's (None when neither filters)."""
        if self.filter is None:
            return logic
        return self.filter if logic is None else {"and": [self.filter, logic]}


def published_views(conn: sa.Connection, app: str, entity: str, viewer: Viewer) -> list[ListView]:
    """The published views of ``entity`` (every type), by label."""
    stmt = sa.select(DOCS.c.body).where(
        DOCS.c.app == app,
        DOCS.c.kind == "view",
        DOCS.c.status == PUBLISHED,
        DOCS.c.name.startswith(f"{entity}.", autoescape=True),
    )
    bodies: Sequence[Mapping[str, Any]] = conn.execute(stmt).scalars().all()
    views = [ListView.from_body(b, viewer) for b in bodies if b.get("entity") == entity]
    return sorted(views, key=lambda v: (v.label, v.name))


def chosen_view(views: Sequence[ListView], name: str) -> ListView | None:
    """The table view named in the URL (None without one); an unknown name is a 404."""
    if not name:
        return None
    for view in views:
        if view.name == name and view.type == "table":
            return view
    raise NotFound(f"There is no list view {name!r}.")
