"""``/api/apps/...`` documents and ``/api/schemas``: the metadata store over HTTP.

Reading needs a signed-in user; saving drafts, publishing and rolling back need an
administrator. Every document kind's JSON Schema is public at ``/api/schemas/{kind}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.metadata.schemas import KINDS, document_schema
from jimu.platform import metadata_store as store
from jimu.platform.access.design import require_design, require_read
from jimu.platform.api.params import MAX_VERSION, BodyInt32, StrictBody
from jimu.platform.auth.dependencies import AdminUser, CurrentUser
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.security.audit_log import log_event

router = APIRouter(tags=["metadata"])
DOCS = "/api/apps/{app}/documents/{kind}/{name}"


class DocumentOut(BaseModel):
    app: str
    kind: str
    name: str
    version: int
    status: str
    body: dict[str, Any]
    checksum: str
    created_at: datetime
    created_by: int | None
    comment: str | None

    @classmethod
    def of(cls, doc: Any) -> DocumentOut:
        return cls(**{name: getattr(doc, name) for name in cls.model_fields})


class PublishRequest(StrictBody):
    kind: str | None = Field(default=None, description="only documents of this kind")
    name: str | None = Field(default=None, description="only the document of this name")
    renames: dict[str, dict[str, str]] | None = Field(
        default=None, description="entity -> {old field: new field}, keeping the data"
    )
    archive: dict[str, list[str]] | None = Field(
        default=None,
        description="entity -> fields whose type change keeps the old column archived "
        "(required when some values do not convert)",
    )


class PublishedDocument(BaseModel):
    kind: str
    name: str
    version: int


class PublishWarning(BaseModel):
    pointer: str
    message: str
    code: str


class PublishOut(BaseModel):
    dry_run: bool
    documents: list[PublishedDocument]
    steps: list[str]
    sql: list[str]
    #: What was published anyway: rows of a "first" decision table it never reaches.
    warnings: list[PublishWarning] = []


class FailedRowOut(BaseModel):
    id: int
    title: str | None
    value: Any
    reason: str


class ConversionOut(BaseModel):
    entity: str
    field: str
    pointer: str
    from_type: str
    to_type: str
    converted: int
    failed: int
    #: The first rows whose value does not convert (by id).
    rows: list[FailedRowOut]
    archive_as: str | None


class PublishPreviewOut(BaseModel):
    documents: list[PublishedDocument]
    steps: list[str]
    sql: list[str]
    warnings: list[PublishWarning] = []
    conversions: list[ConversionOut]
    #: What refuses the publish (values that do not convert and are not archived, ...).
    problems: list[PublishWarning]
    can_publish: bool


class RollbackRequest(StrictBody):
    version: BodyInt32 = Field(ge=1)


@router.get("/api/schemas", tags=["metadata"])
def list_schemas() -> dict[str, str]:
    """The document kinds and where their JSON Schemas are."""
    return {kind: f"/api/schemas/{kind}" for kind in KINDS}


@router.get("/api/schemas/{kind}")
def get_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema that documents of ``kind`` must satisfy."""
    if kind not in KINDS:
        raise NotFound(f"There is no document kind {kind!r}; kinds: {', '.join(KINDS)}.")
    return document_schema(kind)


@router.get("/api/apps")
def list_apps(_: CurrentUser, platform: PlatformDep) -> list[str]:
    """Names of the apps that have documents."""
    with platform.engine.connect() as conn:
        return store.apps(conn)


@router.get("/api/apps/{app}/documents")
def list_documents(
    app: str,
    user: CurrentUser,
    platform: PlatformDep,
    kind: Annotated[str | None, Query()] = None,
) -> list[DocumentOut]:
    """The newest version of each document of the app."""
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        return [DocumentOut.of(doc) for doc in store.list_documents(conn, app, kind)]


@router.get(DOCS)
def get_document(
    app: str,
    kind: str,
    name: str,
    user: CurrentUser,
    platform: PlatformDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> DocumentOut:
    """One version (default: the newest draft, else the published one)."""
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        return DocumentOut.of(store.get(conn, app, kind, name, version))


@router.put(DOCS)
def save_draft(
    app: str,
    kind: str,
    name: str,
    body: dict[str, Any],
    user: CurrentUser,
    platform: PlatformDep,
    comment: Annotated[str | None, Query(max_length=1000)] = None,
) -> DocumentOut:
    """Store ``body`` as a new draft version; every schema error is reported at once.

    Administrators, and in an app with roles the holders of a design right for ``kind``."""
    with begin_write(platform.engine) as conn:
        require_design(platform, conn, app, user, kind)
        doc = store.save_draft(conn, app, kind, name, body, actor_id=user.id, comment=comment)
        if kind == "role":
            detail = {"name": name, "version": doc.version}
            log_event(conn, "role_draft_saved", actor_id=user.id, app=app, detail=detail)
        return DocumentOut.of(doc)


@router.delete(DOCS + "/draft")
def discard_draft(
    app: str, kind: str, name: str, user: CurrentUser, platform: PlatformDep
) -> DocumentOut | None:
    """Throw away the document's unpublished draft; answers with the published version that
    stays (null when the document was never published, and so is gone)."""
    with begin_write(platform.engine) as conn:
        require_design(platform, conn, app, user, kind)
        kept = store.discard_draft(conn, app, kind, name)
        if kind == "role":
            detail = {"name": name}
            log_event(conn, "role_draft_discarded", actor_id=user.id, app=app, detail=detail)
        return DocumentOut.of(kept) if kept is not None else None


@router.delete(DOCS, status_code=status.HTTP_204_NO_CONTENT)
def delete_document(
    app: str, kind: str, name: str, user: CurrentUser, platform: PlatformDep
) -> None:
    """Delete a form layout other than an entity's default, with all its versions (a public
    form's link stops working). Other kinds are not deleted this way."""
    with begin_write(platform.engine) as conn:
        require_design(platform, conn, app, user, kind)  # the right first, then the request
        if kind != "form":
            raise ValidationFailed(
                f"Documents of kind {kind!r} cannot be deleted.",
                [FieldError("/kind", "only form layouts can be deleted", "not_deletable")],
            )
        versions = store.delete_form_layout(conn, app, name)
        detail = {"name": name, "versions": versions}
        log_event(conn, "form_deleted", actor_id=user.id, app=app, detail=detail)
    platform.apps.forget(app)


@router.get(DOCS + "/versions")
def document_versions(
    app: str, kind: str, name: str, user: CurrentUser, platform: PlatformDep
) -> list[DocumentOut]:
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        return [DocumentOut.of(doc) for doc in store.versions(conn, app, kind, name)]


@router.get(DOCS + "/diff")
def document_diff(
    app: str,
    kind: str,
    name: str,
    user: CurrentUser,
    platform: PlatformDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=MAX_VERSION)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=MAX_VERSION)],
) -> list[Any]:
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        changes = store.diff(conn, app, kind, name, from_version, to_version)
    return list(jsonable_encoder(changes))


