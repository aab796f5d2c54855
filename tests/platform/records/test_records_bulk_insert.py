"""The bulk insert of the write path stores every kind of value exactly (both databases)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from records_testing import CTX

from jimu.platform.models import Outbox, RecordHistory
from jimu.platform.records import Records


def test_bulk_created_values_read_back_exactly(records: Records, conn: sa.Connection) -> None:
    rows: list[dict[str, Any]] = [
        {
            "name": "王小明",
            "amount": "1200.5",
            "tags": ["b", "a"],
            "met_at": "2026-01-01T08:00:00+08:00",
            "phone": "+86 10 1234 5678",
            "score": 12.5,
        },
        {"name": "Empty"},
        {"name": "O'Brien; DROP", "email": "X@Example.COM", "tags": []},
    ]
    created = records.bulk_create(conn, "lead", rows, CTX)
    for record in created:
        assert records.get(conn, "lead", record["id"]) == record
    first, empty, third = created
    assert first["amount"] == "1200.50" and first["tags"] == ["a", "b"]
    assert first["met_at"] == "2026-01-01T00:00:00Z" and first["phone"] == "+861012345678"
    assert empty["tags"] is None and empty["amount"] is None and empty["status"] == "new"
    assert third["name"] == "O'Brien; DROP" and third["email"] == "X@example.com"
    initial = records.history(conn, "lead", first["id"])[0]
    assert initial["field"] == "*" and initial["old_value"] is None
    assert initial["new_value"]["name"] == "王小明" and initial["new_value"]["tags"] == ["a", "b"]
    events = conn.execute(
        sa.select(Outbox.record_id, Outbox.changed_fields, Outbox.kind).order_by(Outbox.id)
    ).all()
    assert [e.record_id for e in events] == [r["id"] for r in created]
    fields = events[0].changed_fields
    fields = json.loads(fields) if isinstance(fields, str) else fields
    assert "name" in fields and "tags" in fields and {e.kind for e in events} == {"created"}
    change_ids = conn.execute(sa.select(RecordHistory.change_id)).scalars().all()
    assert len(set(change_ids)) == len(created)
