"""Saving drafts: validated, one unpublished draft per document at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.metadata.jsonio import canonical, checksum
from jimu.metadata.schemas import KINDS
from jimu.metadata.validate import entity_errors, schema_errors
from jimu.platform.metadata_store.documents import (
    DOCS,
    DRAFT,
    DocumentVersion,
    document_name,
    get,
    lock_app,
    where,
)
from jimu.platform.models import utcnow


def save_draft(
    conn: sa.Connection,
    app: str,
    kind: str,
    name: str,
    body: Mapping[str, Any],
    actor_id: int | None = None,
    comment: str | None = None,
    registry: FieldTypeRegistry | None = None,
) -> DocumentVersion:
    """Store ``body`` as the draft of a document (replacing an unpublished draft)."""
    registry = registry or default_registry()
    document: dict[str, Any] = canonical(dict(body))
    errors = schema_errors(document, registry)
    if kind not in KINDS:
        errors.insert(0, FieldError("/kind", f"unknown kind {kind!r}"))
    elif body.get("kind") != kind:
        errors.insert(0, FieldError("/kind", f"must be {kind!r}"))
    if not errors and document_name(body) != name:
        errors.append(FieldError("/name", f"must be {name!r}"))
    if not errors and kind == "entity":
        errors = entity_errors(body, registry)
    if errors:
        raise ValidationFailed(f"The {kind} {name!r} is not valid.", errors)
    lock_app(conn, app)
    return put_draft(conn, app, kind, name, document, actor_id, comment)


def put_draft(
    conn: sa.Connection,
    app: str,
    kind: str,
    name: str,
    body: dict[str, Any],
    actor_id: int | None,
    comment: str | None,
) -> DocumentVersion:
    newest = conn.execute(
        sa.select(DOCS.c.id, DOCS.c.version, DOCS.c.status)
        .where(*where(app, kind, name))
        .order_by(DOCS.c.version.desc())
        .limit(1)
    ).first()
    values = {
        "body": body,
        "checksum": checksum(body),
        "created_at": utcnow(),
        "created_by": actor_id,
        "comment": comment,
        "status": DRAFT,
    }
    if newest is not None and newest.status == DRAFT:
        conn.execute(sa.update(DOCS).where(DOCS.c.id == newest.id).values(**values))
    else:
        version = (newest.version if newest else 0) + 1
        conn.execute(
            sa.insert(DOCS).values(app=app, kind=kind, name=name, version=version, **values)
        )
    return get(conn, app, kind, name)


def drafts_of(
    conn: sa.Connection, app: str, kind: str | None, name: str | None
) -> list[DocumentVersion]:
    stmt = sa.select(DOCS).where(*where(app, kind, name), DOCS.c.status == DRAFT)
    return [DocumentVersion.from_row(r) for r in conn.execute(stmt.order_by(DOCS.c.id)).mappings()]


def discard_draft(conn: sa.Connection, app: str, kind: str, name: str) -> DocumentVersion | None:
    """Throw away the unpublished draft of a document; the published version (returned, or
    None for a document never published) stays as it is. NotFound if there is no draft."""
    lock_app(conn, app)
    draft = conn.execute(
        sa.select(DOCS.c.id).where(*where(app, kind, name), DOCS.c.status == DRAFT)
    ).first()
    if draft is None:
        raise NotFound(f"The {kind} {name!r} of {app} has no draft to discard.")
    conn.execute(sa.delete(DOCS).where(DOCS.c.id == draft.id))
    try:
        return get(conn, app, kind, name)
    except NotFound:
        return None


#: The layout every entity has (``<entity>.default``); the record pages use it.
DEFAULT_LAYOUT = "default"


def delete_form_layout(conn: sa.Connection, app: str, name: str) -> int:
    """Delete every version of the form layout ``name`` (``<entity>.<layout>``), published or
    not; answers how many versions went. The default layout of an entity cannot be deleted."""
    if name.rsplit(".", 1)[-1] == DEFAULT_LAYOUT:
        message = "the default layout of an entity cannot be deleted"
        raise ValidationFailed(
            f"The form {name!r} cannot be deleted.",
            [FieldError("/name", message, "not_deletable")],
        )
    lock_app(conn, app)
    deleted = conn.execute(sa.delete(DOCS).where(*where(app, "form", name))).rowcount
    if not deleted:
        raise NotFound(f"There is no form {name!r} in {app}.")
    return int(deleted)
