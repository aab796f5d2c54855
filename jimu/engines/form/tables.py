"""Entity documents → SQLAlchemy tables: real columns, system columns, indexes, junctions.

``build_tables(app, registry)`` returns an :class:`EntityTables` per entity, all in one
``MetaData``. Link fields get a ``<name>_id`` column with a foreign key and an index; many-links
a junction table ``<app>_<entity>__<field>`` (``source_id``, ``target_id``). Declared indexes
(``indexes`` of the entity, ``index``/``unique`` of a field) become indexes too, and every
table has an index on ``(owner_id, id)`` over the rows not in the recycle bin (partial, see
:func:`owner_index`): the ``own``, ``department`` and ``department_tree`` data scopes of roles
filter on ``owner_id`` (see docs/access.md), lists are newest id first by default and only show
live rows, so a scoped page or count reads the index alone; a second partial index on the same
columns over the deleted rows serves the recycle bin (:func:`recycle_bin_index`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa

from jimu.engines.form.model import AppModel, Entity, Field
from jimu.engines.form.naming import identifier, index_name, junction_name, table_name
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.sqltypes import BigId, UTCDateTime
from jimu.engines.form.types.base import FieldContext


@dataclass
class EntityTables:
    """The table of one entity and the junction tables of its many-links (by field name)."""

    entity: Entity
    table: sa.Table
    junctions: dict[str, sa.Table] = field(default_factory=dict)
    #: field name → column name for every field with a column (links: ``<name>_id``).
    columns: dict[str, str] = field(default_factory=dict)


def system_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True, index=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
    ]


def field_column(
    f: Field, ctx: FieldContext, registry: FieldTypeRegistry, *, foreign_keys: bool = True
) -> sa.Column[Any] | None:
    """The column of field ``f`` (with its link foreign key), or None if it has none."""
    ftype = registry.get(f.type)
    if not ftype.stores_column(f):
        return None
    args: list[Any] = []
    if f.type == "link" and foreign_keys:
        target = table_name(ctx.app.name, str(f.get("target")))
        args.append(sa.ForeignKey(f"{target}.id", ondelete="SET NULL"))
    return sa.Column(ftype.column_name(f), ftype.column_type(f, ctx), *args, nullable=True)


#: The predicate of the automatic owner index: the rows lists, counts and scopes read.
LIVE_ROWS = "deleted_at IS NULL"
#: The predicate of the recycle bin's index.
BIN_ROWS = "deleted_at IS NOT NULL"


class IndexSpec(NamedTuple):
    """One index of an entity table: name, columns, unique, and for a partial index the SQL
    condition of the rows it covers."""

    name: str
    columns: list[str]
    unique: bool
    where: str | None = None


def field_indexes(
    f: Field, table: str, column: str, registry: FieldTypeRegistry
) -> list[IndexSpec]:
    """(name, columns, unique) of the indexes a field asks for, declared or automatic."""
    unique = f.unique or f.type == "autonumber"
    if unique:
        return [IndexSpec(index_name(table, [column], unique=True), [column], True)]
    if f.indexed or f.type in ("link", "user", "department"):
        return [IndexSpec(index_name(table, [column]), [column], False)]
    return []


def declared_indexes(entity: Entity, table: str, columns: Mapping[str, str]) -> list[IndexSpec]:
    result = []
    for spec in entity.indexes:
        cols = [columns.get(str(name), str(name)) for name in spec.get("fields", [])]
        unique = bool(spec.get("unique", False))
        result.append(
            IndexSpec(str(spec.get("name") or index_name(table, cols, unique)), cols, unique)
        )
    return result


def owner_index(table: str) -> IndexSpec:
    """The index data scopes use (``owner_id = ?``, ``owner_id IN (...)``), over live rows.

    With ``id`` after the owner, one owner's rows come newest id first straight from the index
    (the default order of lists; PostgreSQL would otherwise walk the primary key past everyone
    else's rows). Partial (``WHERE deleted_at IS NULL``, which every list, count and scope
    check has), so it leaves out the recycle bin; ``deleted_at`` is a column of it too (always
    NULL) only so that SQLite sees the index covers a count's WHERE and counts from the index
    alone, as PostgreSQL's index-only scan does without it."""
    return IndexSpec(
        identifier("ix", table, "owner", "live"), ["owner_id", "id", "deleted_at"], False, LIVE_ROWS
    )


