"""Attachment files: kept in ``<data dir>/attachments/<key>``; records store ``{key, name,
size, type}``. Upload first (``save_attachment`` checks the field's size and type limits and
keeps the upload, unclaimed, in ``jimu_attachment``), then write the returned dict into the
record's attachment field: the uploader's write claims the file for that record and field
(see ``jimu.platform.records.file_owners``)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.types.base import InvalidValue
from jimu.engines.form.types.misc import DEFAULT_MAX_SIZE, accepts
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform.records.file_owners import clean_media_type, clean_name, record_upload
from jimu.platform.records.runtime import EntityRuntime

FOLDER = "attachments"
_KEY = re.compile(r"^[0-9a-f]{32}(\.[a-z0-9]{1,10})?$")


def _suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""


def save_attachment(
    conn: sa.Connection,
    data_dir: Path,
    rt: EntityRuntime,
    field: str,
    filename: str,
    content: bytes,
    media_type: str = "application/octet-stream",
    uploaded_by: int | None = None,
) -> dict[str, Any]:
    """Store an uploaded file for ``rt.field``; returns the value to put in the record.

    The name (without folders) and type are the upload's; ``uploaded_by``'s next write of the
    field claims the file."""
    filename = clean_name(filename)
    media_type = clean_media_type(media_type)
    compiled = rt.codec.fields.get(field)
    if compiled is None or compiled.field.type != "attachment":
        raise ValidationFailed(
            "Not an attachment field.", [FieldError(f"/{field}", "is not an attachment field")]
        )
    spec = compiled.field
    max_size = int(spec.get("max_size") or DEFAULT_MAX_SIZE)
    problems = []
    if len(content) > max_size:
        problems.append(f"{filename!r} is larger than {max_size} bytes")
    if not accepts([str(a) for a in spec.get("accept") or []], filename, media_type):
        problems.append(f"{filename!r} is not an accepted file type")
    if problems:
        raise ValidationFailed(
            "The file cannot be attached.",
            [FieldError(f"/{field}", p, "attachment") for p in problems],
        )
    key = write_file(data_dir, filename, content)
    folder = Path(data_dir) / FOLDER
    value = {"key": key, "name": filename, "size": len(content), "type": media_type}
    try:
        compiled.parse([value])
        record_upload(conn, rt, field, value, uploaded_by)
    except InvalidValue as exc:  # the same rules the record write will apply
        (folder / key).unlink()
        raise ValidationFailed(
            "The file cannot be attached.", [FieldError(f"/{field}", exc.message)]
        ) from exc
    except BaseException:
        (folder / key).unlink(missing_ok=True)
        raise
    return value


def write_file(data_dir: Path, filename: str, content: bytes) -> str:
    """Write ``content`` under a new key (the name's suffix kept); returns the key."""
    key = uuid.uuid4().hex + _suffix(filename)
    folder = Path(data_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(content)
    return key


def attachment_path(data_dir: Path, key: str) -> Path:
    """The file of an attachment key (NotFound for unknown or malformed keys)."""
    if not _KEY.match(key):
        raise NotFound("There is no such attachment.")
    path = Path(data_dir) / FOLDER / key
    if not path.is_file():
        raise NotFound("There is no such attachment.")
    return path
