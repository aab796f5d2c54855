"""``RecordService``: the one interface of the records of an app, guarded or not.

``Records`` (the system's view: the write path and the read path) and ``GuardedRecords`` (the
same for one user, with their access enforced) both keep to it, and mypy checks that they do
(``SERVICES`` below): a method added to one and not the other, or a parameter that differs,
fails the type check instead of drifting. Code that only reads and writes records (a rule
action, a process step, a public form) takes a ``RecordService`` and works with either.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.platform.records.context import ImportReport, ListQuery, Page, WriteContext
from jimu.platform.records.runtime import AppRuntime

Record = dict[str, Any]


class RecordService(Protocol):
    """The records of one published app version; every method takes the caller's connection
    (in a transaction the caller has begun) and never commits."""

    @property
    def model(self) -> AppModel: ...

    @property
    def runtime(self) -> AppRuntime: ...

    @property
    def app(self) -> str: ...

    def table(self, entity: str) -> sa.Table: ...

    # -- writes ---------------------------------------------------------------------------

    def create(
        self, conn: sa.Connection, entity: str, data: Mapping[str, Any], ctx: WriteContext
    ) -> Record: ...

    def bulk_create(
        self,
        conn: sa.Connection,
        entity: str,
        rows: Sequence[Mapping[str, Any]],
        ctx: WriteContext,
    ) -> builtins.list[Record]: ...

    def update(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        changes: Mapping[str, Any],
        ctx: WriteContext,
        expected_version: int | None = None,
    ) -> Record: ...

    def bulk_update(
        self,
        conn: sa.Connection,
        entity: str,
        changes: Sequence[Mapping[str, Any]],
        ctx: WriteContext,
    ) -> builtins.list[Record]: ...

    def delete(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        ctx: WriteContext,
        expected_version: int | None = None,
    ) -> Record: ...

    def restore(
        self, conn: sa.Connection, entity: str, record_id: int, ctx: WriteContext
    ) -> Record: ...

    def purge(
        self, conn: sa.Connection, entity: str, record_id: int, ctx: WriteContext
    ) -> None: ...

    # -- reads ----------------------------------------------------------------------------

    def get(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        fields: Sequence[str] | None = None,
        include_deleted: bool = False,
        hidden: frozenset[str] = frozenset(),
    ) -> Record: ...

    def list(self, conn: sa.Connection, entity: str, q: ListQuery | None = None) -> Page: ...

    def recycle_bin(self, conn: sa.Connection, entity: str, q: ListQuery | None = None) -> Page: ...

    def history(
        self, conn: sa.Connection, entity: str, record_id: int
    ) -> builtins.list[Record]: ...

    # -- files ----------------------------------------------------------------------------

    def import_file(
        self,
        conn: sa.Connection,
        entity: str,
        data: bytes,
        format: str,
        ctx: WriteContext,
        mapping: Mapping[str, str] | None = None,
        dry_run: bool = True,
        skip: frozenset[str] = frozenset(),
    ) -> ImportReport: ...

    def export(
        self,
        conn: sa.Connection,
        entity: str,
        q: ListQuery | None = None,
        format: str = "csv",
    ) -> bytes: ...


if TYPE_CHECKING:
    from jimu.platform.access.guarded import GuardedRecords
    from jimu.platform.records.service import Records

    #: mypy fails here when either service no longer keeps to ``RecordService``.
    SERVICES: tuple[type[RecordService], ...] = (Records, GuardedRecords)
