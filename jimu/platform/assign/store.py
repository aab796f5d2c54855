"""Reading a record's assignments back ("why this rep"), newest first."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.engines.form.types.temporal import format_datetime
from jimu.platform.models import Assignment

ASSIGNMENTS: sa.Table = Assignment.__table__  # type: ignore[assignment]


def record_assignments(
    conn: sa.Connection, app: str, entity: str, record_id: int, limit: int = 50
) -> list[dict[str, Any]]:
    """The record's assignments, newest first: who, how, from which pool, by which rule, the
    explanation in English and Chinese and its structured details."""
    rows = conn.execute(
        sa.select(ASSIGNMENTS)
        .where(
            ASSIGNMENTS.c.app == app,
            ASSIGNMENTS.c.entity == entity,
            ASSIGNMENTS.c.record_id == record_id,
        )
        .order_by(ASSIGNMENTS.c.id.desc())
        .limit(limit)
    ).mappings()
    return [
        {
            "id": row["id"],
            "entity": row["entity"],
            "record_id": row["record_id"],
            "field": row["field"],
            "user_id": row["user_id"],
            "previous_user_id": row["previous_user_id"],
            "method": row["method"],
            "pool": row["pool_key"],
            "rule": row["rule"],
            "event_id": row["event_id"],
            "version": row["version"],
            "explanation": {"en": row["explanation_en"], "zh": row["explanation_zh"]},
            "details": row["details"],
            "assigned_at": format_datetime(row["assigned_at"]),
        }
        for row in rows
    ]
