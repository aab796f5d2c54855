"""``POST /api/hooks/{app}/{rule}``: an inbound webhook starts a webhook rule (no session: the
request is signed with the rule's secret; see jimu.platform.rules.inbound and docs/rules.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.rules.inbound import MAX_BODY_BYTES, Refused, accept

router = APIRouter(tags=["rules"])


def _too_large() -> Refused:
    message = f"The body is larger than {MAX_BODY_BYTES // 1024} KiB."
    return Refused(413, "body_too_large", message, "/")


async def _body(request: Request) -> bytes:
    """The raw body, refused (413) as soon as it is known to be too large."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/api/hooks/{app}/{rule}",
    status_code=202,
    responses={
        401: {"description": "missing, stale, wrong or replayed signature"},
        404: {"description": "no published, switched-on webhook rule"},
        413: {"description": "body too large"},
        422: {"description": "body not JSON"},
    },
)
async def inbound_webhook(
    app: str, rule: str, request: Request, platform: PlatformDep
) -> JSONResponse:
    """Queue a run of the webhook rule ``rule`` with the JSON body as ``$payload``; answers 202
    with the outbox event's id (the run log of the rule tells what it did)."""
    body = await _body(request)
    headers = {k.lower(): v for k, v in request.headers.items()}

    def store() -> int:
        with begin_write(platform.engine) as conn:
            return accept(platform, conn, app, rule, headers, body)

    from starlette.concurrency import run_in_threadpool

    event_id = await run_in_threadpool(store)
    content: dict[str, Any] = {"event_id": event_id, "status": "queued"}
    return JSONResponse(content, status_code=202)
