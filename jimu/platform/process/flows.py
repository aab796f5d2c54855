"""Published flow documents, compiled once per (app, flow, version): versions never change, so
running instances keep the version they started with."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from jimu.engines.process import Flow, load_flow
from jimu.errors import NotFound
from jimu.platform.metadata_store import PUBLISHED
from jimu.platform.models import Document

DOCS: sa.Table = Document.__table__  # type: ignore[assignment]
_CACHE: dict[tuple[str, str, int, str], tuple[dict[str, Any], Flow]] = {}
_LOCK = threading.Lock()
#: The published version of a flow and its checksum (built once: each start asks).
_PUBLISHED = sa.select(DOCS.c.version, DOCS.c.checksum).where(
    DOCS.c.app == sa.bindparam("b_app"),
    DOCS.c.kind == "flow",
    DOCS.c.name == sa.bindparam("b_name"),
    DOCS.c.status == PUBLISHED,
)
#: The checksum of one version of a flow (built once: each step of an instance asks).
_CHECKSUM = sa.select(DOCS.c.checksum).where(
    DOCS.c.app == sa.bindparam("b_app"),
    DOCS.c.kind == "flow",
    DOCS.c.name == sa.bindparam("b_name"),
    DOCS.c.version == sa.bindparam("b_version"),
)


def published_flow(conn: sa.Connection, app: str, name: str) -> tuple[int, dict[str, Any], Flow]:
    """The published version of flow ``name``, its document and compiled flow (one query when
    compiled already)."""
    row = conn.execute(_PUBLISHED, {"b_app": app, "b_name": name}).first()
    if row is None:
        raise NotFound(f"No published flow {name!r} in app {app!r}.")
    doc, flow = _compiled(conn, app, name, int(row.version), str(row.checksum))
    return int(row.version), doc, flow


def flow_version(
    conn: sa.Connection, app: str, name: str, version: int
) -> tuple[dict[str, Any], Flow]:
    """The document and compiled flow of one version (published or superseded). Compiled once
    per content: the cache is keyed by the version's checksum, so another database with the
    same names never gets this one's flow."""
    found = conn.execute(_CHECKSUM, {"b_app": app, "b_name": name, "b_version": version})
    checksum = found.scalar_one_or_none()
    if checksum is None:
        raise NotFound(f"Flow {name!r} of app {app!r} has no version {version}.")
    return _compiled(conn, app, name, version, str(checksum))


def _compiled(
    conn: sa.Connection, app: str, name: str, version: int, checksum: str
) -> tuple[dict[str, Any], Flow]:
    key = (app, name, version, checksum)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    body = conn.execute(
        sa.select(DOCS.c.body).where(
            DOCS.c.app == app,
            DOCS.c.kind == "flow",
            DOCS.c.name == name,
            DOCS.c.version == version,
        )
    ).scalar_one()
    compiled = (dict(body), load_flow(body))
    with _LOCK:
        _CACHE[key] = compiled
    return compiled


def manual_flows(conn: sa.Connection, app: str, entity: str) -> list[dict[str, Any]]:
    """The published flows of ``app`` on ``entity`` that a person starts by hand (a start
    node with ``on: manual``): what a record page offers to start. Each as its name and
    label."""
    rows = conn.execute(
        sa.select(DOCS.c.name, DOCS.c.body)
        .where(DOCS.c.app == app, DOCS.c.kind == "flow", DOCS.c.status == PUBLISHED)
        .order_by(DOCS.c.name)
    ).all()
    found = []
    for row in rows:
        body = row.body or {}
        starts = [n for n in body.get("nodes", []) if n.get("type") == "start"]
        if body.get("entity") == entity and any(n.get("on", "manual") == "manual" for n in starts):
            found.append({"name": str(row.name), "label": body.get("label")})
    return found
