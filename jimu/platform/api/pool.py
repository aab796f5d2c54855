"""``/api/apps/{app}/pool/{entity}/...``: the public pool (公海) of an entity — its records,
the caller's limits, claiming, returning with a reason, transferring (docs/pool.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field, field_validator

from jimu.platform import pool
from jimu.platform.api.app_access import AppReader
from jimu.platform.api.params import BodyId, RecordId, StrictBody
from jimu.platform.api.record_queries import MAX_LIMIT
from jimu.platform.api.records import records_of, write_context
from jimu.platform.auth.dependencies import CurrentPrincipal
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter(prefix="/api/apps/{app}/pool/{entity}", tags=["pool"])

RecordIds = Annotated[list[BodyId], Field(min_length=1, max_length=MAX_LIMIT)]


class IdsBody(StrictBody):
    record_ids: RecordIds

    @field_validator("record_ids", mode="before")
    @classmethod
    def _whole_ids(cls, value: Any) -> Any:
        """``7.0`` in the list is the id 7, as JSON Schema reads it (as for single ids)."""
        if isinstance(value, list):
            return [int(v) if type(v) is float and v.is_integer() else v for v in value]
        return value


class ClaimBody(IdsBody):
    pass


class ReturnBody(IdsBody):
    #: One of the pool's return reasons (``value``).
    reason: str | None = Field(default=None, max_length=63)
    note: str | None = Field(default=None, max_length=pool.service.MAX_NOTE)


class TransferBody(IdsBody):
    to_user: BodyId
    note: str | None = Field(default=None, max_length=pool.service.MAX_NOTE)


@router.get("")
def pool_overview(
    app: str, entity: str, principal: CurrentPrincipal, platform: PlatformDep
) -> dict[str, Any]:
    """The pool's settings as the caller needs them: whether they may claim, their claims
    left today and records held against the limits, the return reasons."""
    with platform.engine.connect() as conn:
        records = records_of(platform, conn, app, principal)
        settings = pool.settings_of(records, entity)
        return {
            "entity": entity,
            "owner_field": settings.owner_field,
            "may_claim": pool.may_claim(conn, records, entity),
            "limits": pool.limits(conn, records, entity, principal.user.id).as_dict(),
            "reasons": [
                {"value": r.value, "label": dict(r.label)} for r in settings.return_reasons
            ],
            "reason_required": settings.reason_required,
        }


@router.get("/records")
def pool_records(
    app: str,
    entity: str,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> dict[str, Any]:
    """The records in the pool (owner empty), newest first, for those who may claim them."""
    with platform.engine.connect() as conn:
        records = records_of(platform, conn, app, principal)
        page = pool.pool_page(conn, records, entity, ListQuery(limit=limit, cursor=cursor))
        return {"items": page.items, "next_cursor": page.next_cursor, "total": page.total}


@router.post("/claim")
def claim_records(
    app: str,
    entity: str,
    body: ClaimBody,
    principal: CurrentPrincipal,
    _reader: AppReader,
    platform: PlatformDep,
) -> dict[str, Any]:
    """Make the caller the owner of pool records, all or none: 409 when one was claimed by
    someone else first or a limit would be passed (the answer says how many and when the
    day's count starts again), 403 when the pool does not let the caller claim."""
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        items = pool.claim(conn, records, entity, body.record_ids, write_context(principal))
        left = pool.limits(conn, records, entity, principal.user.id).as_dict()
    return {"items": items, "limits": left}


@router.post("/return")
def return_records(
    app: str,
    entity: str,
    body: ReturnBody,
    principal: CurrentPrincipal,
    _reader: AppReader,
    platform: PlatformDep,
) -> dict[str, Any]:
    """Give records back to the pool with a reason (422 at ``/reason`` when required and
    missing or not one of the pool's)."""
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        items = pool.return_to_pool(
            conn, records, entity, body.record_ids, write_context(principal), body.reason, body.note
        )
    return {"items": items}


@router.post("/transfer")
def transfer_records(
    app: str,
    entity: str,
    body: TransferBody,
    principal: CurrentPrincipal,
    _reader: AppReader,
    platform: PlatformDep,
) -> dict[str, Any]:
    """Hand records to another user (needs the right to change them and to assign to that
    user)."""
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        items = pool.transfer(
            conn, records, entity, body.record_ids, body.to_user, write_context(principal),
            body.note,
        )  # fmt: skip
    return {"items": items}


@router.get("/{record_id:int}/owners")
def record_owners(
    app: str, entity: str, record_id: RecordId, principal: CurrentPrincipal, platform: PlatformDep
) -> dict[str, Any]:
    """The record's owner changes (with their reasons), who held it when, and its previous
    owners."""
    with platform.engine.connect() as conn:
        records = records_of(platform, conn, app, principal)
        pool.settings_of(records, entity)
        records.get(conn, entity, record_id, fields=[], include_deleted=True)
        return {
            "changes": pool.owner_changes(conn, app, entity, record_id),
            "periods": pool.owner_periods(conn, app, entity, record_id),
            "previous_owners": pool.previous_owners(conn, app, entity, record_id),
        }


__all__ = ["router"]
