"""Real worker processes: a ``kill -9`` in the middle of a run, then a restart, runs it exactly
once; two ``jimu worker`` processes on PostgreSQL share 2,000 events, each rule once per event."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from rules_testing import create, get, publish, records, rule

from jimu.platform.db import begin_write
from jimu.platform.models import Outbox, RuleRun
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

HERE = Path(__file__).parent
JIMU = [sys.executable, "-m", "jimu.cli"]
RUNS: sa.Table = RuleRun.__table__  # type: ignore[assignment]
OUTBOX: sa.Table = Outbox.__table__  # type: ignore[assignment]
WELCOME = rule(
    "welcome",
    trigger={"on": "created"},
    actions=[
        {"type": "add_score", "field": "score", "amount": 1},
        {"type": "create_record", "entity": "task", "link": "lead", "values": {"title": "call"}},
    ],
)
TAG = rule("tag", trigger={"on": "created"},
           actions=[{"type": "add_tags", "field": "tags", "tags": ["hot"]}])  # fmt: skip


def pending(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        stmt = sa.select(sa.func.count()).where(OUTBOX.c.processed_at.is_(None))
        return int(conn.execute(stmt).scalar_one())


def test_kill_minus_9_mid_run_then_restart_runs_once(platform: Platform, tmp_path: Path) -> None:
    publish(platform, [WELCOME])
    lead = create(platform, "lead", name="Ann", score=0)
    url, data = platform.settings.database_url, str(platform.settings.data_dir)
    marker = tmp_path / "marker"
    slow = subprocess.Popen([sys.executable, str(HERE / "slow_worker.py"), url, data, str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert slow.poll() is None, "the worker ended before its write"
            assert time.monotonic() < deadline, "the worker never wrote"
            time.sleep(0.05)
        os.kill(slow.pid, signal.SIGKILL)
        assert slow.wait(10) == -signal.SIGKILL
    finally:
        if slow.poll() is None:
            slow.kill()
    # the killed run left nothing: no run row, the score as it was, the event still pending
    assert get(platform, "lead", lead["id"])["score"] == 0
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(RUNS)).scalar_one() == 0
    assert pending(platform) == 1
    restarted = subprocess.run(
        [*JIMU, "--database-url", url, "--data-dir", data, "worker", "--drain"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "processed" in restarted.stdout
    assert get(platform, "lead", lead["id"])["score"] == 1
    with platform.engine.connect() as conn:
        rows = conn.execute(sa.select(RUNS.c.status, RUNS.c.rule)).all()
        tasks = records(platform).list(conn, "task").items
    assert [tuple(r) for r in rows] == [("done", "welcome")]
    assert [t["lead"] for t in tasks] == [lead["id"]]
    assert pending(platform) == 0


def test_two_worker_processes_run_each_rule_once_per_event(
    platform: Platform, tmp_path: Path
) -> None:
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("several worker processes share the outbox on PostgreSQL")
    events = 2000
    publish(platform, [WELCOME, TAG])
    recs = records(platform)
    for start in range(0, events, 500):
        with begin_write(platform.engine) as conn:
            rows = [{"name": f"L{i}", "score": 0} for i in range(start, start + 500)]
            recs.bulk_create(conn, "lead", rows, WriteContext(1, "import"))
    url, data = platform.settings.database_url, str(platform.settings.data_dir)
    env = {**os.environ, "JIMU_WORKER_POLL_SECONDS": "0.2"}
    command = [*JIMU, "--database-url", url, "--data-dir", data, "worker"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 400
        while pending(platform):
            assert all(w.poll() is None for w in workers), "a worker died"
            assert time.monotonic() < deadline, f"{pending(platform)} events still pending"
            time.sleep(0.5)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    assert [w.returncode for w in workers] == [0, 0]
    with platform.engine.connect() as conn:
        per_rule = dict(
            conn.execute(
                sa.select(RUNS.c.rule, sa.func.count()).where(RUNS.c.status == "done")
                .group_by(RUNS.c.rule)
            ).all()
        )  # fmt: skip
        others = conn.execute(sa.select(sa.func.count()).where(RUNS.c.status != "done"))
        assert others.scalar_one() == 0
        table = recs.table("lead")
        scores = conn.execute(sa.select(table.c.score, sa.func.count()).group_by(table.c.score))
        assert dict(scores.all()) == {1: events}
        tasks = recs.table("task")
        per_lead = sa.select(tasks.c.lead_id).group_by(tasks.c.lead_id)
        assert conn.execute(sa.select(sa.func.count()).select_from(tasks)).scalar_one() == events
        assert len(conn.execute(per_lead).all()) == events
    assert per_rule == {"welcome": events, "tag": events}
