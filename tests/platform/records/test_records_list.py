"""Listing: multi-column sort with NULLs, keyset pages, field selection, counts."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from records_testing import CTX

from jimu.errors import ValidationFailed
from jimu.platform.records import ListQuery, Records
from jimu.platform.records.filters import filter_clause


def seed(records: Records, conn: sa.Connection) -> list[dict[str, object]]:
    rows = [
        {"name": "a", "score": 3, "amount": "10"},
        {"name": "b", "score": None, "amount": "10"},
        {"name": "c", "score": 1, "amount": "5"},
        {"name": "d", "score": 3, "amount": None},
        {"name": "e", "score": 2, "amount": "7.5"},
        {"name": "f", "score": None, "amount": None},
        {"name": "g", "score": 3, "amount": "10"},
    ]
    return records.bulk_create(conn, "lead", rows, CTX)


def all_pages(records: Records, conn: sa.Connection, sort: list[str], limit: int) -> list[str]:
    names: list[str] = []
    cursor = None
    while True:
        page = records.list(conn, "lead", ListQuery(sort=sort, limit=limit, cursor=cursor))
        names += [str(r["name"]) for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return names


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (["-score", "name"], ["a", "d", "g", "e", "c", "b", "f"]),
        (["score", "-amount"], ["c", "e", "g", "a", "d", "b", "f"]),
        (["amount", "-id"], ["c", "e", "g", "b", "a", "f", "d"]),
        ([], ["a", "b", "c", "d", "e", "f", "g"]),
    ],
)
def test_keyset_pages_follow_the_sort_with_nulls_last(
    records: Records, conn: sa.Connection, sort: list[str], expected: list[str]
) -> None:
    seed(records, conn)
    for limit in (1, 2, 3, 7, 50):
        assert all_pages(records, conn, sort, limit) == expected


def test_keyset_pages_when_sort_fields_are_not_selected(
    records: Records, conn: sa.Connection
) -> None:
    seed(records, conn)
    for limit in (1, 2, 3):
        names: list[str] = []
        cursor = None
        while True:
            query = ListQuery(sort=["-score", "amount"], fields=["name"], limit=limit)
            page = records.list(conn, "lead", replace(query, cursor=cursor))
            assert not any({"score", "amount"} & set(r) for r in page.items)
            names += [str(r["name"]) for r in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert names == ["a", "g", "d", "e", "c", "b", "f"]


def test_a_selected_sort_column_is_not_selected_twice(
    records: Records, conn: sa.Connection
) -> None:
    seed(records, conn)
    statements: list[str] = []

    def grab(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(conn.engine, "before_cursor_execute", grab)
    try:
        records.list(conn, "lead", ListQuery(sort=["-created_at", "name"], limit=2))
        records.list(conn, "lead", ListQuery(sort=["-score"], fields=["name"], limit=2))
    finally:
        sa.event.remove(conn.engine, "before_cursor_execute", grab)
    lists = [s.split("FROM")[0] for s in statements if s.startswith("SELECT crm_lead.id")]
    every_field, name_only = lists
    assert "_sort_" not in every_field
    assert every_field.count("created_at") == 1
    assert "AS _sort_0" in name_only


def test_field_selection_and_count(records: Records, conn: sa.Connection) -> None:
    seed(records, conn)
    page = records.list(conn, "lead", ListQuery(fields=["name"], limit=2, count=True))
    assert page.total == 7 and len(page.items) == 2
    assert set(page.items[0]) == {
        "id",
        "name",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "owner_id",
        "deleted_at",
    }


def test_bad_queries_report_every_problem(records: Records, conn: sa.Connection) -> None:
    with pytest.raises(ValidationFailed) as info:
        records.list(conn, "lead", ListQuery(sort=["nope", "partners"], fields=["zzz"], limit=0))
    assert {e.pointer for e in info.value.errors} == {"/sort/0", "/sort/1", "/fields/0", "/limit"}
    with pytest.raises(ValidationFailed):
        records.list(conn, "lead", ListQuery(cursor="garbage"))


def test_jsonlogic_filters_select_rows_and_count(records: Records, conn: sa.Connection) -> None:
    seed(records, conn)
    logic = {
        "and": [
            {">=": [{"var": "score"}, 2]},
            {"or": [{"==": [{"var": "amount"}, 10]}, {"==": [{"var": "amount"}, None]}]},
        ]
    }
    page = records.list(conn, "lead", ListQuery(filter=logic, sort=["name"], count=True))
    assert [r["name"] for r in page.items] == ["a", "d", "g"]
    assert page.total == 3
    scoped = records.list(
        conn, "lead", ListQuery(filter=logic, scope={"!=": [{"var": "name"}, "a"]}, count=True)
    )
    assert scoped.total == 2


def test_filters_on_datetimes_and_text(records: Records, conn: sa.Connection) -> None:
    records.create(conn, "lead", {"name": "early", "met_at": "2026-01-01T08:00:00+08:00"}, CTX)
    records.create(conn, "lead", {"name": "late", "met_at": "2026-06-01T00:00:00Z"}, CTX)
    logic = {">": [{"var": "met_at"}, "2026-01-01T00:30:00Z"]}
    assert [r["name"] for r in records.list(conn, "lead", ListQuery(filter=logic)).items] == [
        "late"
    ]
    starts = {"in": ["ear", {"var": "name"}]}
    assert [r["name"] for r in records.list(conn, "lead", ListQuery(filter=starts)).items] == [
        "early"
    ]


def test_a_bad_filter_points_into_the_rule(records: Records, conn: sa.Connection) -> None:
    with pytest.raises(ValidationFailed) as info:
        records.list(conn, "lead", ListQuery(filter={"and": [{"nope": [1]}]}))
    assert info.value.errors[0].pointer.startswith("/filter")


def test_a_repeated_filter_is_rendered_once_unless_it_reads_the_clock(records: Records) -> None:
    rt = records.runtime.entity("lead")
    steady = {">": [{"var": "score"}, 1]}
    assert filter_clause(rt, steady) is filter_clause(rt, dict(steady))
    recent = {"within_last": [{"var": "created_at"}, 7, "day"]}
    assert filter_clause(rt, recent) is not filter_clause(rt, recent)
    mine = {"==": [{"var": "owner_id"}, {"var": "$user.id"}]}
    context = {"user": {"id": 1}}
    assert filter_clause(rt, mine, context) is not filter_clause(rt, mine, context)
