"""Which record and field each stored attachment file belongs to (the ``jimu_attachment`` table).

An upload is stored *unclaimed*: with the app, entity and field it was uploaded for, who
uploaded it, and its name, size and type as uploaded. The uploader's next write of that field
(creating or editing a record) claims it, and from then on the file belongs to that record and
field: only that record may hold it, and only through it is the file served. A write naming a
file of another record, another user's unclaimed upload or an unknown key is refused with an
error at the field. Whatever name, size and type the writer sends, the record keeps the
stored ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.errors import Conflict, FieldError
from jimu.platform.models import AttachmentFile, utcnow
from jimu.platform.records.runtime import AppRuntime, EntityRuntime

FILES: sa.Table = AttachmentFile.__table__  # type: ignore[assignment]
NAME_LENGTH = 255
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
_LOOKUP_CHUNK = 500


def attachment_fields(rt: EntityRuntime) -> list[str]:
    """The stored attachment fields of an entity, in document order."""
    return [
        name
        for name, compiled in rt.codec.fields.items()
        if compiled.field.type == "attachment" and name in rt.stored
    ]


def clean_name(filename: str) -> str:
    """The file name to keep: no folders, no control characters, at most 255 characters."""
    name = Path(filename.replace("\\", "/")).name
    name = "".join(
        c for c in name if unicodedata.category(c) not in ("Cc", "Cs", "Cf") and c != "\ufffd"
    ).strip()
    if len(name) > NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        suffix = suffix[:16] if dot and stem else ""
        name = name[: NAME_LENGTH - len(suffix) - 1] + "." + suffix if suffix else name
        name = name[:NAME_LENGTH]
    return name or "file"


def clean_media_type(media_type: str) -> str:
    """The upload's declared type (``type/subtype``, parameters dropped), else octet-stream."""
    bare = media_type.split(";", 1)[0].strip().lower()
    return bare if _MEDIA_TYPE.match(bare) else "application/octet-stream"


@dataclass(frozen=True)
class StoredFile:
    key: str
    app: str
    entity: str
    field: str
    record_id: int | None
    name: str
    size: int
    media_type: str
    uploaded_by: int | None
    instance_id: int | None = None

    @property
    def value(self) -> dict[str, Any]:
        """The value a record holds for this file."""
        return {"key": self.key, "name": self.name, "size": self.size, "type": self.media_type}

    def belongs_to(self, app: str, entity: str, record_id: int, field: str) -> bool:
        """Whether this file belongs to that record's field."""
        mine = (self.app, self.entity, self.record_id, self.field)
        return mine == (app, entity, record_id, field)


def _stored(row: sa.Row[Any]) -> StoredFile:
    return StoredFile(
        row.key,
        row.app,
        row.entity,
        row.field,
        row.record_id,
        row.name,
        int(row.size),
        row.media_type,
        row.uploaded_by,
        row.instance_id,
    )


def record_upload(
    conn: sa.Connection,
    rt: EntityRuntime,
    field_name: str,
    value: dict[str, Any],
    uploaded_by: int | None,
) -> None:
    """Keep an upload unclaimed until its uploader's next write of ``field_name``."""
    conn.execute(
        sa.insert(FILES).values(
            key=value["key"],
            app=rt.codec.app.name,
            entity=rt.name,
            field=field_name,
            record_id=None,
            name=value["name"],
            size=value["size"],
            media_type=value["type"],
            uploaded_by=uploaded_by,
            uploaded_at=utcnow(),
        )
    )


def stored_files(conn: sa.Connection, keys: set[str]) -> dict[str, StoredFile]:
    found: dict[str, StoredFile] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        for row in conn.execute(sa.select(FILES).where(FILES.c.key.in_(chunk))):
            found[row.key] = _stored(row)
    return found


