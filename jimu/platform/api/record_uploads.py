"""``POST .../files/{field}``: upload a file for an attachment field, before writing it into a
record. The answer is the value to put in the field; the uploader's next write of that field
(create or update) claims the file for its record (see ``jimu.platform.records.file_owners``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile, status
from pydantic import BaseModel

from jimu.engines.form.types.misc import DEFAULT_MAX_SIZE
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.api.records import records_of
from jimu.platform.auth.dependencies import CurrentPrincipal
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records.attachments import save_attachment

router = APIRouter(prefix="/api/apps/{app}/entities/{entity}", tags=["records"])


class StoredFileValue(BaseModel):
    key: str
    name: str
    size: int
    type: str


def _check_may_upload(records: GuardedRecords, entity: str, field: str) -> int:
    """The field's size limit, if the caller may write records of ``entity`` and ``field``."""
    access = records.access(entity)
    if not access.allows("create"):
        access.require("update", entity)
    compiled = records.runtime.entity(entity).codec.fields.get(field)
    if field in access.hidden or compiled is None or compiled.field.type != "attachment":
        raise ValidationFailed(
            "Not an attachment field.", [FieldError(f"/{field}", "is not an attachment field")]
        )
    if field in access.read_only:
        raise ValidationFailed(
            "The field is read-only.",
            [FieldError(f"/{field}", "is read-only for you", "read_only")],
        )
    return int(compiled.field.get("max_size") or DEFAULT_MAX_SIZE)


def upload_limit(
    app: str, entity: str, field: str, principal: CurrentPrincipal, platform: PlatformDep
) -> int:
    """The field's size limit once the caller is known to be allowed to upload for it.

    A dependency, so it runs before the file part is validated: a caller without access gets
    403/404, never a 422 about the body they may not send anyway."""
    with platform.engine.connect() as conn:
        return _check_may_upload(records_of(platform, conn, app, principal), entity, field)


@router.post("/files/{field}", status_code=status.HTTP_201_CREATED)
def upload_file(
    app: str,
    entity: str,
    field: str,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    max_size: Annotated[int, Depends(upload_limit)],
    file: Annotated[UploadFile, File(description="the file")],
) -> StoredFileValue:
    """Store a file for ``field``; write the answer into the field to attach it (name and type
    are the upload's: a record write cannot change them). Plain ``def``: it runs in the thread
    pool, so reading the spooled file and the database work never block the event loop."""
    content = file.file.read(max_size + 1)  # one byte more tells "too large"
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        value = save_attachment(
            conn,
            platform.settings.data_dir,
            records.runtime.entity(entity),
            field,
            file.filename or "file",
            content,
            file.content_type or "application/octet-stream",
            uploaded_by=principal.user.id,
        )
    return StoredFileValue.model_validate(value)
