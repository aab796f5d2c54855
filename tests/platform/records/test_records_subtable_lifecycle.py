"""Sub-table rows follow their parent record into the recycle bin, back out, and into purge."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from records_testing import CTX, entity, make_model

from jimu.errors import NotFound
from jimu.platform.models import Outbox, RecordHistory
from jimu.platform.records import Records, WriteContext

UI = WriteContext(actor_id=9, source="ui")


def events(conn: sa.Connection, entity_name: str) -> list[tuple[int, str, str, int | None]]:
    table = Outbox.__table__
    stmt = sa.select(table.c.record_id, table.c.kind, table.c.source, table.c.actor_id)
    rows = conn.execute(stmt.where(table.c.entity == entity_name).order_by(table.c.id))
    return [tuple(r) for r in rows]  # type: ignore[misc]


def live_lines(records: Records, conn: sa.Connection, contract_id: int) -> list[str]:
    lines = records.get(conn, "contract", contract_id, fields=["lines"])["lines"]
    return [line["product"] for line in lines]


def binned_lines(records: Records, conn: sa.Connection) -> list[str]:
    return sorted(r["product"] for r in records.recycle_bin(conn, "contract_line").items)


def make_contract(records: Records, conn: sa.Connection, title: str, *products: str) -> dict:
    lines = [{"product": p, "amount": "1.00"} for p in products]
    return records.create(conn, "contract", {"title": title, "lines": lines}, CTX)


def test_deleting_a_parent_bins_its_rows_with_events_of_the_same_source(
    records: Records, conn: sa.Connection
) -> None:
    contract = make_contract(records, conn, "C1", "p1", "p2")
    other = make_contract(records, conn, "C2", "q1")
    line_ids = [line["id"] for line in contract["lines"]]
    records.delete(conn, "contract", contract["id"], UI)
    assert binned_lines(records, conn) == ["p1", "p2"]
    for line_id in line_ids:
        with pytest.raises(NotFound):
            records.get(conn, "contract_line", line_id)
    assert live_lines(records, conn, other["id"]) == ["q1"]  # other parents keep theirs
    deleted = [e for e in events(conn, "contract_line") if e[1] == "deleted"]
    assert deleted == [(i, "deleted", "ui", 9) for i in line_ids]
    history = RecordHistory.__table__
    stmt = sa.select(history.c.record_id, history.c.field, history.c.source).where(
        history.c.entity == "contract_line", history.c.field == "deleted_at"
    )
    assert sorted(conn.execute(stmt)) == [(i, "deleted_at", "ui") for i in line_ids]
    # The parent and its rows were binned at the same moment.
    parent = records.get(conn, "contract", contract["id"], include_deleted=True)
    rows = [records.get(conn, "contract_line", i, include_deleted=True) for i in line_ids]
    assert {r["deleted_at"] for r in rows} == {parent["deleted_at"]}


def test_restore_brings_back_only_the_rows_deleted_with_the_parent(
    records: Records, conn: sa.Connection
) -> None:
    contract = make_contract(records, conn, "C1", "p1", "p2", "p3")
    first, second, third = contract["lines"]
    # p2 is removed on its own (an edit of the parent), before the parent is deleted.
    keep = [{"id": first["id"]}, {"id": third["id"]}]
    records.update(conn, "contract", contract["id"], {"lines": keep}, CTX)
    assert binned_lines(records, conn) == ["p2"]
    records.delete(conn, "contract", contract["id"], UI)
    assert binned_lines(records, conn) == ["p1", "p2", "p3"]
    restored = records.restore(conn, "contract", contract["id"], UI)
    assert restored["deleted_at"] is None
    assert live_lines(records, conn, contract["id"]) == ["p1", "p3"]
    assert binned_lines(records, conn) == ["p2"]
    assert records.get(conn, "contract", contract["id"])["total"] == "2.00"
    kinds = [(e[0], e[1], e[2]) for e in events(conn, "contract_line") if e[1] != "created"]
    assert kinds == [
        (second["id"], "deleted", "api"),
        (first["id"], "deleted", "ui"),
        (third["id"], "deleted", "ui"),
        (first["id"], "restored", "ui"),
        (third["id"], "restored", "ui"),
    ]


def test_a_row_restored_on_its_own_is_not_touched_by_the_parent_restore(
    records: Records, conn: sa.Connection
) -> None:
    contract = make_contract(records, conn, "C1", "p1", "p2")
    first = contract["lines"][0]
    records.delete(conn, "contract", contract["id"], CTX)
    records.restore(conn, "contract_line", first["id"], CTX)
    records.restore(conn, "contract", contract["id"], CTX)
    assert live_lines(records, conn, contract["id"]) == ["p1", "p2"]
    assert binned_lines(records, conn) == []


def test_purging_a_parent_purges_its_rows(records: Records, conn: sa.Connection) -> None:
    contract = make_contract(records, conn, "C1", "p1", "p2")
    other = make_contract(records, conn, "C2", "q1")
    first, second = contract["lines"]
    records.update(conn, "contract", contract["id"], {"lines": [{"id": first["id"]}]}, CTX)
    records.delete(conn, "contract", contract["id"], CTX)
    records.purge(conn, "contract", contract["id"], CTX)
    for line_id in (first["id"], second["id"]):
        with pytest.raises(NotFound):
            records.get(conn, "contract_line", line_id, include_deleted=True)
    assert binned_lines(records, conn) == []
    purged = sorted(e[0] for e in events(conn, "contract_line") if e[1] == "purged")
    assert purged == sorted([first["id"], second["id"]])
    assert live_lines(records, conn, other["id"]) == ["q1"]


NESTED = [
    entity(
        "order",
        [
            {"name": "title", "type": "text"},
            {"name": "items", "type": "subtable", "target": "item", "link": "order"},
        ],
    ),
    entity(
        "item",
        [
            {"name": "order", "type": "link", "target": "order", "required": True},
            {"name": "name", "type": "text"},
            {"name": "parts", "type": "subtable", "target": "part", "link": "item"},
        ],
    ),
    entity(
        "part",
        [
            {"name": "item", "type": "link", "target": "item", "required": True},
            {"name": "code", "type": "text"},
        ],
    ),
]


def test_nested_sub_tables_follow_their_row(jimu_engine: sa.Engine) -> None:
    records = Records(make_model(*NESTED))
    records.runtime.metadata.create_all(jimu_engine)
    with jimu_engine.connect() as conn, conn.begin():
        body = {"title": "O", "items": [{"name": "i1", "parts": [{"code": "a"}, {"code": "b"}]}]}
        order = records.create(conn, "order", body, CTX)
        item = order["items"][0]
        part_ids = [p["id"] for p in records.get(conn, "item", item["id"])["parts"]]
        records.delete(conn, "order", order["id"], CTX)
        binned = records.recycle_bin(conn, "part").items
        assert sorted(p["id"] for p in binned) == sorted(part_ids)
        records.restore(conn, "order", order["id"], CTX)
        assert [p["code"] for p in records.get(conn, "item", item["id"])["parts"]] == ["a", "b"]
        records.delete(conn, "order", order["id"], CTX)
        records.purge(conn, "order", order["id"], CTX)
        remaining = conn.execute(
            sa.select(sa.func.count()).select_from(records.runtime.entities["part"].table)
        ).scalar_one()
        assert remaining == 0