def recycle_bin_index(table: str) -> IndexSpec:
    """The recycle bin's index: ``(owner_id, id)`` over the deleted rows only.

    The owner index leaves the bin out, so without this a rep's recycle bin (``owner_id = ?``
    and ``deleted_at IS NOT NULL``, newest first) would read the whole table. Partial the
    other way round, it costs a write only when a record is deleted or restored: creating
    and editing live records never touch it."""
    return IndexSpec(
        identifier("ix", table, "owner", "deleted"), ["owner_id", "id"], False, BIN_ROWS
    )


def legacy_owner_index(table: str) -> str:
    """The name of the full ``(owner_id, id)`` index Jimu made before :func:`owner_index`
    (a publish replaces it, unless the entity declares that index itself)."""
    return index_name(table, ["owner_id", "id"])


def index_where(index: sa.Index) -> str | None:
    """The condition of a partial index built by :func:`build_entity_table` (None: full)."""
    where = index.dialect_options["sqlite"].get("where")
    return None if where is None else str(where)


def build_entity_table(
    app: AppModel,
    entity: Entity,
    registry: FieldTypeRegistry,
    metadata: sa.MetaData,
    *,
    foreign_keys: bool = True,
) -> EntityTables:
    name = table_name(app.name, entity.name)
    ctx = FieldContext(app, entity, registry)
    columns: list[sa.Column[Any]] = [sa.Column("id", BigId, primary_key=True, autoincrement=True)]
    column_names: dict[str, str] = {}
    indexes: list[IndexSpec] = []
    for f in entity.fields:
        column = field_column(f, ctx, registry, foreign_keys=foreign_keys)
        if column is None:
            continue
        columns.append(column)
        column_names[f.name] = column.name
        indexes.extend(field_indexes(f, name, column.name, registry))
    columns.extend(system_columns())
    indexes.extend(declared_indexes(entity, name, column_names))
    indexes.append(owner_index(name))
    indexes.append(recycle_bin_index(name))
    table = sa.Table(name, metadata, *columns)
    seen: set[str] = set()
    for index in indexes:
        if index.name not in seen:
            seen.add(index.name)
            where = {} if index.where is None else partial(index.where)
            sa.Index(index.name, *(table.c[c] for c in index.columns), unique=index.unique, **where)
    result = EntityTables(entity, table, columns=column_names)
    for f in entity.fields:
        if f.type == "link" and f.get("many", False):
            result.junctions[f.name] = junction_table(app, entity, f, metadata)
    return result


def partial(where: str) -> dict[str, Any]:
    """The ``sa.Index`` keywords of a partial index over the rows that meet ``where``."""
    return {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}


def junction_table(app: AppModel, entity: Entity, f: Field, metadata: sa.MetaData) -> sa.Table:
    name = junction_name(app.name, entity.name, f.name)
    source = table_name(app.name, entity.name)
    target = table_name(app.name, str(f.get("target")))
    return sa.Table(
        name,
        metadata,
        sa.Column(
            "source_id", BigId, sa.ForeignKey(f"{source}.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "target_id", BigId, sa.ForeignKey(f"{target}.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Index(index_name(name, ["target_id"]), "target_id"),
    )


def build_tables(
    app: AppModel, registry: FieldTypeRegistry, metadata: sa.MetaData | None = None
) -> dict[str, EntityTables]:
    """The tables of every entity of ``app`` (in one MetaData, so foreign keys resolve)."""
    metadata = metadata if metadata is not None else sa.MetaData()
    return {
        name: build_entity_table(app, entity, registry, metadata)
        for name, entity in app.entities.items()
    }
