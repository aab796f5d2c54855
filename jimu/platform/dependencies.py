"""FastAPI dependencies shared by every router: the platform, settings and a DB session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from jimu.platform.settings import Settings
from jimu.platform.state import Platform


def get_platform(request: Request) -> Platform:
    return cast(Platform, request.app.state.platform)


def get_settings(request: Request) -> Settings:
    return get_platform(request).settings


def get_engine(request: Request) -> sa.Engine:
    return get_platform(request).engine


def get_db(request: Request) -> Iterator[Session]:
    """An ORM session for the request; the route commits what it wants kept."""
    with get_platform(request).sessions() as db:
        yield db


Db = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[sa.Engine, Depends(get_engine)]
PlatformDep = Annotated[Platform, Depends(get_platform)]
