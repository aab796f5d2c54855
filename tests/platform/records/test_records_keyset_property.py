"""Property: walking keyset pages in any sort order yields exactly the fully sorted list."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from records_testing import CTX

from jimu.platform.records import ListQuery, Records

ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["a", "b", "c"]),
            "score": st.one_of(st.none(), st.integers(0, 3)),
            "amount": st.one_of(st.none(), st.sampled_from(["1.50", "2.00", "10.25"])),
        }
    ),
    max_size=12,
)
SORTS = st.lists(st.sampled_from(["name", "score", "amount"]), unique=True, max_size=3).flatmap(
    lambda names: st.tuples(
        *(st.sampled_from([n, f"-{n}"]) for n in names), st.sampled_from(["id", "-id"])
    )
)


def expected_order(rows: list[dict[str, Any]], sort: tuple[str, ...]) -> list[int]:
    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for item in sort:
            name = item.lstrip("-")
            x, y = a[name], b[name]
            if name == "amount":
                x, y = (None if x is None else Decimal(x)), (None if y is None else Decimal(y))
            if x == y:
                continue
            if x is None or y is None:
                return 1 if x is None else -1  # empty values last, whatever the direction
            result = -1 if x < y else 1
            return -result if item.startswith("-") else result
        return 0

    return [r["id"] for r in sorted(rows, key=functools.cmp_to_key(compare))]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, sort=SORTS, limit=st.integers(1, 5))
def test_pages_follow_the_sort(
    records: Records,
    jimu_engine: sa.Engine,
    rows: list[dict[str, Any]],
    sort: tuple[str, ...],
    limit: int,
) -> None:
    with jimu_engine.connect() as conn:
        transaction = conn.begin()
        try:
            created = records.bulk_create(conn, "lead", rows, CTX) if rows else []
            for row, record in zip(rows, created, strict=True):
                row["id"] = record["id"]
            seen: list[int] = []
            cursor = None
            while True:
                query = ListQuery(sort=list(sort), limit=limit, cursor=cursor, fields=["name"])
                page = records.list(conn, "lead", query)
                seen += [r["id"] for r in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert seen == expected_order(rows, sort)
        finally:
            transaction.rollback()
