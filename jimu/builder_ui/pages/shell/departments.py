"""Department names for pages: each department shown with its path (``Sales / East``).

The department field's widget is a ``<select>`` of every department in tree order (siblings by
``sort_order``, then id), each labelled with its path, so two "East" departments under different
parents can be told apart. Lists and record pages show the path instead of the id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from jimu.platform.models import Department

PATH_SEPARATOR = " / "
#: Parents followed at most (a guard against a cycle in hand-edited data).
MAX_DEPTH = 64


@dataclass(frozen=True)
class DepartmentChoice:
    id: int
    path: str


def _rows(conn: sa.Connection) -> list[tuple[int, str, int | None, int]]:
    query = sa.select(Department.id, Department.name, Department.parent_id, Department.sort_order)
    return [(r.id, r.name, r.parent_id, r.sort_order) for r in conn.execute(query)]


def _paths(rows: Iterable[tuple[int, str, int | None, int]]) -> dict[int, str]:
    by_id = {row[0]: row for row in rows}
    paths: dict[int, str] = {}
    for department_id in by_id:
        names: list[str] = []
        current: int | None = department_id
        while current is not None and current in by_id and len(names) < MAX_DEPTH:
            _, name, parent, _ = by_id[current]
            names.append(name)
            current = parent
        paths[department_id] = PATH_SEPARATOR.join(reversed(names))
    return paths


def department_paths(conn: sa.Connection, ids: Iterable[int] | None = None) -> dict[int, str]:
    """The path of each department (of ``ids`` only, if given; unknown ids are left out)."""
    wanted = None if ids is None else set(ids)
    if wanted is not None and not wanted:
        return {}
    paths = _paths(_rows(conn))
    return paths if wanted is None else {i: p for i, p in paths.items() if i in wanted}


def department_choices(conn: sa.Connection) -> list[DepartmentChoice]:
    """Every department in tree order, labelled with its path."""
    rows = _rows(conn)
    paths = _paths(rows)
    children: dict[int | None, list[tuple[int, str, int | None, int]]] = {}
    known = {row[0] for row in rows}
    for row in rows:
        parent = row[2] if row[2] in known else None
        children.setdefault(parent, []).append(row)
    ordered: list[DepartmentChoice] = []
    stack = sorted(children.get(None, []), key=lambda r: (r[3], r[0]), reverse=True)
    seen: set[int] = set()
    while stack:
        row = stack.pop()
        if row[0] in seen:
            continue
        seen.add(row[0])
        ordered.append(DepartmentChoice(row[0], paths[row[0]]))
        stack.extend(sorted(children.get(row[0], []), key=lambda r: (r[3], r[0]), reverse=True))
    return ordered
