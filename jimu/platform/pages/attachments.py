"""Attachment fields on the record form (upload, keep, remove) and downloading their files.

An attachment input posts ``<field>.present`` (so an emptied field is cleared), one
``<field>.keep`` per file the user keeps (the file's JSON value) and ``<field>.upload`` files.
New files are stored by the record service's ``save_attachment`` before the record is written;
downloads only serve files that the record actually holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse

from jimu.errors import NotFound
from jimu.platform.dependencies import PlatformDep
from jimu.platform.pages.fields import FieldView
from jimu.platform.pages.form_input import FormLike
from jimu.platform.pages.scope import EntityScope
from jimu.platform.pages.viewer import SignedIn
from jimu.platform.records.attachments import attachment_path, save_attachment

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
    runtime = scope.records.runtime.entity(scope.name)
    data_dir = scope.platform.settings.data_dir

    def save(field: str, filename: str, content: bytes, media_type: str) -> dict[str, Any]:
        return save_attachment(
            data_dir, runtime, field, filename, content, media_type or "application/octet-stream"
        )

    return save


@router.get("/apps/{app}/{entity}/{record_id:int}/files/{field}/{key}")
def download(
    app: str,
    entity: str,
    record_id: int,
    field: str,
    key: str,
    viewer: SignedIn,
    platform: PlatformDep,
) -> FileResponse:
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        record = scope.records.get(conn, scope.name, record_id, include_deleted=True)
    files = record.get(field) if field in record else None
    match = next((f for f in files or [] if isinstance(f, dict) and f.get("key") == key), None)
    if match is None:
        raise NotFound("There is no such attachment.")
    path = attachment_path(platform.settings.data_dir, key)
    media_type = str(match.get("type") or "application/octet-stream")
    disposition = "inline" if media_type in INLINE_TYPES else "attachment"
    return FileResponse(
        path,
        media_type=media_type,
        filename=str(match.get("name") or key),
        content_disposition_type=disposition,
        headers={"X-Content-Type-Options": "nosniff"},
    )
