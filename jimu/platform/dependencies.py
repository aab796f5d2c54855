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


#: Methods that never write; any other request's session begins its transactions IMMEDIATE.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Iterator[Session]:
    """An ORM session for the request; the route commits what it wants kept.

    The session opens a connection only when used and gives it back at each commit (the
    caller's lookup commits before the route runs: see ``optional_principal``). On a request
    that may write (POST, PUT, PATCH, DELETE) its transactions begin ``BEGIN IMMEDIATE`` on
    SQLite, so reading and then writing (a sign-in and its audit row) cannot fail with
    "database is locked".
    """
    platform = get_platform(request)
    factory = platform.sessions if request.method in READ_METHODS else platform.write_sessions
    with factory() as db:
        yield db


Db = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[sa.Engine, Depends(get_engine)]
PlatformDep = Annotated[Platform, Depends(get_platform)]
