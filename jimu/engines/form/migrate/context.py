"""The plan being built and what building it needs (old and new app, tables, connection)."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from jimu.engines.form.migrate.steps import (
    ArchiveColumnStep,
    BackfillStep,
    ConvertColumnStep,
    Step,
)
from jimu.engines.form.model import AppModel
from jimu.engines.form.naming import identifier
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.tables import EntityTables
from jimu.errors import FieldError

#: Steps run in this order of their phase.
PHASES = ("drop_index", "archive", "rename", "create", "add", "convert", "fk", "index", "backfill")
#: At most this many rows are listed in a problem.
MAX_LISTED_ROWS = 50


class ArchivedRecord(NamedTuple):
    """A column a publish keeps under an archived name (to record with its old definition)."""

    table: str
    field: str
    column: str
    definition: dict[str, Any]


@dataclass
class FailedRow:
    """A stored value that does not convert to a field's new type."""

    id: int
    title: str | None
    value: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "value": self.value, "reason": self.reason}


@dataclass
class Conversion:
    """A field whose stored values a publish converts: how many do and which rows don't."""

    entity: str
    field: str
    #: The field's type in the app folder (``/entities/<entity>/fields/<i>/type``).
    pointer: str
    from_type: str
    to_type: str
    converted: int
    failed: int = 0
    #: The first failing rows (at most MAX_LISTED_ROWS), by id.
    rows: list[FailedRow] = dataclasses.field(default_factory=list)
    #: The archived column the old values are kept in (None: the old column is dropped).
    archive_as: str | None = None

    @property
    def loses_data(self) -> bool:
        """True when some values would be lost: they fail and the old column is not kept."""
        return self.failed > 0 and self.archive_as is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "field": self.field,
            "pointer": self.pointer,
            "from_type": self.from_type,
            "to_type": self.to_type,
            "converted": self.converted,
            "failed": self.failed,
            "rows": [r.as_dict() for r in self.rows],
            "archive_as": self.archive_as,
        }


@dataclass
class Plan:
    """What a publish will do to the database."""

    steps: list[tuple[str, Step]] = field(default_factory=list)
    problems: list[FieldError] = field(default_factory=list)
    #: Every field whose values are converted, with the rows that would fail.
    conversions: list[Conversion] = field(default_factory=list)

    def add(self, phase: str, step: Step) -> None:
        self.steps.append((phase, step))

    def ordered(self) -> list[Step]:
        return [s for _, s in sorted(self.steps, key=lambda p: PHASES.index(p[0]))]

    def describe(self) -> list[str]:
        return [step.describe() for step in self.ordered()]

    @property
    def archived(self) -> list[ArchiveColumnStep]:
        return [s for s in self.ordered() if isinstance(s, ArchiveColumnStep)]

    @property
    def archived_records(self) -> list[ArchivedRecord]:
        """Every column this plan keeps under an archived name: removed fields' columns and
        the old columns of conversions the admin chose to archive."""
        records = [ArchivedRecord(s.table, s.field, s.new, s.definition) for s in self.archived]
        records += [
            ArchivedRecord(s.table, s.field, s.archive_as, s.definition)
            for s in self.ordered()
            if isinstance(s, ConvertColumnStep) and s.archive_as is not None
        ]
        return records

    @property
    def backfills(self) -> list[BackfillStep]:
        return [s for s in self.ordered() if isinstance(s, BackfillStep)]

    def sql(self, dialect: str) -> list[str]:
        """The SQL the steps run, for a dry run (nothing is executed)."""
        buffer = io.StringIO()
        ctx = MigrationContext.configure(
            dialect_name=dialect,
            opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True},
        )
        ops = Operations(ctx)
        for step in self.ordered():
            step.run(ops, None)
        return [s.strip() for s in buffer.getvalue().split(";\n") if s.strip()]

    def apply(self, conn: sa.Connection) -> None:
        """Run every step on ``conn`` (inside the caller's transaction)."""
        ops = Operations(MigrationContext.configure(conn))
        for step in self.ordered():
            step.run(ops, conn)


@dataclass
class PlanContext:
    conn: sa.Connection | None
    app: str
    old: AppModel | None
    new: AppModel
    registry: FieldTypeRegistry
    old_tables: dict[str, EntityTables]
    new_tables: dict[str, EntityTables]
    plan: Plan
    postgres: bool
    taken_names: dict[str, set[str]] = field(default_factory=dict)
    #: entity → fields whose old column a conversion keeps archived (the admin's choice).
    archive: Mapping[str, Collection[str]] = field(default_factory=dict)


def archive_name(ctx: PlanContext, table: str, field_name: str) -> str:
    """A free ``_archived_<field>_<n>`` column name in ``table``."""
    taken = ctx.taken_names.setdefault(table, set())
    if ctx.conn is not None and sa.inspect(ctx.conn).has_table(table) and not taken:
        taken.update(c["name"] for c in sa.inspect(ctx.conn).get_columns(table))
    n = 1
    while (name := identifier("_archived", field_name, str(n))) in taken:
        n += 1
    taken.add(name)
    return name
