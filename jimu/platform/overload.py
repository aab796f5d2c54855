"""A server out of database connections answers 503 with ``Retry-After``, never a hang.

Every connection of the pool is in use and a request has waited ``db_pool_timeout`` seconds
for one (SQLAlchemy raises its pool ``TimeoutError``): the caller is told to come back in a
moment, as ``application/problem+json`` with code ``overloaded``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.responses import Response

from jimu.platform.problems import problem_response

#: Seconds a client should wait before trying again.
RETRY_AFTER_SECONDS = 1
log = logging.getLogger(__name__)


async def handle_pool_timeout(request: Request, exc: Exception) -> Response:
    log.warning("no free database connection for %s %s: %s", request.method, request.url, exc)
    return problem_response(
        503,
        "overloaded",
        "The server is busy: every database connection is in use. Try again in a moment.",
        extra={"retry_after": RETRY_AFTER_SECONDS},
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_overload_handler(app: FastAPI) -> None:
    app.add_exception_handler(PoolTimeout, handle_pool_timeout)
