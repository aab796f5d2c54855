"""Archived columns of removed fields: list, restore (with their data), purge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.metadata.jsonio import canonical
from jimu.platform.metadata_store.documents import get, load_app
from jimu.platform.metadata_store.drafts import put_draft
from jimu.platform.metadata_store.publishing import ARCHIVED, PublishPlan, publish


def archived_columns(
    conn: sa.Connection, app: str, entity: str | None = None
) -> list[dict[str, Any]]:
    stmt = sa.select(ARCHIVED).where(ARCHIVED.c.app == app)
    if entity is not None:
        stmt = stmt.where(ARCHIVED.c.entity == entity)
    return [dict(r) for r in conn.execute(stmt.order_by(ARCHIVED.c.archived_at)).mappings()]


def _archived(conn: sa.Connection, app: str, entity: str, column_name: str) -> Mapping[Any, Any]:
    row = (
        conn.execute(
            sa.select(ARCHIVED).where(
                ARCHIVED.c.app == app,
                ARCHIVED.c.entity == entity,
                ARCHIVED.c.column_name == column_name,
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"There is no archived column {column_name!r} of {app}.{entity}.")
    return row


def purge_archived(conn: sa.Connection, app: str, entity: str, column_name: str) -> None:
    """Drop an archived column for good."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    _archived(conn, app, entity, column_name)
    model = load_app(conn, app)
    ops = Operations(MigrationContext.configure(conn))
    ops.drop_column(model.table_name(entity), column_name)
    conn.execute(
        sa.delete(ARCHIVED).where(
            ARCHIVED.c.app == app,
            ARCHIVED.c.entity == entity,
            ARCHIVED.c.column_name == column_name,
        )
    )


def restore_archived(
    conn: sa.Connection, app: str, entity: str, column_name: str, actor_id: int | None = None
) -> PublishPlan:
    """Bring a removed field back with its data: the field is added to the entity again and its
    archived column renamed back (published at once)."""
    row = _archived(conn, app, entity, column_name)
    doc = get(conn, app, "entity", entity).body
    definition = dict(row["definition"])
    if any(f["name"] == definition["name"] for f in doc["fields"]):
        raise ValidationFailed(
            "The field exists again.",
            [FieldError("/fields", f"{definition['name']!r} is already a field of {entity}")],
        )
    doc = canonical({**doc, "fields": [*doc["fields"], definition]})
    put_draft(conn, app, "entity", entity, doc, actor_id, f"restore {column_name}")
    result = publish(
        conn, app, "entity", entity, actor_id, restores={entity: {definition["name"]: column_name}}
    )
    conn.execute(
        sa.delete(ARCHIVED).where(
            ARCHIVED.c.app == app,
            ARCHIVED.c.entity == entity,
            ARCHIVED.c.column_name == column_name,
        )
    )
    return result
