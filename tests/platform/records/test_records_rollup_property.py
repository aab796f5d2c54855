"""Property: after any sequence of child writes, every rollup equals the aggregate of the live
children computed in Python."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from records_testing import CTX

from jimu.platform.records import ListQuery, Records

AMOUNTS = st.sampled_from(["0.50", "1.00", "2.25", "10.00"])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 1), AMOUNTS),
        st.tuples(st.just("amount"), st.integers(0, 9), AMOUNTS),
        st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 1)),
        st.tuples(st.just("delete"), st.integers(0, 9), st.none()),
        st.tuples(st.just("restore"), st.integers(0, 9), st.none()),
    ),
    max_size=12,
)


def apply(records: Records, conn: sa.Connection, contracts: list[int], op: tuple[Any, ...]) -> None:
    kind, a, b = op
    lines = records.list(conn, "contract_line", ListQuery(limit=100)).items
    deleted = records.recycle_bin(conn, "contract_line", ListQuery(limit=100)).items
    if kind == "add":
        records.create(
            conn, "contract_line", {"contract": contracts[a], "product": "p", "amount": b}, CTX
        )
    elif kind == "amount" and lines:
        records.update(conn, "contract_line", lines[a % len(lines)]["id"], {"amount": b}, CTX)
    elif kind == "move" and lines:
        records.update(
            conn, "contract_line", lines[a % len(lines)]["id"], {"contract": contracts[b]}, CTX
        )
    elif kind == "delete" and lines:
        records.delete(conn, "contract_line", lines[a % len(lines)]["id"], CTX)
    elif kind == "restore" and deleted:
        records.restore(conn, "contract_line", deleted[a % len(deleted)]["id"], CTX)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_rollups_match_the_live_children(
    records: Records, jimu_engine: sa.Engine, ops: list[tuple[Any, ...]]
) -> None:
    with jimu_engine.connect() as conn:
        transaction = conn.begin()
        try:
            account = records.create(conn, "account", {"name": "Acme"}, CTX)
            contracts = [
                records.create(conn, "contract", {"title": t, "account": account["id"]}, CTX)["id"]
                for t in ("c1", "c2")
            ]
            for op in ops:
                apply(records, conn, contracts, op)
            lines = records.list(conn, "contract_line", ListQuery(limit=100)).items
            totals = []
            for contract in contracts:
                expected = sum(
                    (Decimal(line["amount"]) for line in lines if line["contract"] == contract),
                    Decimal("0.00"),
                )
                total = records.get(conn, "contract", contract)["total"]
                assert Decimal(total) == expected
                totals.append(expected)
            got = records.get(conn, "account", account["id"])
            assert got["contract_count"] == 2
            assert Decimal(got["contract_total"]) == sum(totals, Decimal(0))
        finally:
            transaction.rollback()
