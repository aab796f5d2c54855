"""FastAPI dependencies shared by every router: the platform, settings and a DB session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

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


async def get_db(request: Request) -> AsyncIterator[Session]:
    """An ORM session for the request; the route commits what it wants kept.

    The session opens a connection only when used and gives it back at each commit (the
    caller's lookup commits before the route runs: see ``optional_principal``). On a request
    that may write (POST, PUT, PATCH, DELETE) its transactions begin ``BEGIN IMMEDIATE`` on
    SQLite, so reading and then writing (a sign-in and its audit row) cannot fail with
    "database is locked".

    ``async``, so making and closing a session that holds no connection (the common case:
    nothing to roll back) costs no hop to a worker thread; one that still holds a transaction
    is closed in a worker thread, since its rollback is I/O.
    """
    platform = get_platform(request)
    factory = platform.sessions if request.method in READ_METHODS else platform.write_sessions
    db = factory()
    try:
        yield db
    finally:
        if db.in_transaction():
            await run_in_threadpool(db.close)
        else:
            db.close()


# FastAPI runs a plain ``def`` dependency in the thread pool: a hop to a worker thread and back
# for what is one attribute lookup. These are ``async`` so they run on the event loop at once
# (they do no I/O); the plain functions above are for code that has the request in hand.


async def _platform(request: Request) -> Platform:
    return get_platform(request)


async def _settings(request: Request) -> Settings:
    return get_settings(request)


async def _engine(request: Request) -> sa.Engine:
    return get_engine(request)


Db = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(_settings)]
EngineDep = Annotated[sa.Engine, Depends(_engine)]
PlatformDep = Annotated[Platform, Depends(_platform)]
