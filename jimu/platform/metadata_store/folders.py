"""App folders: import (drafts, then one publish) and export (canonical, byte-stable)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.metadata.folder import read_folder, write_folder
from jimu.metadata.jsonio import canonical, checksum
from jimu.metadata.paths import document_path
from jimu.metadata.pointers import with_file
from jimu.metadata.validate import validate_app_documents
from jimu.platform.metadata_store import publishing
from jimu.platform.metadata_store.documents import (
    DocumentVersion,
    document_name,
    lock_app,
    published,
    published_bodies,
)
from jimu.platform.metadata_store.drafts import put_draft


def import_folder(
    conn: sa.Connection,
    path: Path,
    actor_id: int | None = None,
    publish: bool = True,
    registry: FieldTypeRegistry | None = None,
) -> list[DocumentVersion]:
    """Import an app folder: every changed document becomes a draft, then all are published.

    Errors name the file: ``entities/lead.json#/fields/2/type``. ``publish=False`` only stores
    the drafts.
    """
    registry = registry or default_registry()
    folder = read_folder(Path(path))
    files = dict(enumerate(folder.files))
    errors = validate_app_documents(folder.documents, registry, files)
    app_doc = folder.app
    if app_doc is None or "name" not in app_doc:
        errors.append(FieldError(with_file("app.json", "/name"), "is required", "required"))
    for file, doc in zip(folder.files, folder.documents, strict=True):
        if document_path(doc) != file:
            errors.append(FieldError(with_file(file, "/name"), f"belongs in {document_path(doc)}"))
    if errors:
        raise ValidationFailed("The app folder is not valid.", errors)
    assert app_doc is not None
    app = str(app_doc["name"])
    lock_app(conn, app)
    saved = []
    for doc in folder.documents:
        kind, name = str(doc["kind"]), document_name(doc)
        current = published(conn, app, kind, name)
        if current is not None and current.checksum == checksum(doc):
            continue
        saved.append(put_draft(conn, app, kind, name, canonical(doc), actor_id, "import"))
    if publish and saved:
        return publishing.publish(conn, app, actor_id=actor_id, registry=registry).documents
    return saved


def export_folder(conn: sa.Connection, app: str, path: Path) -> list[Path]:
    """Write the published documents of ``app`` as an app folder (canonical, byte-stable)."""
    bodies = published_bodies(conn, app)
    if not bodies:
        raise NotFound(f"There is no published app {app!r}.")
    return write_folder(Path(path), bodies)
