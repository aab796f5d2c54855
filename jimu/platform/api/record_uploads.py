"""``POST .../files/{field}``: upload a file for an attachment field, before writing it into a
record. The answer is the value to put in the field; the uploader's next write of that field
(create or update) claims the file for its record (see ``jimu.platform.records.file_owners``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status
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


@router.post("/files/{field}", status_code=status.HTTP_201_CREATED)
async def upload_file(
    app: str,
    entity: str,
    field: str,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    file: Annotated[UploadFile, File(description="the file")],
) -> StoredFileValue:
    """Store a file for ``field``; write the answer into the field to attach it (name and type
    are the upload's: a record write cannot change them)."""
    with platform.engine.connect() as conn:
        max_size = _check_may_upload(records_of(platform, conn, app, principal), entity, field)
    content = await file.read(max_size + 1)  # one byte more tells "too large"
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
