"""What a write returns is what the database has; refreshed derived values are no new version."""

from __future__ import annotations

import sqlalchemy as sa
from records_testing import CTX

from jimu.platform.records import Records


def test_create_returns_the_rollups_its_children_produce(
    records: Records, conn: sa.Connection
) -> None:
    lines = [{"product": "p1", "amount": "10.00"}, {"product": "p2", "amount": "5.5"}]
    contract = records.create(conn, "contract", {"title": "C1", "lines": lines}, CTX)
    assert contract["total"] == "15.50" and contract["version"] == 1
    stored = records.get(conn, "contract", contract["id"])
    assert {k: v for k, v in contract.items() if k != "lines"} == {
        k: v for k, v in stored.items() if k != "lines"
    }
    edited = records.update(
        conn, "contract", contract["id"], {"title": "C2"}, CTX, expected_version=1
    )
    assert edited["version"] == 2 and edited["total"] == "15.50"


def test_update_returns_the_rollups_its_children_produce(
    records: Records, conn: sa.Connection
) -> None:
    contract = records.create(
        conn, "contract", {"title": "C", "lines": [{"product": "p", "amount": "1"}]}, CTX
    )
    first = contract["lines"][0]
    lines = [{"id": first["id"], "amount": "4.00"}, {"product": "q", "amount": "2"}]
    updated = records.update(
        conn, "contract", contract["id"], {"lines": lines}, CTX, expected_version=1
    )
    assert updated["total"] == "6.00" and updated["version"] == 2
    assert records.get(conn, "contract", contract["id"])["version"] == 2


def test_rollups_refreshed_by_other_records_keep_the_version(
    records: Records, conn: sa.Connection
) -> None:
    acme = records.create(conn, "account", {"name": "Acme"}, CTX)
    records.create(
        conn,
        "contract",
        {"title": "C", "account": acme["id"], "lines": [{"product": "p", "amount": "9"}]},
        CTX,
    )
    account = records.get(conn, "account", acme["id"])
    assert account["contract_count"] == 1 and account["contract_total"] == "9.00"
    assert account["version"] == 1 and account["updated_at"] == acme["updated_at"]
    fields = {h["field"] for h in records.history(conn, "account", acme["id"])}
    assert {"contract_count", "contract_total"} <= fields
    # the user who opened the account before the contract came can still save it
    saved = records.update(conn, "account", acme["id"], {"industry": "it"}, CTX, expected_version=1)
    assert saved["version"] == 2 and saved["contract_total"] == "9.00"
