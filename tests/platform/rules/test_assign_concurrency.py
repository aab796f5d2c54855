"""Round robin under concurrency on PostgreSQL: two workers, each on its own connections,
assign 200 leads arriving together to a group of 4. The pool's pointer row is locked while a
run reads and advances it, so every user gets exactly 50 and the assignments, in the order
they were made, go round the group without ever giving one user two in a row."""

from __future__ import annotations

import itertools
import threading

import pytest
import sqlalchemy as sa
from assign_testing import add_department, add_users
from rules_testing import publish, records, rule, worker

from jimu.platform.db import begin_write
from jimu.platform.models import Assignment
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

ASSIGNMENTS: sa.Table = Assignment.__table__  # type: ignore[assignment]
LEADS = 200


def test_two_workers_share_200_leads_round_robin_50_each(platform: Platform) -> None:
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite has a single writer)")
    add_users(platform, "creator")
    group = add_users(platform, "ann", "bob", "cat", "dan")
    sales = add_department(platform, "Sales", list(reversed(group)))
    action = {"type": "assign_owner", "method": "round_robin", "department": sales}
    publish(platform, [rule("assign", trigger={"on": "created"}, actions=[action])])
    with begin_write(platform.engine) as conn:
        rows = [{"name": f"L{i}"} for i in range(LEADS)]
        records(platform).bulk_create(conn, "lead", rows, WriteContext(1, "api"))
    start = threading.Barrier(2)
    done: list[int] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            # batches of 3 in a group of 4: a stale pointer read shows as a user taken twice
            done.append(worker(platform, batch=3).drain())
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    assert len(done) == 2 and all(n > 0 for n in done), done
    with platform.engine.connect() as conn:
        made = list(conn.scalars(sa.select(ASSIGNMENTS.c.user_id).order_by(ASSIGNMENTS.c.id)))
        owners = conn.execute(
            sa.select(records(platform).table("lead").c.owner_id, sa.func.count()).group_by(
                records(platform).table("lead").c.owner_id
            )
        ).all()
        failed = conn.execute(sa.text("select count(*) from jimu_rule_run where status <> 'done'"))
        assert failed.scalar_one() == 0
    assert dict(owners) == dict.fromkeys(group, LEADS // len(group))
    assert made == [group[i % len(group)] for i in range(LEADS)]
    assert all(a != b for a, b in itertools.pairwise(made))
