"""Two real ``jimu worker`` processes on PostgreSQL share the timers: a relative-time timer per
record planned from the outbox, and a schedule tick missed during downtime; each rule runs
exactly once per record."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rules_testing import records, rule
from test_rule_processes import JIMU, pending
from timers_testing import RUNS, TIMERS, publish_timers

from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.records import WriteContext
from jimu.platform.rules.worker import RuleWorker
from jimu.platform.state import Platform

BUMP = [{"type": "add_score", "field": "score", "amount": 1}]
REMIND = rule(
    "remind",
    trigger={"on": "time", "field": "due_at", "offset": {"amount": 1, "unit": "minute"}},
    actions=BUMP,
)
SWEEP = rule("sweep", trigger={"on": "schedule", "cron": "0 0 1 1 *"}, actions=BUMP)  # fmt: skip


def due_timers(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        stmt = sa.select(sa.func.count()).where(TIMERS.c.due_at <= utcnow())
        return int(conn.execute(stmt).scalar_one())


def test_two_worker_processes_fire_each_timer_once(platform: Platform) -> None:
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("several worker processes share the timers on PostgreSQL")
    leads = 300
    publish_timers(platform, [REMIND, SWEEP])
    recs = records(platform)
    past = (utcnow() - timedelta(hours=1)).isoformat()
    with begin_write(platform.engine) as conn:
        rows = [{"name": f"L{i}", "score": 0, "due_at": past} for i in range(leads)]
        recs.bulk_create(conn, "lead", rows, WriteContext(1, "import"))
    RuleWorker(platform).plan_rules()  # the schedule's next tick (next 1 January) …
    with begin_write(platform.engine) as conn:  # … came and went while no worker ran
        missed = utcnow() - timedelta(days=3)
        conn.execute(sa.update(TIMERS).where(TIMERS.c.rule == "sweep").values(due_at=missed))
    url, data = platform.settings.database_url, str(platform.settings.data_dir)
    env = {**os.environ, "JIMU_WORKER_POLL_SECONDS": "0.2"}
    command = [*JIMU, "--database-url", url, "--data-dir", data, "worker"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    table = recs.table("lead")
    try:
        deadline = time.monotonic() + 300
        while True:
            with platform.engine.connect() as conn:
                stmt = sa.select(sa.func.count()).where(table.c.score == 2)
                finished = conn.execute(stmt).scalar_one() == leads
            if finished and not pending(platform) and not due_timers(platform):
                break
            assert all(w.poll() is None for w in workers), "a worker died"
            assert time.monotonic() < deadline, "the timers did not all fire"
            time.sleep(0.5)
        time.sleep(1)  # a second firing, if there were one, would show now
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    assert [w.returncode for w in workers] == [0, 0]
    with platform.engine.connect() as conn:
        done = conn.execute(
            sa.select(RUNS.c.rule, sa.func.count(sa.distinct(RUNS.c.record_id)), sa.func.count())
            .where(RUNS.c.status == "done")
            .group_by(RUNS.c.rule)
        )
        per_rule = {name: (records_run, runs) for name, records_run, runs in done}
        others = conn.execute(sa.select(sa.func.count()).where(RUNS.c.status != "done"))
        assert others.scalar_one() == 0
        scores = conn.execute(sa.select(table.c.score, sa.func.count()).group_by(table.c.score))
        assert dict(scores.tuples().all()) == {2: leads}
        left = conn.execute(sa.select(TIMERS.c.rule, TIMERS.c.record_id)).tuples().all()
    assert per_rule == {"remind": (leads, leads), "sweep": (leads, leads)}
    assert left == [("sweep", None)]
