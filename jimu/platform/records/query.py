"""Reading records: get, list (JsonLogic filter, multi-column sort, keyset pages, field
selection, count) and the recycle bin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import SYSTEM_COLUMNS
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform.records.context import ListQuery, Page
from jimu.platform.records.cursor import decode_cursor, encode_cursor
from jimu.platform.records.filters import filter_clause, sortable_column
from jimu.platform.records.rows import from_row, read_many_links, to_json
from jimu.platform.records.runtime import AppRuntime, EntityRuntime

MAX_LIMIT = 1000


def _selected(
    rt: EntityRuntime, fields: Sequence[str] | None, hidden: frozenset[str] = frozenset()
) -> tuple[list[str], list[FieldError]]:
    """The fields to return; a hidden field is as unknown as a field that does not exist."""
    if fields is None:
        return [f for f in rt.codec.fields if f not in hidden], []
    errors = [
        FieldError(f"/fields/{i}", f"{name!r} is not a field of {rt.name}", "unknown_field")
        for i, name in enumerate(fields)
        if (name not in rt.codec.fields and name not in SYSTEM_COLUMNS) or name in hidden
    ]
    return [f for f in fields if f in rt.codec.fields and f not in hidden], errors


def _columns(rt: EntityRuntime, names: Sequence[str]) -> list[sa.ColumnElement[Any]]:
    columns: list[sa.ColumnElement[Any]] = [rt.table.c[c] for c in SYSTEM_COLUMNS]
    columns += [rt.table.c[rt.stored[n]] for n in names if n in rt.stored]
    return columns


def _sort_keys(
    rt: EntityRuntime, sort: Sequence[str], hidden: frozenset[str] = frozenset()
) -> tuple[list[tuple[str, sa.ColumnElement[Any], bool]], list[FieldError]]:
    keys: list[tuple[str, sa.ColumnElement[Any], bool]] = []
    errors: list[FieldError] = []
    for i, item in enumerate(sort):
        descending = item.startswith("-")
        name = item.lstrip("-+")
        column = None if name in hidden else sortable_column(rt, name)
        if column is None:
            errors.append(FieldError(f"/sort/{i}", f"cannot sort by {name!r}", "sort"))
        elif name != "id":
            keys.append((name, column, descending))
    return keys, errors


def _after(
    keys: list[tuple[str, sa.ColumnElement[Any], bool]],
    values: list[Any],
    id_column: sa.ColumnElement[Any],
    id_desc: bool,
) -> sa.ColumnElement[bool]:
    """Rows after the cursor in the order (each key nulls last, then id)."""
    last_id = values[-1]
    condition: sa.ColumnElement[bool] = id_column < last_id if id_desc else id_column > last_id
    for (_, column, descending), value in reversed(list(zip(keys, values, strict=False))):
        if value is None:
            condition = sa.and_(column.is_(None), condition)
            continue
        beyond = column < value if descending else column > value
        tie = sa.and_(column == value, condition)
        if _nullable(column):
            condition = sa.or_(beyond, column.is_(None), tie)
        else:
            condition = sa.or_(beyond, tie)
    return condition


def _nullable(column: sa.ColumnElement[Any]) -> bool:
    """Whether a sort key can hold NULL (a NOT NULL column needs no nulls-last ordering)."""
    return bool(getattr(column, "nullable", True))


def _id_descending(
    sort: Sequence[str], keys: list[tuple[str, sa.ColumnElement[Any], bool]]
) -> bool:
    """The id tie-breaker's direction: as asked, else the last sort key's direction.

    Following the last key lets an index on the sort columns (which ends in the row id) be read
    in one direction instead of sorting every matching row.
    """
    for item in sort:
        if item.lstrip("-+") == "id":
            return item.startswith("-")
    return bool(keys) and keys[-1][2]


def list_records(conn: sa.Connection, app: AppRuntime, rt: EntityRuntime, query: ListQuery) -> Page:
    names, errors = _selected(rt, query.fields, query.hidden)
    keys, sort_errors = _sort_keys(rt, query.sort, query.hidden)
    errors += sort_errors
    if not 1 <= query.limit <= MAX_LIMIT:
        errors.append(FieldError("/limit", f"must be from 1 to {MAX_LIMIT}", "range"))
    conditions: list[sa.ColumnElement[bool]] = []
    for key, logic, hidden in (
        ("/filter", query.filter, query.hidden),
        ("/scope", query.scope, frozenset[str]()),
    ):
        if logic:
            try:
                conditions.append(filter_clause(rt, logic, hidden=hidden))
            except ValidationFailed as exc:
                errors += [FieldError(key + e.pointer, e.message, e.code) for e in exc.errors]
    if errors:
        raise ValidationFailed("The list query is not valid.", errors)
    table = rt.table
    deleted = table.c.deleted_at.is_not(None) if query.deleted else table.c.deleted_at.is_(None)
    conditions.append(deleted)
    id_desc = _id_descending(query.sort, keys)
    sort_names = [s for s in query.sort if s.lstrip("-+") != "id"]
    total = None
    if query.count:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(table).where(*conditions)
        ).scalar_one()
    page_conditions = list(conditions)
    if query.cursor:
        values = decode_cursor(query.cursor, sort_names)
        page_conditions.append(_after(keys, values, table.c.id, id_desc))
    order: list[Any] = []
    for _, column, descending in keys:
        if _nullable(column):
            order.append(column.is_(None))
        order.append(column.desc() if descending else column.asc())
    order.append(table.c.id.desc() if id_desc else table.c.id.asc())
    selected = _columns(rt, names)
    # The cursor needs the last row's sort values: a sort column already selected is read
    # from the row, the others are selected once more under a label.
    present = {c.key for c in selected}
    sort_keys = [
        str(column.key) if column.key in present else f"_sort_{i}"
        for i, (_, column, _) in enumerate(keys)
    ]
    sort_columns = [
        column.label(key)
        for key, (_, column, _) in zip(sort_keys, keys, strict=True)
        if key not in present
    ]
    # A plain page (every visible field, no filter, scope, sort or cursor: the first page of a
    # list) runs a statement built once per field set (see ``EntityRuntime.statements``).
    plain = not (keys or query.cursor or query.filter or query.scope or query.fields)
    stmt_key = ("page", query.deleted, id_desc, *names)
    stmt = rt.statements.get(stmt_key) if plain else None
    if stmt is None:
        stmt = (
            sa.select(*selected, *sort_columns)
            .where(*page_conditions)
            .order_by(*order)
            .limit(sa.bindparam("page_limit", type_=sa.Integer))
        )
        if plain:
            rt.statements[stmt_key] = stmt
    raw = list(conn.execute(stmt, {"page_limit": query.limit + 1}).mappings())
    more = len(raw) > query.limit
    raw = raw[: query.limit]
    items = _to_records(conn, app, rt, [from_row(rt, r) for r in raw], names)
    cursor = None
    if more and raw:
        last = raw[-1]
        sort_values = [last[key] for key in sort_keys]
        cursor = encode_cursor(sort_names, [*sort_values, last["id"]])
    return Page(items, cursor, total)


def _to_records(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    rows: list[dict[str, Any]],
    names: Sequence[str],
) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rows]
    many = read_many_links(conn, rt, ids, set(names)) if ids else {}
    for name, links in many.items():
        for row in rows:
            row[name] = links.get(row["id"], [])
    subtables = [n for n in names if n in rt.subtables]
    for name in subtables:
        children = _children(conn, app, rt, name, ids)
        for row in rows:
            row[name] = children.get(row["id"], [])
    return [to_json(rt, row) for row in rows]


def _children(
    conn: sa.Connection, app: AppRuntime, rt: EntityRuntime, name: str, ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    f = rt.subtables[name]
    child = app.entities[str(f.get("target"))]
    link = str(f.get("link"))
    column = child.column(link)
    result: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return result
    stmt = (
        sa.select(child.table)
        .where(column.in_(ids), child.table.c.deleted_at.is_(None))
        .order_by(child.table.c.id)
    )
    rows = [from_row(child, r) for r in conn.execute(stmt).mappings()]
    for record in _to_records(conn, app, child, rows, list(child.codec.fields)):
        result[record[link]].append(record)
    return result


def get_record(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    record_id: int,
    fields: Sequence[str] | None = None,
    include_deleted: bool = False,
    hidden: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    names, errors = _selected(rt, fields, hidden)
    if errors:
        raise ValidationFailed("Unknown fields.", errors)
    stmt = _by_id(rt, names, fields is None)
    row = conn.execute(stmt, {"record_id": record_id}).mappings().first()
    if row is None or (row["deleted_at"] is not None and not include_deleted):
        raise NotFound(f"There is no {rt.name} record {record_id}.")
    return _to_records(conn, app, rt, [from_row(rt, row)], names)[0]


def _by_id(rt: EntityRuntime, names: Sequence[str], keep: bool) -> sa.Select[Any]:
    """The select of one record's ``names`` by ``:record_id``; built once per field set when
    ``keep`` (every field the caller may see: a bounded number of sets per entity)."""
    key = ("by_id", *names)
    stmt = rt.statements.get(key) if keep else None
    if stmt is None:
        stmt = sa.select(*_columns(rt, names)).where(rt.table.c.id == sa.bindparam("record_id"))
        if keep:
            rt.statements[key] = stmt
    return stmt
