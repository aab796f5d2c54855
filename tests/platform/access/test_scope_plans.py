"""Scoped lists and counts use the partial owner index (docs/access.md, "Benchmark").

The statements ``GuardedRecords.list`` sends for a rep (``own``) and a manager
(``department_tree``) are explained by the database: the count must be answered from
``ix_<table>_owner_live`` alone (SQLite: a covering index; PostgreSQL: an index-only scan) and
the rep's page must read it newest id first. On PostgreSQL sequential and bitmap scans are
switched off while explaining, so the plan shows whether the index *can* serve the statement
(its ``WHERE deleted_at IS NULL`` is implied by the query) rather than what a tiny table costs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from access_testing import sent_statements

from jimu.platform import metadata_store as store
from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.models import Department, User, UserDepartment
from jimu.platform.records import ListQuery
from jimu.platform.state import Platform

APP = "plans"
INDEX = "ix_plans_lead_owner_live"
LEADS, OWNERS = 6000, 200
LEAD = {
    "kind": "entity",
    "name": "lead",
    "label": {"en": "Lead"},
    "fields": [
        {"name": "name", "type": "text"},
        {"name": "status", "type": "select", "options": [{"value": "new"}, {"value": "won"}]},
    ],
}
ROLES = {
    "rep": {"actions": ["read", "delete"], "scope": "own"},  # delete: the recycle bin
    "manager": {"actions": ["read"], "scope": "department_tree"},
}


def user(db: Any, name: str) -> User:
    found = User(username=name, display_name=name, password_hash="!")
    db.add(found)
    db.flush()
    return found


def set_up(platform: Platform) -> dict[str, User]:
    """The app, a team (a manager and two reps) among 200 owners, 6,000 leads, some deleted."""
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, APP, "app", APP, {"kind": "app", "name": APP, "label": {"en": APP}})
        store.save_draft(conn, APP, "entity", "lead", LEAD)
        for name, rules in ROLES.items():
            role = {"kind": "role", "name": name, "label": {"en": name}}
            role["entities"] = {"lead": rules}
            store.save_draft(conn, APP, "role", name, role)
        store.publish(conn, APP)
    with platform.sessions() as db:
        people = {name: user(db, name) for name in ("boss", "rep1", "rep2")}
        team = Department(name="Team")
        db.add(team)
        db.flush()
        for found in people.values():
            db.add(UserDepartment(user_id=found.id, department_id=team.id, is_main=True))
        db.commit()
        # the others need not be users: owner_id has no foreign key
        owners = [*(found.id for found in people.values()), *range(10_000, 10_000 + OWNERS - 3)]
        for found in people.values():
            db.expunge(found)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, APP)
        assign_role(conn, APP, roles, "rep", user_id=people["rep1"].id)
        assign_role(conn, APP, roles, "manager", user_id=people["boss"].id)
        table = platform.apps.records(conn, APP).table("lead")
        rows = [
            {
                "name": f"lead {i}",
                "status": "new" if i % 3 else "won",
                "owner_id": owners[i % len(owners)],
                "created_at": now,
                "updated_at": now,
                "deleted_at": now if deleted(i) else None,
                "version": 1,
            }
            for i in range(LEADS)
        ]
        conn.execute(sa.insert(table), rows)
    with platform.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return people


def deleted(i: int) -> bool:
    """Whether lead ``i`` is in the recycle bin (one in seven)."""
    return i % 7 == 0


def live_leads(owner_positions: range) -> int:
    """How many leads the owners at these positions have outside the bin."""
    return sum(1 for i in range(LEADS) if i % OWNERS in owner_positions and not deleted(i))


def plan(conn: sa.Connection, statement: str, parameters: Any) -> str:
    if conn.dialect.name == "postgresql":
        with conn.begin():
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            return "\n".join(str(r[0]) for r in rows)
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(r[-1]) for r in rows)


def count_and_page(platform: Platform, who: User, query: ListQuery) -> tuple[str, str, int]:
    """The plans of the count and of the page ``who``'s list sends, and the total."""
    with platform.engine.connect() as conn:
        guarded = platform.apps.for_user(conn, APP, who)
        total = guarded.list(conn, "lead", query).total
        sent = sent_statements(platform, lambda: guarded.list(conn, "lead", query))
        table = guarded.table("lead").name
    mine = [(s, p) for s, p in sent if f"FROM {table}" in s]
    count = next((s, p) for s, p in mine if "count(" in s.lower())
    page = next((s, p) for s, p in mine if "count(" not in s.lower())
    assert total is not None
    with platform.engine.connect() as conn:
        return plan(conn, *count), plan(conn, *page), total


@pytest.mark.parametrize("who", ["rep1", "boss"])
def test_a_scoped_count_reads_only_the_partial_owner_index(platform: Platform, who: str) -> None:
    people = set_up(platform)
    query = ListQuery(sort=["-id"], limit=50, count=True)
    count, page, total = count_and_page(platform, people[who], query)
    assert total == live_leads(range(1, 2) if who == "rep1" else range(3))
    if platform.engine.dialect.name == "postgresql":
        assert f"Index Only Scan using {INDEX}" in count, count
    else:
        assert f"COVERING INDEX {INDEX}" in count, count
    if who == "rep1":
        # one owner's live rows, newest id first, straight from the index (no sort)
        if platform.engine.dialect.name == "postgresql":
            assert f"Index Scan Backward using {INDEX}" in page, page
            assert "Sort" not in page, page
        else:
            assert INDEX in page and "TEMP B-TREE" not in page, page


def test_a_filtered_scoped_count_still_uses_the_owner_index(platform: Platform) -> None:
    people = set_up(platform)
    query = ListQuery(filter={"==": [{"var": "status"}, "new"]}, sort=["-id"], count=True)
    count, _, total = count_and_page(platform, people["rep1"], query)
    assert total > 0
    assert INDEX in count, count


def test_a_reps_recycle_bin_reads_the_recycle_bin_index(platform: Platform) -> None:
    """The owner index leaves deleted rows out; the bin has a partial index of its own."""
    people = set_up(platform)
    with platform.engine.connect() as conn:
        guarded = platform.apps.for_user(conn, APP, people["rep1"])
        query = ListQuery(sort=["-id"], limit=50, count=True)
        page = guarded.recycle_bin(conn, "lead", query)
        sent = sent_statements(platform, lambda: guarded.recycle_bin(conn, "lead", query))
        table = guarded.table("lead").name
    expected = sum(1 for i in range(LEADS) if i % OWNERS == 1 and deleted(i))
    assert page.total == expected and len(page.items) == min(50, expected)
    mine = [(s, p) for s, p in sent if f"FROM {table}" in s]
    bin_index = "ix_plans_lead_owner_deleted"
    with platform.engine.connect() as conn:
        for statement, parameters in mine:
            found = plan(conn, statement, parameters)
            assert bin_index in found, found
            assert "Sort" not in found and "TEMP B-TREE" not in found, found
