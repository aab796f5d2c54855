"""``/api/apps/{app}/entities/{entity}/...``: the records of published entities.

Routes are thin: they parse, call ``jimu.platform.records.Records`` (the one write path) inside
one transaction, and serialise. Errors are the service's ``JimuError``s. Import and export are
in ``record_files``, version/ETag handling in ``record_versions``.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Query, Response, status
from pydantic import BaseModel, Field

from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.api.params import RecordId, StrictBody
from jimu.platform.api.record_queries import MAX_LIMIT, QueryBody, query_from_params, split_list
from jimu.platform.api.record_versions import IF_MATCH_PATTERN, etag, split_version
from jimu.platform.auth.dependencies import AdminUser, CurrentPrincipal, Principal
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

router = APIRouter(prefix="/api/apps/{app}/entities/{entity}", tags=["records"])

Record = dict[str, Any]


class Page(BaseModel):
    items: list[Record]
    next_cursor: str | None = None
    total: int | None = None


class BulkBody(StrictBody):
    records: list[Record] = Field(min_length=1, max_length=MAX_LIMIT)


class Items(BaseModel):
    items: list[Record]


def write_context(principal: Principal) -> WriteContext:
    """Bodies here are JSON whoever sends them (a token or the browser's session), so their
    values must have their fields' JSON types (``strict``)."""
    source = "ui" if principal.via == "session" else "api"
    return WriteContext(actor_id=principal.user.id, source=source, strict=True)


def records_of(
    platform: Platform, conn: sa.Connection, app: str, principal: Principal
) -> GuardedRecords:
    """The records of ``app`` as the caller may use them (every route goes through this)."""
    return platform.apps.for_user(conn, app, principal.user)


async def list_params(  # async: it only parses, so no hop to a worker thread
    filter: Annotated[str | None, Query(description="JsonLogic condition as JSON")] = None,
    sort: Annotated[list[str] | None, Query(description="-amount,name")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query()] = None,
    fields: Annotated[list[str] | None, Query(description="name,amount")] = None,
    count: Annotated[bool, Query()] = False,
) -> QueryBody:
    return query_from_params(filter, sort, limit, cursor, fields, count)


ListParams = Annotated[QueryBody, Depends(list_params)]


def run_list(
    platform: Platform,
    principal: Principal,
    app: str,
    entity: str,
    query: QueryBody,
    *,
    deleted: bool = False,
) -> Page:
    with platform.engine.connect() as conn:
        page = records_of(platform, conn, app, principal).list(
            conn, entity, query.to_list_query(deleted=deleted)
        )
    return Page(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.get("/records")
def list_records(
    app: str, entity: str, query: ListParams, principal: CurrentPrincipal, platform: PlatformDep
) -> Page:
    """Records matching ``filter``, sorted, one keyset page at a time."""
    return run_list(platform, principal, app, entity, query)


@router.post("/records/query")
def query_records(
    app: str, entity: str, body: QueryBody, principal: CurrentPrincipal, platform: PlatformDep
) -> Page:
    """Like ``GET .../records`` with the query as a JSON body (for long filters)."""
    return run_list(platform, principal, app, entity, body)


@router.post("/records", status_code=status.HTTP_201_CREATED)
def create_record(
    app: str, entity: str, body: Record, principal: CurrentPrincipal, platform: PlatformDep
) -> Record:
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        return records.create(conn, entity, body, write_context(principal))


@router.post("/records/bulk", status_code=status.HTTP_201_CREATED)
def bulk_create(
    app: str, entity: str, body: BulkBody, principal: CurrentPrincipal, platform: PlatformDep
) -> Items:
    """Create all records or none (errors point at ``/<row>/<field>``)."""
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        return Items(
            items=records.bulk_create(conn, entity, body.records, write_context(principal))
        )


@router.patch("/records/bulk")
def bulk_update(
    app: str, entity: str, body: BulkBody, principal: CurrentPrincipal, platform: PlatformDep
) -> Items:
    """Update all records or none; each item has ``id`` and optionally ``version``."""
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        return Items(
            items=records.bulk_update(conn, entity, body.records, write_context(principal))
        )


@router.get("/records/{record_id:int}")
def get_record(
    app: str,
    entity: str,
    record_id: RecordId,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    response: Response,
    fields: Annotated[list[str] | None, Query()] = None,
) -> Record:
    """The record; its ``ETag`` is its version (send it back as ``If-Match`` to update)."""
    with platform.engine.connect() as conn:
        records = records_of(platform, conn, app, principal)
        record = records.get(conn, entity, record_id, fields=split_list(fields) or None)
    response.headers["ETag"] = etag(record)
    return record


@router.patch("/records/{record_id:int}")
def update_record(
    app: str,
    entity: str,
    record_id: RecordId,
    body: Record,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(json_schema_extra={"anyOf": [{"type": "string", "pattern": IF_MATCH_PATTERN}]}),
    ] = None,
) -> Record:
    """Change only the fields given; with ``version`` (or ``If-Match``), a stale one gets 409
    with the ``current`` record."""
    values, version = split_version(body, if_match)
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        record = records.update(
            conn, entity, record_id, values, write_context(principal), expected_version=version
        )
    response.headers["ETag"] = etag(record)
    return record


@router.delete("/records/{record_id:int}")
def delete_record(
    app: str, entity: str, record_id: RecordId, principal: CurrentPrincipal, platform: PlatformDep
) -> Record:
    """Move the record to the recycle bin (``deleted_at`` is set)."""
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        return records.delete(conn, entity, record_id, write_context(principal))


@router.post("/records/{record_id:int}/restore")
def restore_record(
    app: str, entity: str, record_id: RecordId, principal: CurrentPrincipal, platform: PlatformDep
) -> Record:
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        return records.restore(conn, entity, record_id, write_context(principal))


@router.get("/records/{record_id:int}/history")
def record_history(
    app: str, entity: str, record_id: RecordId, principal: CurrentPrincipal, platform: PlatformDep
) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return records_of(platform, conn, app, principal).history(conn, entity, record_id)


@router.get("/recycle-bin")
def recycle_bin(
    app: str, entity: str, query: ListParams, principal: CurrentPrincipal, platform: PlatformDep
) -> Page:
    """Soft-deleted records of the entity."""
    return run_list(platform, principal, app, entity, query, deleted=True)


@router.delete("/recycle-bin/{record_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def purge_record(
    app: str,
    entity: str,
    record_id: RecordId,
    admin: AdminUser,
    principal: CurrentPrincipal,
    platform: PlatformDep,
) -> Response:
    """Delete the record for good (administrators only)."""
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        records.purge(conn, entity, record_id, WriteContext(actor_id=admin.id, source="api"))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
