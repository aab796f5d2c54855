"""Publishing drafts: validation of the whole app, the schema change, statuses, backfills."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.migrate import Plan, plan_changes
from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.metadata.decision_tables import decision_table_report
from jimu.metadata.paths import document_path
from jimu.metadata.pointers import with_file
from jimu.metadata.validate import validate_app_documents
from jimu.platform.metadata_store.documents import (
    DOCS,
    PUBLISHED,
    SUPERSEDED,
    DocumentVersion,
    document_name,
    get,
    lock_app,
    model_of,
    published_bodies,
    where,
)
from jimu.platform.metadata_store.drafts import drafts_of, put_draft
from jimu.platform.models import ArchivedColumn, utcnow

ARCHIVED: sa.Table = ArchivedColumn.__table__  # type: ignore[assignment]


@dataclass
class PublishPlan:
    """What a publish does (or did): the documents, the schema steps and their SQL."""

    documents: list[DocumentVersion]
    steps: list[str]
    sql: list[str]
    plan: Plan
    #: What publishing allows but the admin should know (rows a decision table never reaches).
    warnings: list[FieldError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": [
                {"kind": d.kind, "name": d.name, "version": d.version} for d in self.documents
            ],
            "steps": self.steps,
            "sql": self.sql,
            "warnings": [w.as_dict() for w in self.warnings],
        }


def publish_warnings(
    drafts: list[DocumentVersion], model: AppModel, registry: FieldTypeRegistry
) -> list[FieldError]:
    """The warnings of the drafts being published (pointers into the app folder)."""
    return [
        FieldError(with_file(document_path(d.body), w.pointer), w.message, w.code)
        for d in drafts
        if d.kind == "decision_table"
        for w in decision_table_report(d.body, model, registry).warnings
    ]


Archive = Mapping[str, Collection[str]]


@dataclass
class PublishPreview:
    """What publishing the drafts would do, problems included (nothing is refused or run)."""

    documents: list[DocumentVersion]
    steps: list[str]
    sql: list[str]
    plan: Plan
    warnings: list[FieldError] = field(default_factory=list)

    @property
    def can_publish(self) -> bool:
        return not self.plan.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": [
                {"kind": d.kind, "name": d.name, "version": d.version} for d in self.documents
            ],
            "steps": self.steps,
            "sql": self.sql,
            "warnings": [w.as_dict() for w in self.warnings],
            "conversions": [c.as_dict() for c in self.plan.conversions],
            "problems": [p.as_dict() for p in self.plan.problems],
            "can_publish": self.can_publish,
        }


def _plan(
    conn: sa.Connection,
    app: str,
    kind: str | None,
    name: str | None,
    renames: Mapping[str, Mapping[str, str]] | None,
    registry: FieldTypeRegistry,
    restores: Mapping[str, Mapping[str, str]] | None = None,
    archive: Archive | None = None,
) -> tuple[list[DocumentVersion], Plan, AppModel]:
    drafts = drafts_of(conn, app, kind, name)
    if not drafts:
        raise NotFound(f"There is nothing to publish in the app {app!r}.")
    current = {(b["kind"], document_name(b)): b for b in published_bodies(conn, app)}
    after = dict(current)
    for draft in drafts:
        after[(draft.kind, draft.name)] = draft.body
    bodies = list(after.values())
    errors = validate_app_documents(bodies, registry)
    if errors:
        raise ValidationFailed("The app's documents are not valid.", errors)
    old = model_of(app, list(current.values())) if current else None
    new = model_of(app, bodies)
    plan = plan_changes(conn, old, new, registry, renames, restores=restores, archive=archive)
    return drafts, plan, new


def _prepare(
    conn: sa.Connection,
    app: str,
    kind: str | None,
    name: str | None,
    renames: Mapping[str, Mapping[str, str]] | None,
    registry: FieldTypeRegistry,
    restores: Mapping[str, Mapping[str, str]] | None = None,
    archive: Archive | None = None,
) -> tuple[list[DocumentVersion], Plan, AppModel]:
    drafts, plan, new = _plan(conn, app, kind, name, renames, registry, restores, archive)
    if plan.problems:
        raise ValidationFailed("The change cannot be published.", plan.problems)
    return drafts, plan, new


def preview_publish(
    conn: sa.Connection,
    app: str,
    kind: str | None = None,
    name: str | None = None,
    renames: Mapping[str, Mapping[str, str]] | None = None,
    archive: Archive | None = None,
    registry: FieldTypeRegistry | None = None,
) -> PublishPreview:
    """The publish preview of the designers: the steps, the SQL, every conversion with the
    rows that would fail and the problems that would refuse the publish; invalid documents
    are still a ``ValidationFailed``. Nothing is changed."""
    registry = registry or default_registry()
    drafts, plan, model = _plan(conn, app, kind, name, renames, registry, archive=archive)
    warnings = publish_warnings(drafts, model, registry)
    sql = plan.sql(conn.dialect.name) if not plan.problems else []
    return PublishPreview(drafts, plan.describe(), sql, plan, warnings)


def plan_publish(
    conn: sa.Connection,
    app: str,
    kind: str | None = None,
    name: str | None = None,
    renames: Mapping[str, Mapping[str, str]] | None = None,
    registry: FieldTypeRegistry | None = None,
    archive: Archive | None = None,
) -> PublishPlan:
    """Dry run: what publishing the drafts would do, with the SQL; nothing is changed."""
    registry = registry or default_registry()
    drafts, plan, model = _prepare(conn, app, kind, name, renames, registry, archive=archive)
    warnings = publish_warnings(drafts, model, registry)
    return PublishPlan(drafts, plan.describe(), plan.sql(conn.dialect.name), plan, warnings)


def publish(
    conn: sa.Connection,
    app: str,
    kind: str | None = None,
    name: str | None = None,
    actor_id: int | None = None,
    renames: Mapping[str, Mapping[str, str]] | None = None,
    registry: FieldTypeRegistry | None = None,
    restores: Mapping[str, Mapping[str, str]] | None = None,
    comment: str | None = None,
    archive: Archive | None = None,
) -> PublishPlan:
    """Publish the drafts (all of the app's, of one kind, or one document) and change the schema.

    ``renames`` (entity → {old field: new field}) keeps the data of renamed fields; ``restores``
    (entity → {field: archived column}) brings an archived column back for a re-added field;
    ``archive`` (entity → fields) keeps the old column of a type change archived, which is the
    only way a change some values do not survive is published.
    """
    registry = registry or default_registry()
    lock_app(conn, app)
    drafts, plan, model = _prepare(conn, app, kind, name, renames, registry, restores, archive)
    sql = plan.sql(conn.dialect.name)
    plan.apply(conn)
    now = utcnow()
    for archived in plan.archived_records:
        conn.execute(
            sa.insert(ARCHIVED).values(
                app=app,
                entity=_entity_of_table(model, archived.table),
                field=archived.field,
                column_name=archived.column,
                archived_at=now,
                definition=archived.definition,
            )
        )
    for draft in drafts:
        conn.execute(
            sa.update(DOCS)
            .where(*where(app, draft.kind, draft.name), DOCS.c.status == PUBLISHED)
            .values(status=SUPERSEDED)
        )
        published_values: dict[str, Any] = {"status": PUBLISHED}
        if comment is not None:
            published_values["comment"] = comment
        conn.execute(
            sa.update(DOCS)
            .where(*where(app, draft.kind, draft.name), DOCS.c.version == draft.version)
            .values(**published_values)
        )
    moved = {
        e: [*(renames or {}).get(e, {}).values(), *(restores or {}).get(e, {})]
        for e in model.entities
    }
    if any(moved.values()):
        from jimu.platform.records.file_holders import follow_fields

        follow_fields(conn, model, moved)
    if plan.backfills:
        from jimu.platform.records.backfill import backfill
        from jimu.platform.records.write_path import compile_app

        runtime = compile_app(model, registry)
        for step in plan.backfills:
            backfill(conn, model, step.entity, step.fields, actor_id, registry, runtime)
    done = [get(conn, app, d.kind, d.name, d.version) for d in drafts]
    return PublishPlan(done, plan.describe(), sql, plan, publish_warnings(drafts, model, registry))


def _entity_of_table(model: AppModel, table: str) -> str:
    for name in model.entities:
        if model.table_name(name) == table:
            return name
    return table.removeprefix(f"{model.name}_")


def rollback(
    conn: sa.Connection,
    app: str,
    kind: str,
    name: str,
    version: int,
    actor_id: int | None = None,
    registry: FieldTypeRegistry | None = None,
) -> DocumentVersion:
    """Publish the body of an earlier version again (as a new version)."""
    old = get(conn, app, kind, name, version)
    lock_app(conn, app)
    put_draft(conn, app, kind, name, old.body, actor_id, f"rollback to version {version}")
    result = publish(conn, app, kind, name, actor_id, registry=registry)
    return result.documents[0]
