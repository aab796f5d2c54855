"""Which records hold which attachment files today: every record of a published app (those in
the recycle bin included) and every archived attachment column that could be restored.

``jimu files gc`` keeps a file while the record it belongs to holds it; migration 0006 adopted
the files records held before ownership was kept (``adopt_held_files``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.platform.metadata_store.documents import apps, load_app
from jimu.platform.models import ArchivedColumn, utcnow
from jimu.platform.records.file_owners import FILES, attachment_fields, clean_media_type, clean_name
from jimu.platform.records.runtime import AppRuntime

ARCHIVED: sa.Table = ArchivedColumn.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Holding:
    """One file held by one record's field."""

    app: str
    entity: str
    field: str
    record_id: int
    file: dict[str, Any]

    @property
    def owner(self) -> tuple[str, str, str, int]:
        return (self.app, self.entity, self.field, self.record_id)


def _files_in(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict) and isinstance(v.get("key"), str) and v["key"]]


def _column_holdings(
    conn: sa.Connection, app: str, entity: str, field: str, table: sa.TableClause, column: str
) -> Iterator[Holding]:
    id_column, files_column = table.c.id, table.c[column]
    stmt = sa.select(id_column, files_column).where(files_column.is_not(None)).order_by(id_column)
    for record_id, value in conn.execute(stmt):
        for file in _files_in(value):
            yield Holding(app, entity, field, int(record_id), file)


def held_files(conn: sa.Connection) -> Iterator[Holding]:
    """Every file every record holds, entity by entity and field by field, records by id."""
    for app in apps(conn):
        runtime = AppRuntime(load_app(conn, app))
        for rt in runtime.entities.values():
            for name in attachment_fields(rt):
                column = rt.stored[name]
                table = sa.table(rt.table.name, sa.column("id"), sa.column(column))
                yield from _column_holdings(conn, app, rt.name, name, table, column)
    archived = conn.execute(
        sa.select(
            ARCHIVED.c.app,
            ARCHIVED.c.entity,
            ARCHIVED.c.field,
            ARCHIVED.c.column_name,
            ARCHIVED.c.definition,
        ).order_by(ARCHIVED.c.app, ARCHIVED.c.entity, ARCHIVED.c.column_name)
    ).all()
    for row in archived:
        if dict(row.definition or {}).get("type") != "attachment":
            continue
        table = sa.table(f"{row.app}_{row.entity}", sa.column("id"), sa.column(row.column_name))
        yield from _column_holdings(conn, row.app, row.entity, row.field, table, row.column_name)


def adopt_held_files(conn: sa.Connection) -> int:
    """Give every held file without an owner to the first record holding it; returns how many.

    For files stored before ownership was kept: a key that several records hold (copied from
    one record into another) belongs to the first of them only."""
    known = set(conn.execute(sa.select(FILES.c.key)).scalars())
    now = utcnow()
    rows = []
    for holding in held_files(conn):
        key = str(holding.file["key"])
        if key in known or len(key) > 48:
            continue
        known.add(key)
        size = holding.file.get("size")
        rows.append(
            {
                "key": key,
                "app": holding.app,
                "entity": holding.entity,
                "field": holding.field,
                "record_id": holding.record_id,
                "name": clean_name(str(holding.file.get("name") or key)),
                "size": size if isinstance(size, int) and not isinstance(size, bool) else 0,
                "media_type": clean_media_type(str(holding.file.get("type") or "")),
                "uploaded_by": None,
                "uploaded_at": now,
                "claimed_at": now,
            }
        )
    for start in range(0, len(rows), 500):
        conn.execute(sa.insert(FILES), rows[start : start + 500])
    return len(rows)


def follow_fields(
    conn: sa.Connection, model: AppModel, fields: Mapping[str, Iterable[str]]
) -> None:
    """After a publish renamed or restored attachment fields (entity → field names): the files
    their records hold belong to the field under its new name."""
    runtime = AppRuntime(model)
    for entity, names in fields.items():
        rt = runtime.entities.get(entity)
        if rt is None:
            continue
        wanted = set(names) & set(attachment_fields(rt))
        for name in sorted(wanted):
            column = rt.stored[name]
            table = sa.table(rt.table.name, sa.column("id"), sa.column(column))
            for holding in _column_holdings(conn, model.name, entity, name, table, column):
                conn.execute(
                    sa.update(FILES)
                    .where(
                        FILES.c.key == str(holding.file["key"]),
                        FILES.c.app == model.name,
                        FILES.c.entity == entity,
                        FILES.c.record_id == holding.record_id,
                    )
                    .values(field=name)
                )
