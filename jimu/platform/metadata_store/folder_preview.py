"""What importing an app folder would change, without changing anything: per document, whether
it is new, changed (with its changes) or unchanged against the published version, and which
published documents the folder does not hold (an import keeps those)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.metadata.diff import Change, diff_documents
from jimu.metadata.folder import read_folder
from jimu.metadata.jsonio import canonical, checksum
from jimu.metadata.validate import raise_if_errors, validate_app_documents
from jimu.platform.metadata_store.documents import document_name, list_documents, published


@dataclass(frozen=True)
class DocumentChange:
    kind: str
    name: str
    change: str  # added / changed / unchanged / kept
    details: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        details = [change.as_dict() for change in self.details]
        return {"kind": self.kind, "name": self.name, "change": self.change, "details": details}


@dataclass(frozen=True)
class ImportPreview:
    app: str
    exists: bool
    documents: list[DocumentChange]

    def as_dict(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "exists": self.exists,
            "documents": [d.as_dict() for d in self.documents],
        }


def preview_folder(
    conn: sa.Connection, path: Path, registry: FieldTypeRegistry | None = None
) -> ImportPreview:
    """The changes importing the folder at ``path`` would make (ValidationFailed if invalid)."""
    folder = read_folder(path)
    files = dict(enumerate(folder.files))
    errors = validate_app_documents(folder.documents, registry or default_registry(), files)
    raise_if_errors(errors, "The app folder is not valid.")
    app = str((folder.app or {}).get("name", ""))
    changes: list[DocumentChange] = []
    seen: set[tuple[str, str]] = set()
    for doc in folder.documents:
        kind, name = str(doc["kind"]), document_name(doc)
        seen.add((kind, name))
        current = published(conn, app, kind, name)
        if current is None:
            changes.append(DocumentChange(kind, name, "added"))
        elif current.checksum == checksum(doc):
            changes.append(DocumentChange(kind, name, "unchanged"))
        else:
            details = diff_documents(canonical(current.body), canonical(doc))
            changes.append(DocumentChange(kind, name, "changed", details))
    existing = list_documents(conn, app)
    for version in existing:
        if (version.kind, version.name) not in seen:
            changes.append(DocumentChange(version.kind, version.name, "kept"))
    order = {"added": 0, "changed": 1, "kept": 2, "unchanged": 3}
    changes.sort(key=lambda c: (order[c.change], c.kind, c.name))
    return ImportPreview(app, bool(existing), changes)
