"""Process durability with real worker processes (issue 14): a ``kill -9`` while a worker is
inside a step, then a restart, takes the step exactly once; two ``jimu worker`` processes on
PostgreSQL share the due timers of 10,000 instances, each step taken exactly once.

The flow: start → a timer due at once → a service node adding 1 to the record's score → an
approval task for the initiator. The worker fires the timer; the timer's step runs the
service's actions and its follow-up step opens the task, all in one transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from platform_testing import add_user

from jimu.platform.db import begin_write
from jimu.platform.models import Outbox, RecordHistory, utcnow
from jimu.platform.process.instances import (
    INCIDENTS,
    INSTANCES,
    STEPS,
    TASKS,
    TIMERS,
    start_instance,
)
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import PASSWORD, approval_flow, publish_app
from tests.platform.rules.rules_testing import APP, records

JIMU = [sys.executable, "-m", "jimu.cli"]
#: A ``jimu worker --drain`` whose first record write (a service node's too) hangs uncommitted.
SLOW_WORKER = Path(__file__).parents[1] / "rules" / "slow_worker.py"
OUTBOX: sa.Table = Outbox.__table__  # type: ignore[assignment]
HISTORY: sa.Table = RecordHistory.__table__  # type: ignore[assignment]
#: Instances the two workers share (issue 14 asks for 10,000; a smaller figure for a quick run).
INSTANCES_SHARED = int(os.environ.get("JIMU_TEST_SHARED_INSTANCES", "10000"))
FLOW = approval_flow(
    "durable",
    [
        {"id": "wait", "type": "timer", "delay": {"amount": 0, "unit": "minutes"}},
        {
            "id": "bump",
            "type": "service",
            "actions": [{"type": "add_score", "field": "score", "amount": 1}],
        },
        {"id": "ok", "type": "approval", "assignees": [{"kind": "initiator"}]},
    ],
)


def start_all(platform: Platform, count: int, chunk: int = 500) -> tuple[int, list[int]]:
    """``count`` leads (score 0), each with a started instance, several per transaction;
    returns the initiator and the leads."""
    ann = add_user(platform, "ann", PASSWORD).id
    publish_app(platform, [FLOW])
    recs = records(platform)
    leads: list[int] = []
    for first in range(0, count, chunk):
        rows = [{"name": f"L{i}", "score": 0} for i in range(first, min(first + chunk, count))]
        with begin_write(platform.engine) as conn:
            made = recs.bulk_create(conn, "lead", rows, WriteContext(1, "import"))
            now = utcnow()
            for lead in made:
                start_instance(
                    conn, recs, APP, "durable", now, entity="lead", record_id=lead["id"],
                    initiator_id=ann, platform=platform,
                )  # fmt: skip
        leads += [int(lead["id"]) for lead in made]
    return ann, leads


def count(platform: Platform, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with platform.engine.connect() as conn:
        stmt = sa.select(sa.func.count()).select_from(table).where(*where)
        return int(conn.execute(stmt).scalar_one())


def check_each_step_once(platform: Platform, ann: int, leads: list[int]) -> None:
    """Every lead's score was bumped once, its instance has one open task (for ann), its timer
    fired in one step row; nothing is left waiting, nothing failed."""
    recs = records(platform)
    lead = recs.table("lead")
    with platform.engine.connect() as conn:
        written = sa.select(lead.c.score, lead.c.version, sa.func.count())
        scores = conn.execute(written.group_by(lead.c.score, lead.c.version))
        assert {(s, v): n for s, v, n in scores} == {(1, 2): len(leads)}  # one write each
        history = conn.execute(
            sa.select(HISTORY.c.record_id, HISTORY.c.source).where(
                HISTORY.c.entity == "lead", HISTORY.c.field == "score", HISTORY.c.version > 1
            )
        ).all()
        assert Counter(h.record_id for h in history) == Counter(leads)
        assert {h.source for h in history} == {"process"}
        tasks = conn.execute(
            sa.select(INSTANCES.c.record_id, TASKS.c.status, TASKS.c.kind, TASKS.c.assignees).join(
                TASKS, TASKS.c.instance_id == INSTANCES.c.id
            )
        ).all()
        mine = [{"kind": "user", "id": ann}]
        assert Counter(t.record_id for t in tasks) == Counter(leads)  # one task per record
        assert {(t.status, t.kind) for t in tasks} == {("open", "approval")}
        assert all(t.assignees == mine for t in tasks)
        fired: Counter[int] = Counter()
        for instance_id, event in conn.execute(sa.select(STEPS.c.instance_id, STEPS.c.event)):
            if event["type"] == "timer_fired":
                fired[int(instance_id)] += 1
        statuses = conn.execute(sa.select(INSTANCES.c.status, sa.func.count()).group_by(
            INSTANCES.c.status
        ))  # fmt: skip
        assert dict(statuses.all()) == {"running": len(leads)}
    assert len(fired) == len(leads) and set(fired.values()) == {1}
    assert count(platform, TIMERS) == 0
    assert count(platform, INCIDENTS) == 0
    assert count(platform, OUTBOX, OUTBOX.c.processed_at.is_(None)) == 0


def drain(platform: Platform) -> subprocess.CompletedProcess[str]:
    url, data = platform.settings.database_url, str(platform.settings.data_dir)
    return subprocess.run(
        [*JIMU, "--database-url", url, "--data-dir", data, "worker", "--drain"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip


def test_kill_minus_9_inside_a_step_then_restart_takes_it_once(
    platform: Platform, tmp_path: Path
) -> None:
    ann, leads = start_all(platform, 3)
    assert count(platform, TIMERS) == 3
    url, data = platform.settings.database_url, str(platform.settings.data_dir)
    marker = tmp_path / "marker"
    slow = subprocess.Popen([sys.executable, str(SLOW_WORKER), url, data, str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert slow.poll() is None, "the worker ended before its step's write"
            assert time.monotonic() < deadline, "the worker never reached the service's write"
            time.sleep(0.05)
        os.kill(slow.pid, signal.SIGKILL)
        assert slow.wait(10) == -signal.SIGKILL
    finally:
        if slow.poll() is None:
            slow.kill()
    # killed inside the timer's step: nothing of it is left, the timers still wait
    lead = records(platform).table("lead")
    with platform.engine.connect() as conn:
        scores = conn.execute(sa.select(lead.c.score)).scalars().all()
    assert scores == [0, 0, 0]
    assert count(platform, TIMERS) == 3
    assert count(platform, TASKS) == 0
    assert count(platform, STEPS) == 3  # the starts only
    restarted = drain(platform)
    assert "processed" in restarted.stdout
    check_each_step_once(platform, ann, leads)
    assert count(platform, STEPS) == 3 * 3  # start, timer fired, service done
    assert "processed 0" in drain(platform).stdout  # nothing more to do: no second firing


def test_two_worker_processes_share_ten_thousand_instances(platform: Platform) -> None:
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("several worker processes share the timers on PostgreSQL")
    instances = INSTANCES_SHARED
    started = time.monotonic()
    ann, leads = start_all(platform, instances)
    assert count(platform, TIMERS) == instances
    print(f"started {instances} instances in {time.monotonic() - started:.1f} s")
    url, data = platform.settings.database_url, str(platform.settings.data_dir)
    command = [*JIMU, "--database-url", url, "--data-dir", data, "worker", "--drain"]
    started = time.monotonic()
    workers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        outputs = [w.communicate(timeout=1800) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    print(f"two workers drained in {time.monotonic() - started:.1f} s")
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outputs]
    done = [int(out.split()[-1]) for out, _ in outputs]
    print(f"worker shares (events and timers): {done}")
    # a created and an updated event per record and a timer per instance, each taken once
    assert sum(done) == 3 * instances
    assert all(n > 0 for n in done)  # both took part (each drains for minutes)
    check_each_step_once(platform, ann, leads)
    assert count(platform, STEPS) == 3 * instances
