"""``Records``: the one write path and the read path of entity records (see docs/records.md)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.records import audit, lifecycle, query
from jimu.platform.records.context import ImportReport, ListQuery, Page, WriteContext
from jimu.platform.records.create import create_records
from jimu.platform.records.rows import utcnow
from jimu.platform.records.update import Patch, update_records
from jimu.platform.records.write_path import compile_app


class Records:
    """The records of one published app version. Holds no connection; share it freely."""

    def __init__(self, model: AppModel, registry: FieldTypeRegistry | None = None) -> None:
        self.runtime = compile_app(model, registry)
        self.model = model

    @property
    def app(self) -> str:
        return self.model.name

    def table(self, entity: str) -> sa.Table:
        """The SQLAlchemy table of ``entity`` (for reports; never write through it)."""
        return self.runtime.entity(entity).table

    # -- writes ---------------------------------------------------------------------------

    def create(
        self, conn: sa.Connection, entity: str, data: Mapping[str, Any], ctx: WriteContext
    ) -> dict[str, Any]:
        rt = self.runtime.entity(entity)
        return create_records(conn, self.runtime, rt, [data], ctx, utcnow(), [""])[0]

    def bulk_create(
        self,
        conn: sa.Connection,
        entity: str,
        rows: Sequence[Mapping[str, Any]],
        ctx: WriteContext,
    ) -> builtins.list[dict[str, Any]]:
        """All rows or none; errors point at ``/<row>/<field>``."""
        rt = self.runtime.entity(entity)
        prefixes = [f"/{i}" for i in range(len(rows))]
        return create_records(conn, self.runtime, rt, rows, ctx, utcnow(), prefixes)

    def update(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        changes: Mapping[str, Any],
        ctx: WriteContext,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        rt = self.runtime.entity(entity)
        patch = [Patch(record_id, changes, expected_version)]
        return update_records(conn, self.runtime, rt, patch, ctx, utcnow(), [""])[0]

    def bulk_update(
        self,
        conn: sa.Connection,
        entity: str,
        changes: Sequence[Mapping[str, Any]],
        ctx: WriteContext,
    ) -> builtins.list[dict[str, Any]]:
        """Each item has ``id``, optionally ``version`` (checked), and the fields to change."""
        rt = self.runtime.entity(entity)
        errors = [
            FieldError(f"/{i}/id", "is required", "required")
            for i, item in enumerate(changes)
            if not isinstance(item.get("id"), int)
        ]
        seen: set[int] = set()
        for i, item in enumerate(changes):
            if item.get("id") in seen:
                errors.append(
                    FieldError(f"/{i}/id", "is changed twice in one request", "duplicate")
                )
            seen.add(item.get("id"))  # type: ignore[arg-type]
        if errors:
            raise ValidationFailed("Every change needs the id of its record.", errors)
        patches = [
            Patch(
                int(item["id"]),
                {k: v for k, v in item.items() if k not in ("id", "version")},
                item.get("version"),
            )
            for item in changes
        ]
        prefixes = [f"/{i}" for i in range(len(changes))]
        return update_records(conn, self.runtime, rt, patches, ctx, utcnow(), prefixes)

    def delete(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        ctx: WriteContext,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Soft delete: the record moves to the recycle bin."""
        rt = self.runtime.entity(entity)
        return lifecycle.set_deleted(
            conn,
            self.runtime,
            rt,
            [record_id],
            ctx,
            utcnow(),
            deleted=True,
            expected_version=expected_version,
        )[0]

    def restore(
        self, conn: sa.Connection, entity: str, record_id: int, ctx: WriteContext
    ) -> dict[str, Any]:
        rt = self.runtime.entity(entity)
        return lifecycle.set_deleted(
            conn, self.runtime, rt, [record_id], ctx, utcnow(), deleted=False
        )[0]

    def purge(self, conn: sa.Connection, entity: str, record_id: int, ctx: WriteContext) -> None:
        """Delete a record in the recycle bin for good."""
        rt = self.runtime.entity(entity)
        lifecycle.purge(conn, self.runtime, rt, [record_id], ctx, utcnow())

    # -- reads ----------------------------------------------------------------------------

    def get(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        fields: Sequence[str] | None = None,
        include_deleted: bool = False,
        hidden: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """The record; ``hidden`` fields are neither selectable nor returned."""
        rt = self.runtime.entity(entity)
        return query.get_record(conn, self.runtime, rt, record_id, fields, include_deleted, hidden)

    def list(self, conn: sa.Connection, entity: str, q: ListQuery | None = None) -> Page:
        rt = self.runtime.entity(entity)
        return query.list_records(conn, self.runtime, rt, q or ListQuery())

    def recycle_bin(self, conn: sa.Connection, entity: str, q: ListQuery | None = None) -> Page:
        q = q or ListQuery()
        rt = self.runtime.entity(entity)
        return query.list_records(conn, self.runtime, rt, replace(q, deleted=True))

    def history(
        self, conn: sa.Connection, entity: str, record_id: int
    ) -> builtins.list[dict[str, Any]]:
        self.runtime.entity(entity)
        return audit.read_history(conn, self.app, entity, record_id)

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
    ) -> ImportReport:
        """Check or import a file; columns of ``skip`` fields are not mapped automatically."""
        from jimu.platform.records.transfer import import_rows

        rt = self.runtime.entity(entity)
        return import_rows(conn, self, rt, data, format, ctx, mapping, dry_run, skip)

    def export(
        self, conn: sa.Connection, entity: str, q: ListQuery | None = None, format: str = "csv"
    ) -> bytes:
        from jimu.platform.records.transfer import export_rows

        rt = self.runtime.entity(entity)
        return export_rows(conn, self, rt, q or ListQuery(), format)
