"""Imports keep the history of their rows: created_at, updated_at, owner_id, auto-number period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from records_testing import CTX

from jimu.errors import ValidationFailed
from jimu.platform.records import Records, WriteContext

IMPORT = WriteContext(actor_id=7, source="import")


def test_import_keeps_the_given_times_and_owner(records: Records, conn: sa.Connection) -> None:
    rows = [
        {
            "name": "Old",
            "created_at": "2026-03-14T09:30:00+08:00",
            "updated_at": "2026-04-01T00:00:00Z",
            "owner_id": 5,
        },
        {"name": "Unowned", "created_at": "2026-03-20T00:00:00Z", "owner_id": None},
    ]
    old, unowned = records.bulk_create(conn, "lead", rows, IMPORT)
    assert old["created_at"] == "2026-03-14T01:30:00Z"
    assert old["updated_at"] == "2026-04-01T00:00:00Z"
    assert old["owner_id"] == 5 and old["created_by"] == 7
    assert unowned["owner_id"] is None
    assert unowned["updated_at"] == unowned["created_at"] == "2026-03-20T00:00:00Z"
    stored = records.get(conn, "lead", old["id"])
    assert stored["created_at"] == old["created_at"] and stored["updated_at"] == old["updated_at"]
    assert records.get(conn, "lead", unowned["id"])["owner_id"] is None
    created = records.history(conn, "lead", old["id"])[0]
    assert created["changed_at"] == "2026-03-14T01:30:00Z" and created["source"] == "import"


def test_autonumbers_count_in_the_period_of_created_at(
    records: Records, conn: sa.Connection
) -> None:
    now = datetime.now(UTC)
    months = ["2026-03-14T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-31T23:59:59Z", None]
    rows = [{"name": f"n{i}", "created_at": at} for i, at in enumerate(months)]
    codes = [r["code"] for r in records.bulk_create(conn, "lead", rows, IMPORT)]
    assert codes[:3] == ["LD-202603-0001", "LD-202602-0001", "LD-202603-0002"]
    assert codes[3] == f"LD-{now:%Y%m}-0001"
    more = records.bulk_create(
        conn, "lead", [{"name": "x", "created_at": "2026-03-01T08:00:00Z"}], IMPORT
    )
    assert more[0]["code"] == "LD-202603-0003"
    today = records.create(conn, "lead", {"name": "y"}, CTX)
    assert today["code"] == f"LD-{now:%Y%m}-0002"


def test_bad_times_are_refused_all_at_once(records: Records, conn: sa.Connection) -> None:
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    rows = [
        {"name": "a", "created_at": future},
        {"name": "b", "created_at": "14/03/2026"},
        {"name": "c", "created_at": "2026-03-14T00:00:00Z", "updated_at": "2026-03-01"},
        {"name": "d", "updated_at": future, "amount": "x"},
    ]
    with pytest.raises(ValidationFailed) as info:
        records.bulk_create(conn, "lead", rows, IMPORT)
    problems = {e.pointer: e.message for e in info.value.errors}
    assert set(problems) == {
        "/0/created_at",
        "/1/created_at",
        "/2/updated_at",
        "/3/updated_at",
        "/3/amount",
    }
    assert "in the future" in problems["/0/created_at"]
    assert "is before created_at" in problems["/2/updated_at"]
    assert records.list(conn, "lead").items == []


def test_other_sources_cannot_set_the_times(records: Records, conn: sa.Connection) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    for source in ("api", "ui", "rule"):
        lead = records.create(
            conn,
            "lead",
            {"name": "n", "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-02"},
            WriteContext(actor_id=7, source=source),
        )
        created = datetime.fromisoformat(lead["created_at"])
        assert created >= before and lead["updated_at"] == lead["created_at"]
        assert lead["code"].startswith(f"LD-{created:%Y%m}-")
    kept = records.create(conn, "lead", {"name": "n", "owner_id": None}, CTX)
    assert kept["owner_id"] is None


def test_import_times_on_update_are_ignored(records: Records, conn: sa.Connection) -> None:
    lead = records.bulk_create(
        conn, "lead", [{"name": "a", "created_at": "2026-03-14T00:00:00Z"}], IMPORT
    )[0]
    changed = records.update(
        conn, "lead", lead["id"], {"score": 3, "created_at": "2026-01-01T00:00:00Z"}, IMPORT
    )
    assert changed["created_at"] == "2026-03-14T00:00:00Z"
    assert changed["updated_at"] > lead["updated_at"]
