"""The write path's after-store steps: named, in order, given typed stored records, and a
step that raises undoes the write (records/pipeline.py, write_path.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from records_testing import CTX

from jimu.errors import JimuError
from jimu.platform.records import Records
from jimu.platform.records.create import create_records
from jimu.platform.records.pipeline import StoredBatch
from jimu.platform.records.rows import utcnow
from jimu.platform.records.runtime import AppRuntime


def test_every_app_runs_the_standard_steps_in_order(records: Records) -> None:
    assert records.runtime.pipeline.names == ["sub-table rows", "dependents", "wake workers"]


def test_a_hook_sees_each_write_as_typed_stored_records(
    records: Records, conn: sa.Connection
) -> None:
    seen: list[tuple[str, int, bool, str | None, object]] = []

    def hook(_: sa.Connection, batch: StoredBatch) -> None:
        for stored in batch.records:
            before = None if stored.old is None else stored.old.get("name")
            seen.append((batch.rt.name, stored.new["id"], stored.created, before, stored.event_id))

    records.runtime.pipeline.add("watch", hook, before="dependents")
    assert records.runtime.pipeline.names == [
        "sub-table rows",
        "watch",
        "dependents",
        "wake workers",
    ]
    lead = records.create(conn, "lead", {"name": "Wang"}, CTX)
    records.update(conn, "lead", lead["id"], {"name": "Wang Fang"}, CTX)
    records.delete(conn, "lead", lead["id"], CTX)
    leads = [s for s in seen if s[0] == "lead"]
    assert [(s[1], s[2], s[3]) for s in leads] == [
        (lead["id"], True, None),
        (lead["id"], False, "Wang"),
        (lead["id"], False, "Wang Fang"),
    ]
    assert all(isinstance(s[4], int) for s in leads)
    with pytest.raises(ValueError):
        records.runtime.pipeline.add("watch", hook)


def test_a_step_that_raises_undoes_the_write(records: Records, conn: sa.Connection) -> None:
    def refuse(_: sa.Connection, batch: StoredBatch) -> None:
        raise JimuError("refused by a rule")

    records.runtime.pipeline.add("refuse", refuse)
    savepoint = conn.begin_nested()
    with pytest.raises(JimuError, match="refused by a rule"):
        records.create(conn, "lead", {"name": "Li"}, CTX)
    savepoint.rollback()
    assert records.list(conn, "lead").items == []


def test_a_runtime_built_without_the_write_path_refuses_to_write(
    records: Records, conn: sa.Connection
) -> None:
    """A bare ``AppRuntime`` has no steps: writing through it fails loudly instead of leaving
    sub-table rows and other records' rollups unwritten."""
    bare = AppRuntime(records.model)
    with pytest.raises(JimuError, match="has no steps"):
        create_records(conn, bare, bare.entity("lead"), [{"name": "Zhao"}], CTX, utcnow(), [""])
