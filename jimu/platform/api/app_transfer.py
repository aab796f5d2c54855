"""Whole apps in and out, for the app designer and scripts (administrators only: these touch
every kind of document):

- ``GET /api/apps/{app}/export.zip``: the published app as a zip of its folder (byte-stable);
- ``POST /api/apps/import/preview`` (the zip as the body): what importing it would change;
- ``POST /api/apps/import``: import it (changed documents become drafts, then one publish);
- ``POST /api/apps/from-template``: a new app from the marketing template's documents.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field
from starlette.responses import Response

from jimu.errors import Conflict, FieldError, ValidationFailed
from jimu.metadata.folder import read_folder, write_folder
from jimu.metadata.folder_zip import unzip_folder, zip_folder
from jimu.metadata.schemas import DEFS
from jimu.platform import metadata_store as store
from jimu.platform.api.params import StrictBody
from jimu.platform.auth.dependencies import AdminUser
from jimu.platform.db import begin_write
from jimu.platform.demo import examples_dir
from jimu.platform.dependencies import PlatformDep
from jimu.platform.metadata_store.folder_preview import preview_folder

router = APIRouter(tags=["metadata"])
TEMPLATE = "marketing"
#: The largest zip an import accepts.
MAX_UPLOAD = 10 * 1024 * 1024


async def uploaded_zip(request: Request) -> bytes:
    """The request's body, the zip (refused past :data:`MAX_UPLOAD`)."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_UPLOAD:
            raise ValidationFailed(
                "The zip is too large.",
                [FieldError("/file", f"is larger than {MAX_UPLOAD // (1024 * 1024)} MB")],
            )
    return bytes(data)


@router.post("/api/apps/import/preview")
async def import_preview(
    request: Request, user: AdminUser, platform: PlatformDep
) -> dict[str, Any]:
    """What importing the zip would change (nothing is written)."""
    data = await uploaded_zip(request)
    with tempfile.TemporaryDirectory() as tmp, platform.engine.connect() as conn:
        return preview_folder(conn, unzip_folder(data, Path(tmp))).as_dict()


@router.post("/api/apps/import")
async def import_zip(request: Request, user: AdminUser, platform: PlatformDep) -> dict[str, Any]:
    """Import the zip's app folder and publish it; answers with the app and what changed."""
    data = await uploaded_zip(request)
    with tempfile.TemporaryDirectory() as tmp, begin_write(platform.engine) as conn:
        folder = unzip_folder(data, Path(tmp))
        app = str((read_folder(folder).app or {}).get("name", ""))
        saved = store.import_folder(conn, folder, actor_id=user.id, publish=True)
    platform.apps.forget(app)
    changed = [{"kind": d.kind, "name": d.name, "version": d.version} for d in saved]
    return {"app": app, "url": f"/design/apps/{app}", "documents": changed}


class ZipResponse(Response):
    media_type = "application/zip"


@router.get(
    "/api/apps/{app}/export.zip",
    response_class=ZipResponse,
    responses={
        200: {
            "description": "The app folder as a zip",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def export_zip(app: str, user: AdminUser, platform: PlatformDep) -> Response:
    with platform.engine.connect() as conn, tempfile.TemporaryDirectory() as tmp:
        store.export_folder(conn, app, Path(tmp))
        data = zip_folder(Path(tmp))
    headers = {"Content-Disposition": f'attachment; filename="{app}.zip"'}
    return ZipResponse(data, headers=headers)


class TemplateRequest(StrictBody):
    name: str = Field(pattern=DEFS["name"]["pattern"], description="the new app's name")
    label: dict[str, str] = Field(min_length=1, description="its label, by language")


@router.post("/api/apps/from-template")
def from_template(body: TemplateRequest, user: AdminUser, platform: PlatformDep) -> dict[str, str]:
    """Copy the marketing app's documents (not its sample data) as a new, published app."""
    folder = read_folder(examples_dir(TEMPLATE))
    documents = [dict(doc) for doc in folder.documents]
    for doc in documents:
        if doc.get("kind") == "app":
            doc.update(name=body.name, label=body.label)
    with begin_write(platform.engine) as conn, tempfile.TemporaryDirectory() as tmp:
        if body.name in store.apps(conn):
            raise Conflict(
                f"There is already an app {body.name!r}.",
                [FieldError("/name", f"there is already an app {body.name!r}", "exists")],
            )
        write_folder(Path(tmp), documents)
        store.import_folder(conn, Path(tmp), actor_id=user.id, publish=True)
    platform.apps.forget(body.name)
    return {"app": body.name, "url": f"/design/apps/{body.name}"}
