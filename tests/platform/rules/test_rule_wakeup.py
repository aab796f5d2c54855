"""A committed write wakes an idle worker at once (the poll is 60 s here): in-process through
the commit hook, and from another process's engine through PostgreSQL's NOTIFY."""

from __future__ import annotations

import time

import pytest
from rules_testing import create, get, publish, rule, worker

from jimu.platform.db import create_engine
from jimu.platform.state import Platform

SCORE = rule("score", trigger={"on": "created"},
             actions=[{"type": "add_score", "field": "score", "amount": 1}])  # fmt: skip


def wait_for_score(platform: Platform, record_id: int, seconds: float = 10.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if get(platform, "lead", record_id)["score"] == 1:
            return time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError("the rule did not run")


def test_a_commit_wakes_the_in_process_worker(platform: Platform) -> None:
    publish(platform, [SCORE])
    w = worker(platform, poll_seconds=60)
    w.start()
    try:
        assert w.ready.wait(10)
        time.sleep(0.2)  # the first drain found nothing; the worker sleeps on its poll
        lead = create(platform, "lead", name="Ann", score=0)
        assert wait_for_score(platform, lead["id"]) < 5
    finally:
        w.stop()


def test_notify_wakes_a_worker_of_another_engine(platform: Platform) -> None:
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    publish(platform, [SCORE])
    other = Platform(platform.settings, create_engine(platform.settings.database_url))
    w = worker(other, poll_seconds=60)
    w.start()
    try:
        assert w.ready.wait(10)
        time.sleep(0.2)
        lead = create(platform, "lead", name="Ann", score=0)  # written through another engine
        assert wait_for_score(platform, lead["id"]) < 5
    finally:
        w.stop()
        other.engine.dispose()
