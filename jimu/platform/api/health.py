"""``/api/health``: is the server up and its database reachable and migrated."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from jimu import __version__
from jimu.platform.dependencies import EngineDep
from jimu.platform.migrate import current_revision, head_revision

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str
    revision: str | None
    migrated: bool


@router.get("/health")
def health(engine: EngineDep) -> Health:
    revision = current_revision(engine)
    return Health(
        status="ok",
        version=__version__,
        database=engine.dialect.name,
        revision=revision,
        migrated=revision == head_revision(),
    )
