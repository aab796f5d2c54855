"""The steps of a schema change. Each one says in words what it does and runs as Alembic
operations, either on a live connection or in "offline" mode that only prints the SQL.

On SQLite every step uses ALTER TABLE forms SQLite runs natively (ADD, RENAME and DROP COLUMN;
a link column is added with its ``REFERENCES`` clause), never a batch-mode table copy: copying
a table drops the original, and with foreign keys on that fires ``ON DELETE`` actions in the
tables that link to it (every link to a copied lead would be set to NULL).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from sqlalchemy.schema import CreateTable


class Step:
    """One schema change step."""

    def describe(self) -> str:
        raise NotImplementedError

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        """Apply the step; ``conn`` is None in offline (SQL preview) mode."""
        raise NotImplementedError


@dataclass
class CreateTableStep(Step):
    table: sa.Table
    with_foreign_keys: bool = True

    def describe(self) -> str:
        return f"create table {self.table.name}"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        fks: list[sa.ForeignKeyConstraint] | None = None if self.with_foreign_keys else []
        ops.execute(CreateTable(self.table, include_foreign_key_constraints=fks))


@dataclass
class AddForeignKeyStep(Step):
    table: str
    column: str
    target: str
    ondelete: str

    def describe(self) -> str:
        return f"link {self.table}.{self.column} to {self.target}"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        name = f"fk_{self.table}_{self.column}"[:63]
        ops.create_foreign_key(
            name, self.table, self.target, [self.column], ["id"], ondelete=self.ondelete
        )


@dataclass
class CreateIndexStep(Step):
    table: str
    name: str
    columns: list[str]
    unique: bool
    #: The SQL condition of a partial index (None: every row).
    where: str | None = None

    def describe(self) -> str:
        kind = "unique index" if self.unique else "index"
        rows = "" if self.where is None else f" where {self.where}"
        return f"create {kind} {self.name} on {self.table} ({', '.join(self.columns)}){rows}"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        where: dict[str, Any] = {}
        if self.where is not None:
            where = {"sqlite_where": sa.text(self.where), "postgresql_where": sa.text(self.where)}
        ops.create_index(self.name, self.table, self.columns, unique=self.unique, **where)


@dataclass
class DropIndexStep(Step):
    table: str
    name: str

    def describe(self) -> str:
        return f"drop index {self.name} on {self.table}"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        ops.drop_index(self.name, table_name=self.table)


@dataclass
class AddColumnStep(Step):
    table: str
    column: sa.Column[Any]
    field: str
    #: A link column added on SQLite: the table it refers to. SQLite cannot add a foreign key
    #: to an existing column, but ``ADD COLUMN ... REFERENCES`` is native (the column starts
    #: NULL), so the link gets the same ``ON DELETE SET NULL`` key as on PostgreSQL.
    references: str | None = None

    def describe(self) -> str:
        column = self.column
        text = f"add column {self.table}.{column.name} ({column.type}) for field {self.field!r}"
        return text if self.references is None else f"{text}, linked to {self.references}"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        if self.references is None:
            ops.add_column(self.table, self.column._copy())
            return
        dialect = ops.get_context().dialect
        quote = dialect.identifier_preparer.quote
        column_type = self.column.type.compile(dialect=dialect)
        ops.execute(
            f"ALTER TABLE {quote(self.table)} ADD COLUMN {quote(self.column.name)} {column_type}"
            f" REFERENCES {quote(self.references)} (id) ON DELETE SET NULL"
        )


@dataclass
class RenameColumnStep(Step):
    table: str
    old: str
    new: str
    reason: str = "rename"

    def describe(self) -> str:
        return f"{self.reason} column {self.table}.{self.old} as {self.new}"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        ops.alter_column(self.table, self.old, new_column_name=self.new)


@dataclass
class ArchiveColumnStep(RenameColumnStep):
    """A removed field's column renamed to ``_archived_<field>_<n>`` (data kept)."""

    field: str = ""
    definition: dict[str, Any] = dataclasses.field(default_factory=dict)
    reason: str = "archive"


@dataclass
class RenameTableStep(Step):
    old: str
    new: str
    reason: str = "archive"

    def describe(self) -> str:
        return f"{self.reason} table {self.old} as {self.new}"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        ops.rename_table(self.old, self.new)


@dataclass
class ConvertColumnStep(Step):
    """A field's values converted to a new type: new column, converted values, swap.

    ``values`` holds (id, converted value) for every row with a value that converts; the plan
    computed it and found that every row converts, or the admin chose to keep the old column
    (``archive_as``): then it is renamed to that archived column instead of dropped, so the
    values that do not convert stay there (the new column is empty for those rows).
    """

    table: str
    column: str
    field: str
    new_column: sa.Column[Any]
    values: Sequence[tuple[int, Any]]
    old_type: str = ""
    #: The archived column the old column becomes (None: it is dropped once converted).
    archive_as: str | None = None
    #: The field's definition before the change (kept with the archived column).
    definition: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def temporary(self) -> str:
        return f"_jimu_new_{self.new_column.name}"[:63]

    def describe(self) -> str:
        text = (
            f"convert {self.table}.{self.column} from {self.old_type} to {self.new_column.type} "
            f"({len(self.values)} values)"
        )
        return (
            text
            if self.archive_as is None
            else f"{text}, archiving the old column as {self.archive_as}"
        )

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        temp: sa.Column[Any] = sa.Column(self.temporary, self.new_column.type, nullable=True)
        ops.add_column(self.table, temp)
        if conn is not None and self.values:
            table = sa.table(self.table, sa.column("id"), sa.column(self.temporary, temp.type))
            stmt = (
                sa.update(table)
                .where(table.c.id == sa.bindparam("_id"))
                .values({self.temporary: sa.bindparam("_value", type_=temp.type)})
            )
            conn.execute(stmt, [{"_id": i, "_value": v} for i, v in self.values])
        elif conn is None:
            ops.execute(f"-- copy {len(self.values)} converted values into {self.temporary}")
        if self.archive_as is None:
            ops.drop_column(self.table, self.column)
        else:
            ops.alter_column(self.table, self.column, new_column_name=self.archive_as)
        ops.alter_column(self.table, self.temporary, new_column_name=self.new_column.name)


@dataclass
class AlterTypeStep(Step):
    """A column type change that needs no value conversion (e.g. a longer VARCHAR)."""

    table: str
    column: str
    old_type: sa.types.TypeEngine[Any]
    new_type: sa.types.TypeEngine[Any]

    def describe(self) -> str:
        return f"change {self.table}.{self.column} from {self.old_type} to {self.new_type}"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        ops.alter_column(self.table, self.column, type_=self.new_type, existing_type=self.old_type)


@dataclass
class BackfillStep(Step):
    """Derived fields to compute for the rows already in the table (done by the platform)."""

    entity: str
    fields: list[str]

    def describe(self) -> str:
        return f"compute {', '.join(self.fields)} for the existing {self.entity} records"

    def run(self, ops: Operations, conn: sa.Connection | None) -> None:
        """Nothing to do in SQL: the platform recomputes through the record write path."""
