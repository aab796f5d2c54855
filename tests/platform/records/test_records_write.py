"""The write path: create, update, delete, restore, purge, history and outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from records_testing import CTX, entity, make_model

from jimu.errors import Conflict, NotFound, ValidationFailed
from jimu.platform.models import Outbox, RecordHistory, User
from jimu.platform.records import Records, WriteContext


def outbox(conn: sa.Connection) -> list[dict[str, object]]:
    rows = conn.execute(sa.select(Outbox.__table__).order_by(Outbox.id)).mappings()
    return [dict(r) for r in rows]


def test_create_converts_defaults_and_returns_the_record(
    records: Records, conn: sa.Connection
) -> None:
    rec = records.create(
        conn,
        "lead",
        {
            "name": " Wang ",
            "amount": 1200.5,
            "phone": "+86 138 1234 5678",
            "tags": ["b", "a"],
            "met_at": "2026-11-23T16:00:00+08:00",
        },
        CTX,
    )
    assert rec["name"] == "Wang"
    assert rec["status"] == "new"
    assert rec["amount"] == "1200.50"
    assert rec["phone"] == "+8613812345678"
    assert rec["tags"] == ["a", "b"]
    assert rec["met_at"] == "2026-11-23T08:00:00Z"
    assert rec["version"] == 1
    assert rec["created_by"] == 7 and rec["owner_id"] == 7
    assert rec["code"].startswith(f"LD-{datetime.now(UTC):%Y%m}-")
    again = records.get(conn, "lead", rec["id"])
    assert again == {**rec, "partners": []}


def test_every_error_of_a_record_is_reported_at_once(records: Records, conn: sa.Connection) -> None:
    with pytest.raises(ValidationFailed) as info:
        records.create(
            conn,
            "lead",
            {
                "amount": "-1",
                "phone": "12",
                "email": "nope",
                "score": 101,
                "status": "x",
                "bogus": 1,
                "code": "LD-1",
            },
            CTX,
        )
    pointers = {e.pointer: e.code for e in info.value.errors}
    assert pointers == {
        "/name": "required",
        "/amount": "min",
        "/phone": "format",
        "/email": "format",
        "/score": "max",
        "/status": "option",
        "/bogus": "unknown_field",
        "/code": "unknown_field",
    }


def test_update_is_partial_and_versioned_with_history(
    records: Records, conn: sa.Connection
) -> None:
    rec = records.create(conn, "lead", {"name": "Li", "amount": "10"}, CTX)
    updated = records.update(
        conn,
        "lead",
        rec["id"],
        {"amount": "20.5"},
        WriteContext(actor_id=8, source="ui"),
        expected_version=1,
    )
    assert updated["version"] == 2
    assert updated["name"] == "Li" and updated["amount"] == "20.50"
    assert updated["updated_by"] == 8
    history = records.history(conn, "lead", rec["id"])
    assert [h["field"] for h in history] == ["*", "amount"]
    assert history[1]["old_value"] == "10.00" and history[1]["new_value"] == "20.50"
    assert history[1]["source"] == "ui" and history[1]["actor_id"] == 8
    assert history[1]["changed_at"].endswith("Z")
    assert [(e["kind"], e["changed_fields"]) for e in outbox(conn)] == [
        ("created", sorted(k for k in history[0]["new_value"])),
        ("updated", ["amount"]),
    ]


def test_a_stale_version_is_a_conflict_carrying_the_current_record(
    records: Records, conn: sa.Connection
) -> None:
    rec = records.create(conn, "lead", {"name": "Li"}, CTX)
    records.update(conn, "lead", rec["id"], {"name": "Lee"}, CTX, expected_version=1)
    with pytest.raises(Conflict) as info:
        records.update(conn, "lead", rec["id"], {"name": "Lu"}, CTX, expected_version=1)
    assert info.value.extra["current"]["name"] == "Lee"
    assert info.value.extra["current"]["version"] == 2


def test_an_update_that_changes_nothing_writes_nothing(
    records: Records, conn: sa.Connection
) -> None:
    rec = records.create(conn, "lead", {"name": "Li"}, CTX)
    same = records.update(conn, "lead", rec["id"], {"name": "Li"}, CTX)
    assert same["version"] == 1
    assert len(outbox(conn)) == 1


def test_delete_restore_and_purge(records: Records, conn: sa.Connection) -> None:
    rec = records.create(conn, "lead", {"name": "Li"}, CTX)
    deleted = records.delete(conn, "lead", rec["id"], CTX)
    assert deleted["deleted_at"] is not None and deleted["version"] == 2
    with pytest.raises(NotFound):
        records.get(conn, "lead", rec["id"])
    assert [r["id"] for r in records.recycle_bin(conn, "lead").items] == [rec["id"]]
    assert records.list(conn, "lead").items == []
    restored = records.restore(conn, "lead", rec["id"], CTX)
    assert restored["deleted_at"] is None and restored["version"] == 3
    with pytest.raises(ValidationFailed):
        records.purge(conn, "lead", rec["id"], CTX)
    records.delete(conn, "lead", rec["id"], CTX)
    records.purge(conn, "lead", rec["id"], CTX)
    with pytest.raises(NotFound):
        records.get(conn, "lead", rec["id"], include_deleted=True)
    kinds = [e["kind"] for e in outbox(conn)]
    assert kinds == ["created", "deleted", "restored", "deleted", "purged"]


def test_links_must_point_at_live_records_and_unique_values_are_free(
    records: Records, conn: sa.Connection
) -> None:
    acme = records.create(conn, "account", {"name": "Acme", "industry": "it"}, CTX)
    with pytest.raises(ValidationFailed) as info:
        records.create(
            conn, "lead", {"name": "Li", "account": 999, "partners": [acme["id"], 998]}, CTX
        )
    assert {e.pointer for e in info.value.errors} == {"/account", "/partners"}
    with pytest.raises(Conflict) as conflict:
        records.create(conn, "account", {"name": "Acme"}, CTX)
    assert conflict.value.errors[0].pointer == "/name"


def test_bulk_create_is_all_or_nothing_with_row_pointers(
    records: Records, conn: sa.Connection
) -> None:
    with pytest.raises(ValidationFailed) as info:
        records.bulk_create(conn, "lead", [{"name": "a"}, {"amount": "x"}, {"name": "c"}], CTX)
    assert {e.pointer for e in info.value.errors} == {"/1/name", "/1/amount"}
    assert (
        records.list(
            conn,
            "lead",
        ).items
        == []
    )
    created = records.bulk_create(conn, "lead", [{"name": f"n{i}"} for i in range(5)], CTX)
    codes = [r["code"] for r in created]
    assert len(set(codes)) == 5 and codes == sorted(codes)
    assert codes[-1].endswith("0005")


def test_bulk_update_checks_each_version(records: Records, conn: sa.Connection) -> None:
    a, b = records.bulk_create(conn, "lead", [{"name": "a"}, {"name": "b"}], CTX)
    out = records.bulk_update(
        conn,
        "lead",
        [{"id": a["id"], "version": 1, "status": "won"}, {"id": b["id"], "score": 3}],
        CTX,
    )
    assert [r["version"] for r in out] == [2, 2]
    with pytest.raises(Conflict):
        records.bulk_update(conn, "lead", [{"id": a["id"], "version": 1, "status": "new"}], CTX)


def test_lookup_follows_the_linked_record(records: Records, conn: sa.Connection) -> None:
    acme = records.create(conn, "account", {"name": "Acme", "industry": "it"}, CTX)
    lead = records.create(conn, "lead", {"name": "Li", "account": acme["id"]}, CTX)
    assert lead["account"] == acme["id"] and lead["account_industry"] == "it"
    records.update(conn, "account", acme["id"], {"industry": "retail"}, CTX)
    again = records.get(conn, "lead", lead["id"])
    # a refreshed lookup is not an edit of the lead: same version, same updated_at
    assert again["account_industry"] == "retail" and again["version"] == 1
    assert again["updated_at"] == lead["updated_at"]
    assert records.history(conn, "lead", lead["id"])[-1]["field"] == "account_industry"
    event = outbox(conn)[-1]
    assert event["entity"] == "lead" and event["source"] == "system" and event["depth"] == 1
    assert event["caused_by"] == outbox(conn)[-2]["id"]


def test_subtable_rows_and_rollups_stay_current(records: Records, conn: sa.Connection) -> None:
    acme = records.create(conn, "account", {"name": "Acme"}, CTX)
    contract = records.create(
        conn,
        "contract",
        {
            "title": "C1",
            "account": acme["id"],
            "lines": [{"product": "p1", "amount": "10.00"}, {"product": "p2", "amount": "5.5"}],
        },
        CTX,
    )
    assert [line["amount"] for line in contract["lines"]] == ["10.00", "5.50"]
    assert records.get(conn, "contract", contract["id"])["total"] == "15.50"
    account = records.get(conn, "account", acme["id"])
    assert account["contract_count"] == 1 and account["contract_total"] == "15.50"
    first = contract["lines"][0]
    records.update(
        conn,
        "contract",
        contract["id"],
        {"lines": [{"id": first["id"], "amount": "1.00"}, {"product": "p3", "amount": "2"}]},
        CTX,
    )
    fetched = records.get(conn, "contract", contract["id"], fields=["total", "lines"])
    assert fetched["total"] == "3.00"
    assert [line["product"] for line in fetched["lines"]] == ["p1", "p3"]
    assert records.get(conn, "account", acme["id"])["contract_total"] == "3.00"
    records.delete(conn, "contract", contract["id"], CTX)
    account = records.get(conn, "account", acme["id"])
    assert account["contract_count"] == 0 and account["contract_total"] == "0.00"


def test_subtable_child_errors_point_into_the_parent(records: Records, conn: sa.Connection) -> None:
    with pytest.raises(ValidationFailed) as info:
        records.create(
            conn, "contract", {"title": "C", "lines": [{"product": "p"}, {"amount": "x"}]}, CTX
        )
    assert {e.pointer for e in info.value.errors} == {
        "/lines/0/amount",
        "/lines/1/product",
        "/lines/1/amount",
    }


def test_purging_a_target_clears_links_through_the_write_path(
    records: Records, conn: sa.Connection
) -> None:
    acme = records.create(conn, "account", {"name": "Acme", "industry": "it"}, CTX)
    lead = records.create(
        conn, "lead", {"name": "Li", "account": acme["id"], "partners": [acme["id"]]}, CTX
    )
    records.delete(conn, "account", acme["id"], CTX)
    records.purge(conn, "account", acme["id"], CTX)
    again = records.get(conn, "lead", lead["id"])
    assert again["account"] is None and again["account_industry"] is None
    assert again["partners"] == []
    history = (
        conn.execute(
            sa.select(RecordHistory.field).where(
                RecordHistory.record_id == lead["id"], RecordHistory.entity == "lead"
            )
        )
        .scalars()
        .all()
    )
    assert "account" in history


def test_many_links_are_replaced_and_recorded(records: Records, conn: sa.Connection) -> None:
    a, b, c = records.bulk_create(conn, "account", [{"name": n} for n in "abc"], CTX)
    lead = records.create(conn, "lead", {"name": "Li", "partners": [b["id"], a["id"]]}, CTX)
    assert lead["partners"] == [b["id"], a["id"]]
    updated = records.update(conn, "lead", lead["id"], {"partners": [c["id"]]}, CTX)
    assert updated["partners"] == [c["id"]] and updated["version"] == 2
    assert records.get(conn, "lead", lead["id"])["partners"] == [c["id"]]
    change = records.history(conn, "lead", lead["id"])[-1]
    assert change["field"] == "partners"
    assert change["old_value"] == [b["id"], a["id"]] and change["new_value"] == [c["id"]]


def test_user_fields_must_name_platform_users(jimu_engine: sa.Engine) -> None:
    task = entity("task", [{"name": "assignee", "type": "user"}])
    service = Records(make_model(task))
    service.runtime.metadata.create_all(jimu_engine)
    with jimu_engine.begin() as conn:
        conn.execute(sa.insert(User).values(id=3, username="u3", password_hash="x"))
        assert service.create(conn, "task", {"assignee": 3}, CTX)["assignee"] == 3
        with pytest.raises(ValidationFailed) as info:
            service.create(conn, "task", {"assignee": 4}, CTX)
        assert info.value.errors[0].pointer == "/assignee"


def test_money_is_exact_or_refused_never_rounded(records: Records, conn: sa.Connection) -> None:
    """SQLite keeps NUMERIC values as floats (15 significant digits): more is refused there
    rather than stored rounded; PostgreSQL stores every digit the field allows."""
    fits = records.create(conn, "lead", {"name": "a", "amount": "1234567890123.45"}, CTX)
    assert records.get(conn, "lead", fits["id"])["amount"] == "1234567890123.45"
    big = {"name": "b", "amount": "1234567890123456.78"}
    if conn.dialect.name == "sqlite":
        with pytest.raises(ValidationFailed) as info:
            records.create(conn, "lead", big, CTX)
        assert [(e.pointer, e.code) for e in info.value.errors] == [("/amount", "precision")]
        assert "15 significant digits" in info.value.errors[0].message
        with pytest.raises(ValidationFailed):
            records.update(conn, "lead", fits["id"], {"amount": big["amount"]}, CTX)
        assert records.get(conn, "lead", fits["id"])["amount"] == "1234567890123.45"
    else:
        stored = records.create(conn, "lead", big, CTX)
        assert records.get(conn, "lead", stored["id"])["amount"] == "1234567890123456.78"
