"""The steps a write runs after it stores its records, and the typed change it hands them.

A write (``create_records``, ``apply_updates``: creates, updates, deletes, restores, derived
refreshes) goes: validate → compute → store the rows → write history and outbox events →
**after-store steps**, in order, in the write's transaction. The after-store steps are named
and listed on the app's runtime (``AppRuntime.pipeline``); ``jimu.platform.records.write_path``
installs the standard ones:

1. ``sub-table rows`` — the rows of the records' sub-tables (created, changed, removed);
2. ``dependents`` — lookups and rollups of *other* records that the write made stale, written
   through the same path (so their own steps run too, ``depth`` + 1).

Each step gets a ``StoredBatch``: the records of one entity the write stored, each a
``Stored`` (values after, values before or None for a create, its outbox event). The rule and
process engines hook in with ``pipeline.add(name, step)`` (or ``before="dependents"``); a step
that raises undoes the whole write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.errors import JimuError
from jimu.platform.records.context import WriteContext

if TYPE_CHECKING:
    from jimu.platform.records.runtime import AppRuntime, EntityRuntime


@dataclass(slots=True)
class Stored:
    """One record a write stored."""

    #: Its stored values by field name after the write (``id`` included). Steps may add the
    #: values they write (the ``sub-table rows`` step adds each sub-table's rows).
    new: dict[str, Any]
    #: Its stored values before the write; None when the write created it.
    old: Mapping[str, Any] | None
    #: The outbox event written with it (children and derived writes name it as their cause).
    event_id: int
    #: The sub-table rows the write gives it, by sub-table field (JSON input).
    children: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: The JSON pointer of its input (``/3`` in a bulk write), for errors of its children.
    pointer: str = ""

    @property
    def created(self) -> bool:
        return self.old is None


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """The records of one entity that one write stored: what every after-store step gets."""

    app: AppRuntime
    rt: EntityRuntime
    records: Sequence[Stored]
    ctx: WriteContext
    now: datetime


#: A step run after a write stored its records, in the write's transaction.
AfterStore = Callable[[sa.Connection, StoredBatch], None]


@dataclass
class WritePipeline:
    """The named after-store steps of one app, in the order they run."""

    steps: list[tuple[str, AfterStore]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.steps]

    def add(self, name: str, step: AfterStore, *, before: str | None = None) -> None:
        """Add ``step`` at the end, or just before the step called ``before``."""
        if name in self.names:
            raise ValueError(f"The write pipeline already has a step {name!r}.")
        at = self.names.index(before) if before is not None else len(self.steps)
        self.steps.insert(at, (name, step))

    def after_store(self, conn: sa.Connection, batch: StoredBatch) -> None:
        """Run every step on ``batch`` (nothing when it stored no record)."""
        if not batch.records:
            return
        if not self.steps:
            raise JimuError(
                f"The write path of app {batch.app.model.name!r} has no steps: "
                "build its runtime with jimu.platform.records.write_path.compile_app()."
            )
        for _, step in self.steps:
            step(conn, batch)
