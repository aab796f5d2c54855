"""Turn the difference between two versions of an app's entities into schema-change steps.

``plan_changes`` compares the published entities (``old``) with the ones about to be published
(``new``) and returns a :class:`Plan`: the steps in a safe order, what they print as SQL
(``Plan.sql``) and, if some change cannot be made, the problems (then nothing may run). It reads
the current rows when a field changes type, to convert every value or list the rows that don't
(see :mod:`.retype`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.migrate.context import MAX_LISTED_ROWS, Plan, PlanContext, archive_name
from jimu.engines.form.migrate.retype import retype
from jimu.engines.form.migrate.steps import (
    AddColumnStep,
    AddForeignKeyStep,
    ArchiveColumnStep,
    BackfillStep,
    CreateIndexStep,
    CreateTableStep,
    DropIndexStep,
    RenameColumnStep,
    RenameTableStep,
)
from jimu.engines.form.model import AppModel, Field
from jimu.engines.form.naming import identifier
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.tables import (
    EntityTables,
    build_tables,
    index_where,
    legacy_owner_index,
)
from jimu.errors import FieldError

__all__ = ["Plan", "plan_changes"]


def plan_changes(
    conn: sa.Connection | None,
    old: AppModel | None,
    new: AppModel,
    registry: FieldTypeRegistry,
    renames: Mapping[str, Mapping[str, str]] | None = None,
    dialect: str | None = None,
    restores: Mapping[str, Mapping[str, str]] | None = None,
    archive: Mapping[str, Collection[str]] | None = None,
) -> Plan:
    """The steps from ``old`` (None: nothing published yet) to ``new``.

    ``renames`` maps entity → {old field name: new field name} for fields that were renamed
    (and should keep their data) rather than removed and added; ``restores`` maps entity →
    {field: archived column} for removed fields that come back with their archived data;
    ``archive`` maps entity → fields whose type change keeps the old column archived (so values
    that do not convert are kept there instead of refusing the change).
    """
    dialect = dialect or (conn.dialect.name if conn is not None else "sqlite")
    ctx = PlanContext(
        conn,
        new.name,
        old,
        new,
        registry,
        build_tables(old, registry) if old else {},
        build_tables(new, registry),
        Plan(),
        dialect == "postgresql",
        archive=archive or {},
    )
    for name, tables in ctx.new_tables.items():
        if name not in ctx.old_tables:
            _create_entity(ctx, tables)
        else:
            _change_entity(
                ctx,
                ctx.old_tables[name],
                tables,
                (renames or {}).get(name, {}),
                (restores or {}).get(name, {}),
            )
    for name, tables in ctx.old_tables.items():
        if name not in ctx.new_tables:
            _archive_entity(ctx, tables)
    return ctx.plan


def _create_entity(ctx: PlanContext, tables: EntityTables) -> None:
    for table in [tables.table, *tables.junctions.values()]:
        ctx.plan.add("create", CreateTableStep(table, with_foreign_keys=not ctx.postgres))
        _create_indexes(ctx, table, [ix.name for ix in table.indexes if ix.name])
        if ctx.postgres:
            for fk in sorted(table.foreign_keys, key=lambda k: k.parent.name):
                ctx.plan.add(
                    "fk",
                    AddForeignKeyStep(
                        table.name, fk.parent.name, fk.column.table.name, fk.ondelete or "SET NULL"
                    ),
                )
    computed = [f.name for f in tables.entity.fields if ctx.registry.get(f.type).computed]
    if computed:
        ctx.plan.add("backfill", BackfillStep(tables.entity.name, computed))


def _create_indexes(ctx: PlanContext, table: sa.Table, names: list[str]) -> None:
    for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
        if index.name in names:
            columns = [c.name for c in index.columns]
            step = CreateIndexStep(
                table.name, str(index.name), columns, bool(index.unique), index_where(index)
            )
            ctx.plan.add("index", step)
            if index.unique:
                _check_duplicates(ctx, table, columns, str(index.name))


def _check_duplicates(ctx: PlanContext, table: sa.Table, columns: list[str], index: str) -> None:
    if ctx.conn is None or not sa.inspect(ctx.conn).has_table(table.name):
        return
    existing = {c["name"] for c in sa.inspect(ctx.conn).get_columns(table.name)}
    if not set(columns) <= existing:
        return
    cols: list[sa.ColumnClause[Any]] = [sa.column(c) for c in columns]
    stmt = (
        sa.select(*cols, sa.func.count())
        .select_from(sa.table(table.name, *cols))
        .where(*(c.is_not(None) for c in cols))
        .group_by(*cols)
        .having(sa.func.count() > 1)
        .limit(MAX_LISTED_ROWS)
    )
    duplicates = [tuple(r[:-1]) for r in ctx.conn.execute(stmt)]
    if duplicates:
        ctx.plan.problems.append(
            FieldError(
                f"/entities/{table.name}/indexes/{index}",
                f"cannot be unique: these values occur more than once: {duplicates}",
                "duplicates",
            )
        )


def _change_entity(
    ctx: PlanContext,
    old: EntityTables,
    new: EntityTables,
    renames: Mapping[str, str],
    restores: Mapping[str, str],
) -> None:
    table = new.table.name
    renamed_to = {o: n for o, n in renames.items() if old.entity.field(o) and new.entity.field(n)}
    renamed_from = {n: o for o, n in renamed_to.items()}
    old_indexes = {str(ix.name): ix for ix in sorted(old.table.indexes, key=lambda i: str(i.name))}
    new_indexes = {str(ix.name): ix for ix in sorted(new.table.indexes, key=lambda i: str(i.name))}
    touched: set[str] = set()
    backfill: list[str] = []
    for f in new.entity.fields:
        previous = old.entity.field(renamed_from.get(f.name, f.name))
        ftype = ctx.registry.get(f.type)
        if previous is None and f.name in restores and f.name in new.columns:
            ctx.plan.add(
                "rename", RenameColumnStep(table, restores[f.name], new.columns[f.name], "restore")
            )
            continue
        if previous is None:
            _add_field(ctx, new, f)
            if ftype.computed:
                backfill.append(f.name)
            continue
        old_column = old.columns.get(previous.name)
        new_column = new.columns.get(f.name)
        if previous.name != f.name:
            if old_column and new_column:
                ctx.plan.add("rename", RenameColumnStep(table, old_column, new_column))
                touched.add(old_column)
            if previous.name in old.junctions and f.name in new.junctions:
                ctx.plan.add(
                    "rename",
                    RenameTableStep(
                        old.junctions[previous.name].name, new.junctions[f.name].name, "rename"
                    ),
                )
        if retype(ctx, old, new, previous, f) and old_column and new_column:
            touched.add(old_column)
            touched.add(new_column)
        if ftype.computed and dict(previous.spec) | {"name": f.name} != dict(f.spec):
            backfill.append(f.name)
    for f in old.entity.fields:
        if new.entity.field(renamed_to.get(f.name, f.name)) is None:
            _archive_field(ctx, old, f)
            if f.name in old.columns:
                touched.add(old.columns[f.name])
    for name, index in old_indexes.items():
        same = name in new_indexes and _same_index(index, new_indexes[name])
        if not same or {c.name for c in index.columns} & touched:
            ctx.plan.add("drop_index", DropIndexStep(table, name))
    create = [
        name
        for name, index in new_indexes.items()
        if name not in old_indexes
        or not _same_index(old_indexes[name], index)
        or {c.name for c in index.columns} & touched
    ]
    create += [
        name
        for name in _missing_indexes(ctx, new.table.name, old_indexes)
        if name in new_indexes and name not in create
    ]
    for name in _replaced_indexes(ctx, table, new_indexes):
        ctx.plan.add("drop_index", DropIndexStep(table, name))
    _create_indexes(ctx, new.table, create)
    if backfill:
        ctx.plan.add("backfill", BackfillStep(new.entity.name, backfill))


def _missing_indexes(ctx: PlanContext, table: str, expected: Mapping[str, sa.Index]) -> list[str]:
    """The indexes of the published version that the database does not have: those a newer
    Jimu builds for every table (like the ``owner_id`` index) on tables made before it."""
    if ctx.conn is None or not sa.inspect(ctx.conn).has_table(table):
        return []
    existing = {str(ix["name"]) for ix in sa.inspect(ctx.conn).get_indexes(table)}
    return [name for name in expected if name not in existing]


def _replaced_indexes(ctx: PlanContext, table: str, expected: Mapping[str, sa.Index]) -> list[str]:
    """Automatic indexes an older Jimu made that the database still has and the new version
    does not build (the full ``owner_id, id`` index, now partial under another name)."""
    if ctx.conn is None or not sa.inspect(ctx.conn).has_table(table):
        return []
    existing = {str(ix["name"]) for ix in sa.inspect(ctx.conn).get_indexes(table)}
    legacy = legacy_owner_index(table)
    return [legacy] if legacy in existing and legacy not in expected else []


def _same_index(a: sa.Index, b: sa.Index) -> bool:
    return (
        [c.name for c in a.columns] == [c.name for c in b.columns]
        and bool(a.unique) == bool(b.unique)
        and index_where(a) == index_where(b)
    )


def _add_field(ctx: PlanContext, new: EntityTables, f: Field) -> None:
    table = new.table.name
    if f.name in new.junctions:
        junction = new.junctions[f.name]
        ctx.plan.add("create", CreateTableStep(junction, with_foreign_keys=not ctx.postgres))
        _create_indexes(ctx, junction, [str(ix.name) for ix in junction.indexes])
        if ctx.postgres:
            for fk in sorted(junction.foreign_keys, key=lambda k: k.parent.name):
                ctx.plan.add(
                    "fk",
                    AddForeignKeyStep(
                        junction.name, fk.parent.name, fk.column.table.name, "CASCADE"
                    ),
                )
        return
    column_name = new.columns.get(f.name)
    if column_name is None:
        return
    column = new.table.c[column_name]
    bare = sa.Column(column.name, column.type, nullable=True)
    targets = sorted(fk.column.table.name for fk in column.foreign_keys)
    inline = targets[0] if targets and not ctx.postgres else None
    ctx.plan.add("add", AddColumnStep(table, bare, f.name, references=inline))
    if ctx.postgres:
        for fk in sorted(column.foreign_keys, key=lambda k: k.target_fullname):
            ctx.plan.add(
                "fk", AddForeignKeyStep(table, column.name, fk.column.table.name, "SET NULL")
            )


def _archive_field(ctx: PlanContext, old: EntityTables, f: Field) -> None:
    table = old.table.name
    if f.name in old.junctions:
        junction = old.junctions[f.name].name
        archived = identifier("_archived", junction)
        ctx.plan.add("archive", RenameTableStep(junction, archived))
        return
    column = old.columns.get(f.name)
    if column is None:
        return
    archived = archive_name(ctx, table, f.name)
    ctx.plan.add(
        "archive",
        ArchiveColumnStep(table, column, archived, field=f.name, definition=dict(f.spec)),
    )


def _archive_entity(ctx: PlanContext, tables: EntityTables) -> None:
    for table in [tables.table, *tables.junctions.values()]:
        ctx.plan.add("archive", RenameTableStep(table.name, identifier("_archived", table.name)))
