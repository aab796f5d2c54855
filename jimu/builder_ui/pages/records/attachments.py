"""Attachment fields on the record form (upload, keep, remove) and downloading their files.

An attachment input posts ``<field>.present`` (so an emptied field is cleared), one
``<field>.keep`` per file the user keeps (the file's JSON value) and ``<field>.upload`` files.
New files are stored by the record service's ``save_attachment`` before the record is written
(the write then claims them for the record); downloads only serve files that the record (or
one of its sub-table rows) holds and that belong to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse

from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.records.form_input import FormLike
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.errors import NotFound
from jimu.platform.api.params import RecordId
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records.attachments import attachment_path, save_attachment
from jimu.platform.records.file_owners import stored_file

router = APIRouter()
Saver = Callable[[str, str, bytes, str], dict[str, Any]]
#: File types shown in the browser; everything else is downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


def _kept(form: FormLike, name: str) -> list[Any]:
    files: list[Any] = []
    for text in form.getlist(f"{name}.keep"):
        if not isinstance(text, str):
            continue
        try:
            files.append(json.loads(text))
        except ValueError:
            files.append(text)  # the record service explains what is wrong with it
    return files


def _uploads(form: FormLike, name: str) -> list[UploadFile]:
    return [
        item
        for item in form.getlist(f"{name}.upload")
        if isinstance(item, UploadFile) and item.filename
    ]


def attachment_values(
    form: FormLike, fields: Sequence[FieldView], save: Saver
) -> dict[str, list[Any]]:
    """The new value of every attachment field on the form: kept files, then uploads."""
    values: dict[str, list[Any]] = {}
    for f in fields:
        if f.widget != "attachment" or f"{f.name}.present" not in form:
            continue
        added = [
            save(f.name, upload.filename or "file", upload.file.read(), upload.content_type or "")
            for upload in _uploads(form, f.name)
        ]
        values[f.name] = _kept(form, f.name) + added
    return values


def saver(scope: EntityScope) -> Saver:
    """Stores each upload (in its own transaction, so a refused form keeps it claimable by the
    same user's next save of the form)."""
    runtime = scope.records.runtime.entity(scope.name)
    data_dir = scope.platform.settings.data_dir
    uploader = scope.viewer.signed_in_user.id
    engine = scope.platform.engine

    def save(field: str, filename: str, content: bytes, media_type: str) -> dict[str, Any]:
        with begin_write(engine) as conn:
            return save_attachment(
                conn,
                data_dir,
                runtime,
                field,
                filename,
                content,
                media_type or "application/octet-stream",
                uploaded_by=uploader,
            )

    return save


def _held_file(
    scope: EntityScope, record: Mapping[str, Any], field: str, key: str
) -> tuple[str, int] | None:
    """The entity and record id holding ``key`` in ``field``: the record itself, or one of its
    sub-table rows (whose column ``field`` is)."""
    if _holds(record.get(field), key):
        return scope.name, int(record["id"])
    runtime = scope.records.runtime.entity(scope.name)
    for name, spec in runtime.subtables.items():
        for row in record.get(name) or []:
            if isinstance(row, Mapping) and _holds(row.get(field), key):
                return str(spec.get("target")), int(row["id"])
    return None


def _holds(files: Any, key: str) -> bool:
    return isinstance(files, list) and any(
        isinstance(f, dict) and f.get("key") == key for f in files
    )


@router.get("/apps/{app}/{entity}/{record_id:int}/files/{field}/{key}")
def download(
    app: str,
    entity: str,
    record_id: RecordId,
    field: str,
    key: str,
    viewer: SignedIn,
    platform: PlatformDep,
) -> FileResponse:
    """A file the record (or one of its sub-table rows) holds and that belongs to it."""
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        record = scope.records.get(conn, scope.name, record_id, include_deleted=True)
        holder = _held_file(scope, record, field, key)
        stored = stored_file(conn, key) if holder is not None else None
    if holder is None or stored is None or not stored.belongs_to(app, *holder, field):
        raise NotFound("There is no such attachment.")
    path = attachment_path(platform.settings.data_dir, key)
    disposition = "inline" if stored.media_type in INLINE_TYPES else "attachment"
    return FileResponse(
        path,
        media_type=stored.media_type,
        filename=stored.name,
        content_disposition_type=disposition,
        headers={"X-Content-Type-Options": "nosniff"},
    )
