"""Reading versioned documents (``jimu_document``) and the published app they make up."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.errors import NotFound
from jimu.metadata.diff import Change, diff_documents
from jimu.metadata.jsonio import canonical
from jimu.platform.models import Document

DOCS: sa.Table = Document.__table__  # type: ignore[assignment]
DRAFT, PUBLISHED, SUPERSEDED = "draft", "published", "superseded"


@dataclass(frozen=True)
class DocumentVersion:
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
    def from_row(cls, row: Mapping[Any, Any]) -> DocumentVersion:
        return cls(
            row["app"],
            row["kind"],
            row["name"],
            row["version"],
            row["status"],
            canonical(row["body"]),
            row["checksum"],
            row["created_at"],
            row["created_by"],
            row["comment"],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "kind": self.kind,
            "name": self.name,
            "version": self.version,
            "status": self.status,
            "body": self.body,
            "checksum": self.checksum,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "comment": self.comment,
        }


def document_name(body: Mapping[str, Any]) -> str:
    """The store key of a document: its name; forms and views are ``<entity>.<name>``."""
    if body.get("kind") == "form":
        return f"{body.get('entity')}.{body.get('name', 'default')}"
    if body.get("kind") == "view":
        return f"{body.get('entity')}.{body.get('name')}"
    return str(body.get("name"))


# -- reading ---------------------------------------------------------------------------------


def where(app: str, kind: str | None = None, name: str | None = None) -> list[Any]:
    conditions = [DOCS.c.app == app]
    if kind is not None:
        conditions.append(DOCS.c.kind == kind)
    if name is not None:
        conditions.append(DOCS.c.name == name)
    return conditions


def versions(conn: sa.Connection, app: str, kind: str, name: str) -> list[DocumentVersion]:
    """Every version of one document, oldest first."""
    stmt = sa.select(DOCS).where(*where(app, kind, name)).order_by(DOCS.c.version)
    return [DocumentVersion.from_row(r) for r in conn.execute(stmt).mappings()]


def published(conn: sa.Connection, app: str, kind: str, name: str) -> DocumentVersion | None:
    stmt = sa.select(DOCS).where(*where(app, kind, name), DOCS.c.status == PUBLISHED)
    row = conn.execute(stmt).mappings().first()
    return DocumentVersion.from_row(row) if row else None


def published_many(
    conn: sa.Connection, app: str, kind: str, names: Sequence[str]
) -> dict[str, DocumentVersion]:
    """The published versions of the documents ``names`` (one query), by name; a name with
    none is left out."""
    if not names:
        return {}
    stmt = sa.select(DOCS).where(
        *where(app, kind), DOCS.c.name.in_(sorted(set(names))), DOCS.c.status == PUBLISHED
    )
    found = (DocumentVersion.from_row(row) for row in conn.execute(stmt).mappings())
    return {version.name: version for version in found}


def get(
    conn: sa.Connection, app: str, kind: str, name: str, version: int | None = None
) -> DocumentVersion:
    """Version ``version``, or (None) the newest draft if there is one, else the published one."""
    stmt = sa.select(DOCS).where(*where(app, kind, name))
    if version is not None:
        stmt = stmt.where(DOCS.c.version == version)
    else:
        stmt = stmt.where(DOCS.c.status.in_([DRAFT, PUBLISHED])).order_by(DOCS.c.version.desc())
    row = conn.execute(stmt.limit(1)).mappings().first()
    if row is None:
        which = f" version {version}" if version is not None else ""
        raise NotFound(f"There is no {kind} {name!r}{which} in the app {app!r}.")
    return DocumentVersion.from_row(row)


def list_documents(conn: sa.Connection, app: str, kind: str | None = None) -> list[DocumentVersion]:
    """The newest draft or published version of every document of the app."""
    stmt = (
        sa.select(DOCS)
        .where(*where(app, kind), DOCS.c.status.in_([DRAFT, PUBLISHED]))
        .order_by(DOCS.c.kind, DOCS.c.name, DOCS.c.version)
    )
    newest: dict[tuple[str, str], DocumentVersion] = {}
    for row in conn.execute(stmt).mappings():
        newest[(row["kind"], row["name"])] = DocumentVersion.from_row(row)
    return list(newest.values())


def apps(conn: sa.Connection) -> list[str]:
    stmt = sa.select(DOCS.c.app).where(DOCS.c.status == PUBLISHED).distinct().order_by(DOCS.c.app)
    return list(conn.execute(stmt).scalars())


def published_bodies(conn: sa.Connection, app: str) -> list[dict[str, Any]]:
    stmt = sa.select(DOCS.c.body).where(DOCS.c.app == app, DOCS.c.status == PUBLISHED)
    return [canonical(b) for b in conn.execute(stmt.order_by(DOCS.c.kind, DOCS.c.name)).scalars()]


def model_of(app: str, bodies: Sequence[Mapping[str, Any]]) -> AppModel:
    app_doc = next((b for b in bodies if b.get("kind") == "app"), None)
    entities = [b for b in bodies if b.get("kind") == "entity"]
    return AppModel.from_documents(app, entities, app_doc)


def load_app(conn: sa.Connection, app: str) -> AppModel:
    """The published app (its app document and entities)."""
    bodies = published_bodies(conn, app)
    if not bodies:
        raise NotFound(f"There is no published app {app!r}.")
    return model_of(app, bodies)


#: Built once: every request asks it, and SQLAlchemy adapts the cached result columns of a
#: statement built anew (an unlabelled aggregate) at several times the cost of running it.
_APP_REVISION = sa.select(
    sa.func.max(DOCS.c.id).label("top"), sa.func.count().label("count")
).where(DOCS.c.app == sa.bindparam("app"), DOCS.c.status == PUBLISHED)


def app_revision(conn: sa.Connection, app: str) -> str:
    """Changes whenever a document of ``app`` is published (cheap: one indexed aggregate)."""
    top, count = conn.execute(_APP_REVISION, {"app": app}).one()
    if not count:
        raise NotFound(f"There is no published app {app!r}.")
    return f"{top}.{count}"


def diff(
    conn: sa.Connection, app: str, kind: str, name: str, from_version: int, to_version: int
) -> list[Change]:
    old = get(conn, app, kind, name, from_version).body
    new = get(conn, app, kind, name, to_version).body
    return diff_documents(old, new)


def lock_app(conn: sa.Connection, app: str) -> None:
    """Serialise writers of one app's documents (PostgreSQL; SQLite has one writer)."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"jimu-metadata:{app}".encode())
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
