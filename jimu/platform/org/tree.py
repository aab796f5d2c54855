"""Operations on the department tree, as recursive CTEs that run on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.models import Department

DEPARTMENTS = Department.__table__


def descendant_ids(conn: sa.Connection, department_ids: Iterable[int]) -> set[int]:
    """The departments ``department_ids`` and every department below them."""
    roots = sorted(set(department_ids))
    if not roots:
        return set()
    tree = sa.select(DEPARTMENTS.c.id).where(DEPARTMENTS.c.id.in_(roots)).cte(recursive=True)
    child = DEPARTMENTS.alias("child")
    tree = tree.union(sa.select(child.c.id).where(child.c.parent_id == tree.c.id))
    return set(conn.scalars(sa.select(tree.c.id)))


def ancestor_ids(conn: sa.Connection, department_id: int) -> list[int]:
    """The department's ancestors and itself, from the root down."""
    up = (
        sa.select(DEPARTMENTS.c.id, DEPARTMENTS.c.parent_id, sa.literal(0).label("depth"))
        .where(DEPARTMENTS.c.id == department_id)
        .cte(recursive=True)
    )
    parent = DEPARTMENTS.alias("parent")
    up = up.union_all(
        sa.select(parent.c.id, parent.c.parent_id, (up.c.depth + 1).label("depth")).where(
            parent.c.id == up.c.parent_id
        )
    )
    rows = conn.execute(sa.select(up.c.id, up.c.depth).order_by(up.c.depth.desc())).all()
    return [row.id for row in rows]


def department_path(conn: sa.Connection, department_id: int) -> list[str]:
    """The names from the root down to the department (``["Acme", "Sales", "East"]``)."""
    ids = ancestor_ids(conn, department_id)
    query = sa.select(DEPARTMENTS.c.id, DEPARTMENTS.c.name).where(DEPARTMENTS.c.id.in_(ids))
    names = {row.id: row.name for row in conn.execute(query)}
    return [names[i] for i in ids]


def check_new_parent(conn: sa.Connection, department_id: int, parent_id: int | None) -> None:
    """Refuse moving a department under itself or one of its descendants."""
    if parent_id is not None and parent_id in descendant_ids(conn, [department_id]):
        raise ValidationFailed(
            "A department cannot be moved under itself or one of its sub-departments.",
            [FieldError("/parent_id", "This would make a cycle in the tree.", "cycle")],
        )


def find_cycle(parents: Mapping[str, str | None], start: str) -> list[str] | None:
    """The cycle reached by following ``parents`` from ``start``, or None (pure, by key)."""
    seen: list[str] = []
    node: str | None = start
    while node is not None and node in parents:
        if node in seen:
            return seen[seen.index(node) :]
        seen.append(node)
        node = parents[node]
    return None
