"""The plan being built and what building it needs (old and new app, tables, connection)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from jimu.engines.form.migrate.steps import ArchiveColumnStep, BackfillStep, Step
from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.tables import EntityTables
from jimu.errors import FieldError

#: Steps run in this order of their phase.
PHASES = ("drop_index", "archive", "rename", "create", "add", "convert", "fk", "index", "backfill")
#: At most this many rows are listed in a problem.
MAX_LISTED_ROWS = 50


@dataclass
class Plan:
    """What a publish will do to the database."""

    steps: list[tuple[str, Step]] = field(default_factory=list)
    problems: list[FieldError] = field(default_factory=list)

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