@router.post(DOCS + "/rollback", status_code=status.HTTP_201_CREATED)
def rollback_document(
    app: str,
    kind: str,
    name: str,
    body: RollbackRequest,
    user: CurrentUser,
    platform: PlatformDep,
) -> DocumentOut:
    """Publish the body of an earlier version again, as a new version."""
    with begin_write(platform.engine) as conn:
        require_design(platform, conn, app, user, kind)
        doc = store.rollback(conn, app, kind, name, body.version, actor_id=user.id)
        return DocumentOut.of(doc)


@router.post("/api/apps/{app}/publish")
def publish_app(
    app: str,
    user: CurrentUser,
    platform: PlatformDep,
    body: PublishRequest | None = None,
    dry_run: Annotated[bool, Query(description="only show the plan and its DDL")] = False,
) -> PublishOut:
    """Publish the app's drafts (or one kind / document), running the schema changes."""
    request = body or PublishRequest()
    with begin_write(platform.engine) as conn:
        require_design(platform, conn, app, user, request.kind)
        if request.kind == "role" and not dry_run:
            log_event(
                conn, "roles_published", actor_id=user.id, app=app, detail={"name": request.name}
            )
        elif request.kind is None and not dry_run and _has_role_drafts(conn, app):
            log_event(conn, "roles_published", actor_id=user.id, app=app, detail={"name": None})
        if dry_run:
            plan = store.plan_publish(
                conn, app, request.kind, request.name, request.renames, archive=request.archive
            )
        else:
            plan = store.publish(
                conn,
                app,
                request.kind,
                request.name,
                user.id,
                renames=request.renames,
                archive=request.archive,
            )
    if not dry_run:
        platform.apps.forget(app)
    return PublishOut.model_validate({"dry_run": dry_run, **plan.as_dict()})


@router.post("/api/apps/{app}/publish/preview")
def preview_publish(
    app: str, user: CurrentUser, platform: PlatformDep, body: PublishRequest | None = None
) -> PublishPreviewOut:
    """What publishing would do: the steps, every value conversion with the rows that would
    fail, and the problems that would refuse it (a 200 even then; invalid documents are a 422)."""
    request = body or PublishRequest()
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, request.kind)
        preview = store.preview_publish(
            conn, app, request.kind, request.name, request.renames, request.archive
        )
    return PublishPreviewOut.model_validate(preview.as_dict())


class ArchivedColumnOut(BaseModel):
    app: str
    entity: str
    field: str
    column_name: str
    archived_at: datetime
    definition: dict[str, Any]


def _has_role_drafts(conn: Any, app: str) -> bool:
    return any(doc.status == store.DRAFT for doc in store.list_documents(conn, app, "role"))


ARCHIVE = "/api/apps/{app}/entities/{entity}/archived-columns"


@router.get(ARCHIVE)
def list_archived_columns(
    app: str, entity: str, user: CurrentUser, platform: PlatformDep
) -> list[ArchivedColumnOut]:
    """Columns of removed fields, kept with their data (restorable until purged)."""
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        rows = store.archived_columns(conn, app, entity)
    return [ArchivedColumnOut.model_validate(row) for row in rows]


@router.post(ARCHIVE + "/{column_name}/restore")
def restore_archived_column(
    app: str, entity: str, column_name: str, admin: AdminUser, platform: PlatformDep
) -> PublishOut:
    """Add the removed field back with its data (published at once)."""
    with begin_write(platform.engine) as conn:
        plan = store.restore_archived(conn, app, entity, column_name, admin.id)
    platform.apps.forget(app)
    return PublishOut.model_validate({"dry_run": False, **plan.as_dict()})


@router.delete(ARCHIVE + "/{column_name}", status_code=status.HTTP_204_NO_CONTENT)
def purge_archived_column(
    app: str, entity: str, column_name: str, _: AdminUser, platform: PlatformDep
) -> Response:
    """Drop the archived column and its data for good."""
    with begin_write(platform.engine) as conn:
        store.purge_archived(conn, app, entity, column_name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
