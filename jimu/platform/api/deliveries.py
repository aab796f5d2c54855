"""``/api/admin/deliveries``: administrators inspect external sends and retry dead ones."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from jimu.engines.form.sqltypes import MAX_ID
from jimu.platform.auth.dependencies import AdminUser
from jimu.platform.dependencies import Db
from jimu.platform.notify import admin

router = APIRouter(prefix="/api/admin/deliveries", tags=["notifications"])
DeliveryId = Annotated[
    int, Path(description="The id of the delivery (1 to 2^63 - 1)", ge=1, le=MAX_ID)
]


class DeliveryOut(BaseModel):
    id: int
    channel: str
    target: str
    idempotency_key: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_error: str | None
    log: list[Any]
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> DeliveryOut:
        return cls(**{name: row[name] for name in cls.model_fields})


@router.get("")
def list_deliveries(
    _: AdminUser,
    db: Db,
    status: Annotated[Literal["pending", "sending", "sent", "dead"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    rows = admin.list_deliveries(db.connection(), status=status, limit=limit)
    return [DeliveryOut.of(row) for row in rows]


@router.post("/{delivery_id}/retry")
def retry_delivery(delivery_id: DeliveryId, _: AdminUser, db: Db) -> DeliveryOut:
    conn = db.connection()
    admin.retry_dead(conn, delivery_id)
    row = admin.get_delivery(conn, delivery_id)
    db.commit()
    return DeliveryOut.of(row)