def stored_file(conn: sa.Connection, key: str) -> StoredFile | None:
    return stored_files(conn, {key}).get(key)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def _keys_named(app: AppRuntime, rt: EntityRuntime, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    keys: set[str] = set()
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        for name in attachment_fields(rt):
            for item in _items(row.get(name)):
                if isinstance(item, dict) and isinstance(item.get("key"), str):
                    keys.add(item["key"])
        for name, spec in rt.subtables.items():
            child = app.entities[str(spec.get("target"))]
            keys |= _keys_named(app, child, _items(row.get(name)))
    return keys


def _filled(app: AppRuntime, rt: EntityRuntime, row: Any, stored: Mapping[str, StoredFile]) -> Any:
    if not isinstance(row, Mapping):
        return row
    new = dict(row)
    for name in attachment_fields(rt):
        if name in row and isinstance(row[name], list | dict):
            new[name] = [
                stored[item["key"]].value
                if isinstance(item, dict)
                and isinstance(item.get("key"), str)
                and item["key"] in stored
                else item
                for item in _items(row[name])
            ]
    for name, spec in rt.subtables.items():
        if isinstance(row.get(name), list):
            child = app.entities[str(spec.get("target"))]
            new[name] = [_filled(app, child, item, stored) for item in row[name]]
    return new


def fill_stored_files(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    rows: Sequence[Mapping[str, Any]],
) -> Sequence[Mapping[str, Any]]:
    """``rows`` (JSON input) with every known file's name, size and type the stored ones, in
    sub-table rows too, so the field's limits apply to the file as uploaded and a writer may
    send only ``{"key": ...}``. Whose file it is is checked after parsing (``check_files``)."""
    if not rt.subtables and not attachment_fields(rt):
        return rows
    keys = _keys_named(app, rt, rows)
    if not keys:
        return rows
    stored = stored_files(conn, keys)
    return [_filled(app, rt, row, stored) for row in rows]


@dataclass
class FileClaims:
    """What checking a write's attachment values found: errors, and the unclaimed uploads each
    row claims once its record id is known."""

    errors: list[FieldError] = field(default_factory=list)
    claims: list[list[tuple[str, str]]] = field(default_factory=list)  # per row: (key, pointer)

    def bind(self, conn: sa.Connection, record_ids: Sequence[int]) -> None:
        """Bind each claimed upload to its record (once: a second claim is a conflict)."""
        now = utcnow()
        for claims, record_id in zip(self.claims, record_ids, strict=False):
            for key, pointer in claims:
                stmt = (
                    sa.update(FILES)
                    .where(FILES.c.key == key, FILES.c.record_id.is_(None))
                    .values(record_id=record_id, claimed_at=now)
                )
                if conn.execute(stmt).rowcount != 1:
                    raise Conflict(
                        "A file was attached to another record at the same time.",
                        [FieldError(pointer, "was attached by another write", "attachment")],
                    )


def _problem(
    stored: StoredFile | None,
    app: str,
    entity: str,
    field_name: str,
    record_id: int | None,
    actor_id: int | None,
) -> str | None:
    if stored is None:
        return "is not an uploaded file"
    if stored.instance_id is not None:
        return "was uploaded for a process comment"
    if stored.record_id is not None:
        if record_id is not None and stored.belongs_to(app, entity, record_id, field_name):
            return None
        return "belongs to another record"
    if (stored.app, stored.entity, stored.field) != (app, entity, field_name):
        return "was uploaded for another field"
    if stored.uploaded_by != actor_id:
        return "was uploaded by someone else"
    return None


def check_files(
    conn: sa.Connection,
    rt: EntityRuntime,
    rows: Sequence[MutableMapping[str, Any]],
    record_ids: Sequence[int | None],
    prefixes: Sequence[str],
    actor_id: int | None,
) -> FileClaims:
    """Check the attachment values of parsed rows (``record_ids``: None for new records) and
    replace each file's name, size and type by the stored ones."""
    result = FileClaims(claims=[[] for _ in rows])
    names = attachment_fields(rt)
    if not names:
        return result
    keys = {
        item["key"]
        for row in rows
        for name in names
        if isinstance(row.get(name), list)
        for item in row[name]
        if isinstance(item, dict) and isinstance(item.get("key"), str)
    }
    if not keys:
        return result
    stored = stored_files(conn, keys)
    app = rt.codec.app.name
    named_by: dict[str, str] = {}
    for i, (row, record_id, prefix) in enumerate(zip(rows, record_ids, prefixes, strict=True)):
        for name in names:
            files = row.get(name)
            if not isinstance(files, list):
                continue
            pointer = f"{prefix}/{name}"
            kept: list[Any] = []
            for n, item in enumerate(files, start=1):
                key = item.get("key") if isinstance(item, dict) else None
                if not isinstance(key, str):
                    kept.append(item)
                    continue
                found = stored.get(key)
                problem = _problem(found, app, rt.name, name, record_id, actor_id)
                if problem is None and key in named_by:
                    problem = "is attached twice"
                if problem is not None or found is None:
                    result.errors.append(FieldError(pointer, f"file {n} {problem}", "attachment"))
                    kept.append(item)
                    continue
                named_by[key] = pointer
                if found.record_id is None:
                    result.claims[i].append((key, pointer))
                kept.append(found.value)
            row[name] = kept
    return result
