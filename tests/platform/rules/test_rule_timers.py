"""Time triggers on both databases: schedules (records selected by the condition in SQL, the
app's time zone, a missed tick run once on start), relative-time timers planned, re-planned and
dropped by record events, "unchanged for" timers, planning at publish and on/off, retries of a
timer's run, and the worker waking for the earliest timer."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from rules_testing import APP, create, get, records, rule, update
from timers_testing import (
    OUTBOX,
    RUNS,
    Clock,
    clocked_worker,
    done_runs,
    publish_timers,
    timers,
)

from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.records import WriteContext
from jimu.platform.records import service as service_module
from jimu.platform.rules import runs
from jimu.platform.rules.catalog import DOCS
from jimu.platform.rules.timers import PLANS
from jimu.platform.state import Platform

SHANGHAI = ZoneInfo("Asia/Shanghai")
BUMP = [{"type": "add_score", "field": "score", "amount": 1}]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def scores(platform: Platform, ids: list[int]) -> list[Any]:
    return [get(platform, "lead", i)["score"] for i in ids]


def test_schedule_runs_at_nine_in_the_apps_zone_on_the_records_the_condition_selects(
    platform: Platform,
) -> None:
    daily = rule("daily", trigger={"on": "schedule", "cron": "0 9 * * *"},
                 condition={">=": [{"var": "score"}, 10]}, actions=BUMP)  # fmt: skip
    publish_timers(platform, [daily])
    ids = [create(platform, "lead", name=f"L{s}", score=s)["id"] for s in (5, 10, 20)]
    clock = Clock()
    worker = clocked_worker(platform, clock)
    worker.drain()
    (tick,) = timers(platform, "daily")
    due = as_utc(tick.due_at)
    assert tick.record_id is None and tick.trigger == "schedule"
    assert due.astimezone(SHANGHAI).time().isoformat() == "09:00:00"
    assert timedelta(0) < due - clock() <= timedelta(days=1)
    assert done_runs(platform, "daily") == []
    clock.offset = due - utcnow() + timedelta(seconds=1)
    worker.drain()
    assert done_runs(platform, "daily") == [(ids[1], "schedule"), (ids[2], "schedule")]
    assert scores(platform, ids) == [5, 11, 21]
    with platform.engine.connect() as conn:
        # each run stands on an event of its own: the firing, written to the outbox processed
        firings = conn.execute(
            sa.select(OUTBOX.c.record_id, OUTBOX.c.kind, OUTBOX.c.source, OUTBOX.c.processed_at)
            .join(RUNS, RUNS.c.event_id == OUTBOX.c.id)
            .where(RUNS.c.rule == "daily")
            .order_by(OUTBOX.c.id)
        ).all()
        assert [(r, k, s) for r, k, s, _ in firings] == [
            (ids[1], "schedule", "timer"),
            (ids[2], "schedule", "timer"),
        ]
        assert all(done is not None for *_, done in firings)
        # the rule's writes are caused by the firing (loop safety follows the chain)
        caused = conn.execute(
            sa.select(OUTBOX.c.caused_by).where(OUTBOX.c.source == "rule").order_by(OUTBOX.c.id)
        ).scalars()
        assert list(caused) == [
            e
            for e in conn.execute(
                sa.select(RUNS.c.event_id).where(RUNS.c.rule == "daily").order_by(RUNS.c.id)
            ).scalars()
        ]
    (tick,) = timers(platform, "daily")  # the per-record timers are gone; the next tick waits
    assert as_utc(tick.due_at) == due + timedelta(days=1)
    worker.drain()
    assert len(done_runs(platform, "daily")) == 2


def test_a_schedule_missed_during_downtime_runs_once_on_start(platform: Platform) -> None:
    hourly = rule("hourly", trigger={"on": "schedule", "cron": "0 * * * *"}, actions=BUMP)
    publish_timers(platform, [hourly])
    ids = [create(platform, "lead", name=f"L{i}", score=0)["id"] for i in range(3)]
    clock = Clock()
    clocked_worker(platform, clock).drain()  # plans the next tick, then "stops"
    assert done_runs(platform, "hourly") == []
    clock.move(hours=5, minutes=30)  # five ticks pass with no worker running
    restarted = clocked_worker(platform, clock)
    restarted.drain()
    assert sorted(done_runs(platform, "hourly")) == [(i, "schedule") for i in ids]
    assert scores(platform, ids) == [1, 1, 1]
    (tick,) = timers(platform, "hourly")
    assert clock() < as_utc(tick.due_at) <= clock() + timedelta(hours=1)
    restarted.drain()
    assert len(done_runs(platform, "hourly")) == 3


def test_time_trigger_is_planned_replanned_dropped_and_fires_once(platform: Platform) -> None:
    remind = rule("remind", trigger={"on": "time", "field": "due_at",
                                     "offset": {"amount": -1, "unit": "day"}},
                  actions=[{"type": "set_fields", "values": {"status": "mql"}}])  # fmt: skip
    publish_timers(platform, [remind])
    clock = Clock()
    worker = clocked_worker(platform, clock)
    start = utcnow().replace(microsecond=0)
    lead = create(platform, "lead", name="Ann", due_at=iso(start + timedelta(days=3)))
    other = create(platform, "lead", name="Bob")  # no date: no timer
    worker.drain()
    assert [(t.record_id, as_utc(t.due_at)) for t in timers(platform)] == [
        (lead["id"], start + timedelta(days=2))
    ]
    update(platform, "lead", lead["id"], due_at=iso(start + timedelta(days=5)))
    update(platform, "lead", lead["id"], name="Ann B")  # another field: nothing changes
    worker.drain()
    assert [as_utc(t.due_at) for t in timers(platform)] == [start + timedelta(days=4)]
    update(platform, "lead", lead["id"], due_at=None)
    worker.drain()
    assert timers(platform) == []
    update(platform, "lead", lead["id"], due_at=iso(start + timedelta(days=2)))
    recs = records(platform)
    with begin_write(platform.engine) as conn:
        recs.delete(conn, "lead", lead["id"], WriteContext(1, "api"))
    worker.drain()
    assert timers(platform) == []
    with begin_write(platform.engine) as conn:
        recs.restore(conn, "lead", lead["id"], WriteContext(1, "api"))
    worker.drain()
    assert [as_utc(t.due_at) for t in timers(platform)] == [start + timedelta(days=1)]
    clock.move(hours=23)
    worker.drain()
    assert done_runs(platform, "remind") == []
    clock.move(hours=2)
    worker.drain()
    worker.drain()
    assert done_runs(platform, "remind") == [(lead["id"], "time")]
    assert get(platform, "lead", lead["id"])["status"] == "mql"
    assert get(platform, "lead", other["id"])["status"] is None
    assert timers(platform) == []


def test_a_date_field_counts_from_midnight_in_the_apps_zone(platform: Platform) -> None:
    publish_timers(platform)
    before = create(platform, "lead", name="Before", due_on="2099-04-30", score=0)
    morning = rule("morning", trigger={"on": "time", "field": "due_on",
                                       "offset": {"amount": 9, "unit": "hour"}},
                   actions=BUMP)  # fmt: skip
    publish_timers(platform, [morning], first=False)  # plans the records there are
    after = create(platform, "lead", name="After", due_on="2099-05-01", score=0)  # its event
    clocked_worker(platform, Clock()).drain()
    planned = [(t.record_id, t.trigger, as_utc(t.due_at)) for t in timers(platform)]
    assert planned == [
        (before["id"], "time", datetime(2099, 4, 30, 9, 0, tzinfo=SHANGHAI)),
        (after["id"], "time", datetime(2099, 5, 1, 9, 0, tzinfo=SHANGHAI)),
    ]


def test_unchanged_fires_after_the_quiet_time_and_is_replanned_by_changes(
    platform: Platform,
) -> None:
    stale = rule("stale", trigger={"on": "unchanged", "fields": ["status"],
                                   "for": {"amount": 48, "unit": "hour"}},
                 actions=[{"type": "add_tags", "field": "tags", "tags": ["cold"]}])  # fmt: skip
    publish_timers(platform, [stale])
    clock = Clock()
    worker = clocked_worker(platform, clock)
    lead = create(platform, "lead", name="Ann", status="new")
    worker.drain()
    (first,) = timers(platform, "stale")
    created = datetime.fromisoformat(lead["created_at"].replace("Z", "+00:00"))
    assert abs(as_utc(first.due_at) - (created + timedelta(hours=48))) < timedelta(seconds=1)
    update(platform, "lead", lead["id"], score=3)  # not a watched field
    worker.drain()
    assert [t.due_at for t in timers(platform, "stale")] == [first.due_at]
    time.sleep(0.01)
    update(platform, "lead", lead["id"], status="mql")
    worker.drain()
    (second,) = timers(platform, "stale")
    assert as_utc(second.due_at) > as_utc(first.due_at)
    clock.move(hours=47)
    worker.drain()
    assert done_runs(platform, "stale") == []
    clock.move(hours=2)
    worker.drain()
    worker.drain()
    assert done_runs(platform, "stale") == [(lead["id"], "unchanged")]
    assert get(platform, "lead", lead["id"])["tags"] == ["cold"]
    assert timers(platform, "stale") == []


def test_publishing_plans_existing_records_switching_off_drops_on_plans_again(
    platform: Platform,
) -> None:
    publish_timers(platform)
    now = utcnow()
    ahead = create(platform, "lead", name="Ahead", due_at=iso(now + timedelta(days=3)))
    create(platform, "lead", name="Past", due_at=iso(now - timedelta(days=3)))
    create(platform, "lead", name="Empty")
    clock = Clock()
    worker = clocked_worker(platform, clock)
    worker.drain()  # the records' events: no rule yet
    remind = rule(
        "remind",
        trigger={"on": "time", "field": "due_at", "offset": {"amount": 1, "unit": "hour"}},
        actions=BUMP,
    )
    stale = rule(
        "stale",
        trigger={"on": "unchanged", "fields": ["status"], "for": {"amount": 1, "unit": "day"}},
        actions=BUMP,
    )
    weekly = rule("weekly", trigger={"on": "schedule", "cron": "0 8 * * mon"}, actions=BUMP)
    publish_timers(platform, [remind, stale, weekly], first=False)  # fmt: skip
    worker.drain()
    assert [t.record_id for t in timers(platform, "remind")] == [ahead["id"]]  # only ahead
    assert len(timers(platform, "stale")) == 3
    assert [t.record_id for t in timers(platform, "weekly")] == [None]
    with begin_write(platform.engine) as conn:
        runs.set_enabled(conn, APP, "remind", False, None)
        runs.set_enabled(conn, APP, "weekly", False, None)
    worker.drain()
    assert timers(platform, "remind") == timers(platform, "weekly") == []
    update(platform, "lead", ahead["id"], due_at=iso(now + timedelta(days=4)))
    worker.drain()
    assert timers(platform, "remind") == []  # a rule that is off plans nothing
    with begin_write(platform.engine) as conn:
        runs.set_enabled(conn, APP, "remind", True, None)
    worker.drain()
    assert [as_utc(t.due_at) for t in timers(platform, "remind")] == [
        datetime.fromisoformat(iso(now + timedelta(days=4, hours=1)).replace("Z", "+00:00"))
    ]
    # a new version with another trigger replaces the timers
    remind_v2 = rule("remind", trigger={"on": "created"}, actions=BUMP)
    publish_timers(platform, [remind_v2], first=False)
    worker.drain()
    assert timers(platform, "remind") == []
    assert len(timers(platform, "stale")) == 3
    # a rule no longer published (its documents gone) leaves no timers and no plan behind
    with begin_write(platform.engine) as conn:
        conn.execute(sa.delete(DOCS).where(DOCS.c.app == APP, DOCS.c.name == "stale"))
    platform.apps.forget(APP)
    worker.drain()
    assert timers(platform, "stale") == []
    with platform.engine.connect() as conn:
        plans = conn.execute(sa.select(PLANS.c.rule).order_by(PLANS.c.rule)).scalars().all()
    assert plans == ["remind", "weekly"]


def test_a_failing_timer_run_is_retried_from_its_run_row(platform: Platform) -> None:
    broken = rule("broken", trigger={"on": "time", "field": "due_at",
                                     "offset": {"amount": 0, "unit": "minute"}},
                  actions=[{"type": "set_fields", "formulas": {"score": "1 / 0"}}])  # fmt: skip
    publish_timers(platform, [broken])
    clock = Clock()
    worker = clocked_worker(platform, clock, retry_seconds=60, max_attempts=2)
    lead = create(platform, "lead", name="Ann", due_at=iso(utcnow() - timedelta(minutes=1)))
    worker.drain()
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="broken")
    assert (run["status"], run["trigger"]) == ("retry", "time")
    assert run["event_id"] is not None  # the firing's event, which the retry loads again
    assert run["record_id"] == lead["id"] and run["error"]
    assert timers(platform) == []  # the timer is spent; the run row carries the retry
    clock.move(minutes=2)
    worker.drain()
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="broken")
    assert (run["status"], run["attempts"]) == ("dead", 2)


def test_the_sleeping_worker_wakes_for_the_earliest_timer(platform: Platform) -> None:
    soon = rule(
        "soon",
        trigger={"on": "time", "field": "due_at", "offset": {"amount": 0, "unit": "minute"}},
        actions=BUMP,
    )
    publish_timers(platform, [soon])
    worker = clocked_worker(platform, Clock(), poll_seconds=120)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), daemon=True)
    thread.start()
    try:
        assert worker.ready.wait(10)
        lead = create(platform, "lead", name="Ann", score=0,
                      due_at=iso(utcnow() + timedelta(seconds=1.5)))  # fmt: skip
        deadline = time.monotonic() + 30
        while get(platform, "lead", lead["id"])["score"] != 1:
            assert time.monotonic() < deadline, "the worker slept past its timer"
            time.sleep(0.1)
    finally:
        stop.set()
        worker.wakeup.set()
        thread.join(10)
    assert done_runs(platform, "soon") == [(lead["id"], "time")]


def test_a_schedule_condition_sql_cannot_express_is_checked_on_each_live_record(
    platform: Platform,
) -> None:
    condition = {"==": [{"var": "$old.status"}, "new"]}  # $old: no SQL; the run checks it
    daily = rule("daily", trigger={"on": "schedule", "cron": "@daily"}, condition=condition,
                 actions=BUMP)  # fmt: skip
    publish_timers(platform, [daily])
    fresh, won, gone = (
        create(platform, "lead", name=name, status=status, score=0)["id"]
        for name, status in (("Fresh", "new"), ("Won", "won"), ("Gone", "new"))
    )
    with begin_write(platform.engine) as conn:
        records(platform).delete(conn, "lead", gone, WriteContext(1, "api"))
    clock = Clock()
    worker = clocked_worker(platform, clock)
    worker.drain()
    clock.move(days=1, minutes=1)
    worker.drain()
    assert done_runs(platform, "daily") == [(fresh, "schedule")]
    assert scores(platform, [fresh, won, gone]) == [1, 0, 0]
    with platform.engine.connect() as conn:
        assert runs.list_runs(conn, APP, rule="daily", status="skipped") == []


def test_the_rules_list_shows_each_rules_waiting_timers(
    platform: Platform, admin_client: TestClient
) -> None:
    weekly = rule("weekly", trigger={"on": "schedule", "cron": "0 8 * * mon"}, actions=BUMP)
    welcome = rule("welcome", trigger={"on": "created"}, actions=BUMP)
    publish_timers(platform, [weekly, welcome])
    clocked_worker(platform, Clock()).drain()
    (tick,) = timers(platform, "weekly")
    listed = {r["name"]: r["timers"] for r in admin_client.get(f"/api/apps/{APP}/rules").json()}
    assert listed["welcome"] == {"waiting": 0, "next_due_at": None}
    assert listed["weekly"]["waiting"] == 1
    shown = datetime.fromisoformat(listed["weekly"]["next_due_at"].replace("Z", "+00:00"))
    assert as_utc(shown) == as_utc(tick.due_at)
    assert as_utc(shown).astimezone(SHANGHAI).strftime("%a %H:%M") == "Mon 08:00"


def test_a_timer_waits_for_its_records_unprocessed_events(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A due timer does not act on a record whose latest change the worker has not seen: the
    change (here, of the watched field) plans the timer again, so the rule does not fire."""
    stale = rule("stale", trigger={"on": "unchanged", "fields": ["status"],
                                   "for": {"amount": 1, "unit": "hour"}},
                 actions=[{"type": "add_tags", "field": "tags", "tags": ["cold"]}])  # fmt: skip
    publish_timers(platform, [stale])
    clock = Clock()
    monkeypatch.setattr(service_module, "utcnow", clock)  # records are written at its time
    worker = clocked_worker(platform, clock)
    quiet = create(platform, "lead", name="Quiet", status="new")
    moved = create(platform, "lead", name="Moved", status="new")
    worker.drain()
    clock.move(hours=2)
    update(platform, "lead", moved["id"], status="mql")  # committed, not yet processed
    assert worker.process_timers() == 1  # the quiet one fires; the moved one waits
    assert done_runs(platform, "stale") == [(quiet["id"], "unchanged")]
    worker.drain()
    assert done_runs(platform, "stale") == [(quiet["id"], "unchanged")]
    (waiting,) = timers(platform, "stale")
    assert waiting.record_id == moved["id"] and as_utc(waiting.due_at) > clock()
