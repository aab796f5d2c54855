"""Users' own saved record lists: a name of theirs for the list's URL state (search,
conditions, sort, columns, page size, the published view it follows). Saving a name again
replaces it; each user sees and deletes only their own (docs/views.md, "My views")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform.models import SavedView, utcnow

VIEWS: sa.Table = SavedView.__table__  # type: ignore[assignment]
#: The list's parameters a saved view keeps (the page cursor is not kept).
KEPT_PARAMS = frozenset({"view", "q", "f", "sort", "cols", "limit"})
MAX_NAME = 100
MAX_PER_LIST = 50
MAX_PARAMS = 100


@dataclass(frozen=True)
class Saved:
    id: int
    name: str
    params: list[tuple[str, str]]
    updated_at: datetime


def _saved(row: sa.Row[tuple[object, ...]]) -> Saved:
    m = row._mapping
    params = [(str(k), str(v)) for k, v in m["params"]]
    return Saved(int(m["id"]), str(m["name"]), params, m["updated_at"])


def list_saved(conn: sa.Connection, user_id: int, app: str, entity: str) -> list[Saved]:
    """``user_id``'s saved lists of ``entity``, by name."""
    stmt = (
        sa.select(VIEWS)
        .where(VIEWS.c.user_id == user_id, VIEWS.c.app == app, VIEWS.c.entity == entity)
        .order_by(VIEWS.c.name)
    )
    return [_saved(row) for row in conn.execute(stmt)]


def save(
    conn: sa.Connection,
    user_id: int,
    app: str,
    entity: str,
    name: str,
    params: Sequence[tuple[str, str]],
) -> Saved:
    """Save (or replace) ``name``; every problem is reported with its pointer."""
    name = " ".join(name.split())
    errors: list[FieldError] = []
    if not name or len(name) > MAX_NAME:
        errors.append(FieldError("/name", f"Give the view a name of 1-{MAX_NAME} characters."))
    kept = [(k, v) for k, v in params if k in KEPT_PARAMS]
    if len(kept) > MAX_PARAMS:
        errors.append(FieldError("/params", f"A saved view keeps at most {MAX_PARAMS} settings."))
    where = sa.and_(VIEWS.c.user_id == user_id, VIEWS.c.app == app, VIEWS.c.entity == entity)
    existing = conn.execute(sa.select(VIEWS.c.name).where(where)).scalars().all()
    if name not in existing and len(existing) >= MAX_PER_LIST:
        message = f"You have {MAX_PER_LIST} saved views of this list: delete one first."
        errors.append(FieldError("/name", message, "limit"))
    if errors:
        raise ValidationFailed("The view cannot be saved.", errors)
    now = utcnow()
    values = {"params": [list(p) for p in kept], "updated_at": now}
    changed = conn.execute(sa.update(VIEWS).where(where, VIEWS.c.name == name).values(**values))
    if changed.rowcount == 0:
        conn.execute(
            sa.insert(VIEWS).values(
                user_id=user_id, app=app, entity=entity, name=name, created_at=now, **values
            )
        )
    row = conn.execute(sa.select(VIEWS).where(where, VIEWS.c.name == name)).one()
    return _saved(row)


def delete(conn: sa.Connection, user_id: int, app: str, entity: str, view_id: int) -> None:
    """Delete one of ``user_id``'s own saved views (NotFound for anyone else's)."""
    gone = conn.execute(
        sa.delete(VIEWS).where(
            VIEWS.c.id == view_id,
            VIEWS.c.user_id == user_id,
            VIEWS.c.app == app,
            VIEWS.c.entity == entity,
        )
    )
    if gone.rowcount == 0:
        raise NotFound(f"You have no saved view {view_id} of this list.")
