"""The rule worker: claims record events from the outbox and due retries, runs the rules.

Each batch is one transaction: the claimed events (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so several workers share the outbox; ``BEGIN IMMEDIATE`` on SQLite, one writer at a time), each
event's matching rules' runs in a savepoint with their writes and their ``jimu_rule_run`` rows,
and the events' ``processed_at``. A crash before the commit leaves the events unprocessed and
nothing of their runs written, so they run again exactly once. When a run fails, the event's
savepoint is rolled back and its runs are attempted again in a savepoint each: the failing one
is stored as ``retry`` (with backoff) or, after ``max_attempts``, ``dead``; the others commit.

Timers (``jimu_rule_timer``, see ``timers.py``) are claimed the same way when due: the rule runs
on the timer's record, on an event of its own written for the firing (so the run, its retries
and its effects refer to an event like any other), and the timer is deleted (or, for a
schedule, moved to its next tick) in the same transaction. A schedule tick selects its records
and gives each a timer due at once, so a tick missed while nothing ran fires once, and its
records run in batches like the others. A record's timer is held while the record has events
the worker has not processed yet. Process timers (``jimu_process_timer``) are fired by
the same loop (``jimu.platform.process.timers``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.rule import TRIGGERS, RecordView
from jimu.engines.rule.timing import next_schedule
from jimu.engines.rule.webhook_trigger import WEBHOOK
from jimu.errors import NotFound
from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.process import schedule_starts
from jimu.platform.process import timers as flow_timers
from jimu.platform.process.record_starts import RecordStarts
from jimu.platform.records import Records
from jimu.platform.rules import timers
from jimu.platform.rules.catalog import PublishedRule, RuleCatalog, disabled_rules
from jimu.platform.rules.events import COLUMNS, OUTBOX, Event, load_event
from jimu.platform.rules.execute import (
    RUNS,
    Outcome,
    failure_text,
    next_attempt,
    read_view,
    run_rule,
    run_values,
)
from jimu.platform.rules.inbound_runs import webhook_view
from jimu.platform.rules.wake import OUTBOX_WRITTEN
from jimu.platform.state import Platform

log = logging.getLogger("jimu.rules")
#: Built once: the parameters name the columns (a statement built per run costs more than
#: the insert).
INSERT_RUN = sa.insert(RUNS)


@dataclass(frozen=True)
class WorkerOptions:
    #: Events (and due retries) claimed per transaction.
    batch: int = 50
    #: Seconds between polls when nothing wakes the worker (retries, other processes).
    poll_seconds: float = 2.0
    #: A chain of rule writes deeper than this stops (loop safety).
    max_depth: int = 8
    #: Attempts of a failing run before it becomes a dead letter.
    max_attempts: int = 5
    #: Seconds before the first retry; doubled for each further one.
    retry_seconds: float = 5.0


class RuleWorker:
    def __init__(
        self,
        platform: Platform,
        options: WorkerOptions | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.platform = platform
        self.options = options or WorkerOptions()
        #: The time timers are planned and found due by (tests move it instead of waiting).
        self.clock = clock
        #: Rules (version, switch) whose planning failed; tried again after a change.
        self._unplannable: set[timers.Unplanned] = set()
        self.catalog = RuleCatalog()
        #: Flows whose start node is on a record event (created, updated, field changed).
        self.flow_starts = RecordStarts()
        #: Set by committed writes (this process) and NOTIFY (others): work is waiting.
        self.wakeup = threading.Event()
        #: Set once the worker waits for commits (and, on PostgreSQL, listens for NOTIFY).
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._batch_records: dict[str, Records | None] = {}
        self._batch_disabled: dict[str, frozenset[str]] = {}

    @property
    def _postgres(self) -> bool:
        return self.platform.engine.dialect.name == "postgresql"

    def _claim(self, stmt: sa.Select[Any]) -> sa.Select[Any]:
        return stmt.with_for_update(skip_locked=True) if self._postgres else stmt

    # -- one batch ------------------------------------------------------------------------

    def process_events(self) -> int:
        """Run the rules of one batch of unprocessed events; returns how many were claimed."""
        pending = sa.select(OUTBOX.c.id).where(OUTBOX.c.processed_at.is_(None)).limit(1)
        with self.platform.engine.connect() as conn:
            if conn.execute(pending).first() is None:
                return 0
        stmt = (
            sa.select(*COLUMNS)
            .where(OUTBOX.c.processed_at.is_(None))
            .order_by(OUTBOX.c.id)
            .limit(self.options.batch)
        )
        with begin_write(self.platform.engine) as conn:
            events = [Event.of(row) for row in conn.execute(self._claim(stmt))]
            now = self.clock()
            self._batch_records.clear()  # an app's records are looked up once per batch
            self._batch_disabled.clear()
            for event in events:
                self._handle(conn, event, now)
            if events:
                done = sa.update(OUTBOX).where(OUTBOX.c.id.in_([e.id for e in events]))
                conn.execute(done.values(processed_at=now))
        return len(events)

    def _records(self, conn: sa.Connection, app: str) -> Records | None:
        try:
            return self.platform.apps.records(conn, app)
        except NotFound:
            return None

    def _records_in_batch(self, conn: sa.Connection, app: str) -> Records | None:
        """:meth:`_records`, looked up once per batch: an app is not published in the middle
        of one (publishing takes the write lock the batch holds)."""
        if app not in self._batch_records:
            self._batch_records[app] = self._records(conn, app)
        return self._batch_records[app]

    def _disabled_in_batch(self, conn: sa.Connection, app: str) -> frozenset[str]:
        """The app's switched-off rules, read once per batch (a switch that commits during
        the batch counts from the next one, as if the batch had started a moment later)."""
        if app not in self._batch_disabled:
            self._batch_disabled[app] = disabled_rules(conn, app)
        return self._batch_disabled[app]

    def _handle(self, conn: sa.Connection, event: Event, now: datetime) -> None:
        """Run the rules ``event`` triggers. A rule whose condition is false on the record is
        passed over without a run row (most rules, most events); the record is read once, and
        again only after a rule wrote. First the record's timers are planned as the event says."""
        records = self._records_in_batch(conn, event.app)
        if records is None:
            return
        if event.kind in ("created", "updated"):  # flows that start on record events
            self.flow_starts.start(
                conn, records, event, now, platform=self.platform, max_depth=self.options.max_depth
            )
        rules = self.catalog.rules(conn, event.app, records.model)
        if event.kind == WEBHOOK:
            self._webhook(conn, records, rules, event, now)
            return
        if timers.timer_rules(rules, event.entity):
            zone = timers.zone_of(records, self.platform.settings.time_zone)
            disabled_now = self._disabled_in_batch(conn, event.app)
            timers.plan_for_event(conn, records, rules, disabled_now, event, zone, now)
        if event.kind not in TRIGGERS:
            return
        record_event = event.record_event
        matching = [p for p in rules if p.rule.matches(record_event)]
        if not matching:
            return
        disabled = self._disabled_in_batch(conn, event.app)
        matching = [p for p in matching if p.rule.name not in disabled]
        if not matching:
            return
        view = read_view(conn, records, event)
        if self._run_together(conn, records, matching, event, view, now):
            return
        # A run failed: the event's runs are rolled back and run again, each in a savepoint
        # of its own, so the failing one is stored as a retry and the others commit.
        view = read_view(conn, records, event)
        last = len(matching) - 1
        for index, published in enumerate(matching):
            if not self._may_hold(published, event, view):
                continue
            wrote = self._attempt(conn, records, published, event, view, now, 1, None)
            if wrote and index < last:  # the next rules see what this one wrote
                view = read_view(conn, records, event)

    def _run_together(
        self,
        conn: sa.Connection,
        records: Records,
        matching: Sequence[PublishedRule],
        event: Event,
        view: RecordView | None,
        now: datetime,
    ) -> bool:
        """The event's runs in one savepoint, their rows inserted together at its end (most
        events: every run succeeds, and a savepoint per run costs two round trips to the
        database each). Returns False, with nothing written, when a run failed."""
        rows: list[dict[str, Any]] = []
        stopped: list[tuple[str, str]] = []
        last = len(matching) - 1
        max_depth = self.options.max_depth
        extra = {"attempts": 1, "next_attempt_at": None, "error": None, "started_at": now}
        try:
            with conn.begin_nested():
                for index, published in enumerate(matching):
                    if not self._may_hold(published, event, view):
                        continue
                    started = time.perf_counter()
                    outcome = run_rule(
                        conn, self.platform, records, published, event, view, max_depth
                    )
                    values = run_values(records.app, published, event, outcome, started)
                    rows.append({**values, **extra})
                    if outcome.warning and outcome.status == "stopped":
                        stopped.append((published.rule.name, outcome.warning))
                    if outcome.actions and index < last:  # the next rules see its writes
                        view = outcome.view_after or read_view(conn, records, event)
                if rows:
                    conn.execute(INSERT_RUN, rows)
        except Exception:
            return False
        for name, warning in stopped:
            log.warning("rule %s on event %s: %s", name, event.id, warning)
        return True

    def _webhook(
        self,
        conn: sa.Connection,
        records: Records,
        rules: Sequence[PublishedRule],
        event: Event,
        now: datetime,
    ) -> None:
        """Run the webhook rule the event names (on the record its keys find, or none yet).
        A run whose condition is false is stored as skipped: each request is worth a line."""
        name = event.changed_fields[0] if event.changed_fields else ""
        published = next(
            (p for p in rules if p.rule.name == name and p.rule.trigger.get("on") == WEBHOOK),
            None,
        )
        if published is None or name in disabled_rules(conn, event.app):
            log.info("webhook event %s: the rule %s is gone or off", event.id, name)
            return
        view = webhook_view(conn, records, published.rule, event)
        self._attempt(conn, records, published, event, view, now, 1, None)

    def _may_hold(
        self, published: PublishedRule, event: Event | None, view: RecordView | None
    ) -> bool:
        """False when the run would only find its condition false (so it is not stored)."""
        if view is None or (event is not None and event.depth >= self.options.max_depth):
            return True
        try:
            return published.rule.holds(view)
        except Exception:  # the attempt fails the same way and stores the error
            return True

    def _attempt(
        self,
        conn: sa.Connection,
        records: Records,
        published: PublishedRule,
        event: Event,
        view: RecordView | None,
        now: datetime,
        attempts: int,
        run_id: int | None,
    ) -> bool:
        """One attempt of a run; its writes and its row commit together, or neither. Returns
        whether it wrote records."""
        started = time.perf_counter()
        extra = {"attempts": attempts, "next_attempt_at": None, "error": None}
        max_depth = self.options.max_depth
        try:
            with conn.begin_nested():
                outcome = run_rule(conn, self.platform, records, published, event, view, max_depth)
                values = {**run_values(records.app, published, event, outcome, started), **extra}
                self._store(conn, run_id, values, now)
            if outcome.warning and outcome.status == "stopped":
                name = published.rule.name
                log.warning("rule %s on event %s: %s", name, event.id, outcome.warning)
            return bool(outcome.actions)
        except Exception as exc:  # any failure of a run is retried, then dead
            dead = attempts >= self.options.max_attempts
            outcome = Outcome("dead" if dead else "retry")
            values = run_values(records.app, published, event, outcome, started)
            values.update(attempts=attempts, error=failure_text(exc))
            if not dead:
                values["next_attempt_at"] = next_attempt(now, attempts, self.options.retry_seconds)
            self._store(conn, run_id, values, now)
            log.info("rule %s on event %s failed (%s): %s", values["rule"], event.id,
                     values["status"], values["error"])  # fmt: skip
            return False

    def _store(
        self, conn: sa.Connection, run_id: int | None, values: dict[str, Any], now: datetime
    ) -> None:
        if run_id is None:
            conn.execute(INSERT_RUN, {**values, "started_at": now})
        else:
            conn.execute(sa.update(RUNS).where(RUNS.c.id == run_id).values(**values))

    def process_retries(self) -> int:
        """Attempt again the failed runs whose time has come; returns how many."""
        now = self.clock()
        due = sa.and_(RUNS.c.status == "retry", RUNS.c.next_attempt_at <= now)
        with self.platform.engine.connect() as conn:
            if conn.execute(sa.select(RUNS.c.id).where(due).limit(1)).first() is None:
                return 0
        stmt = (
            sa.select(RUNS.c.id, RUNS.c.app, RUNS.c.rule, RUNS.c.event_id, RUNS.c.attempts)
            .where(due)
            .order_by(RUNS.c.next_attempt_at)
            .limit(self.options.batch)
        )
        with begin_write(self.platform.engine) as conn:
            runs = conn.execute(self._claim(stmt)).all()
            for run in runs:
                self._retry(conn, run, now)
        return len(runs)

    def _retry(self, conn: sa.Connection, run: Any, now: datetime) -> None:
        event = load_event(conn, run.event_id)
        records = self._records(conn, run.app)
        rules = self.catalog.rules(conn, run.app, records.model) if records else ()
        published = next((p for p in rules if p.rule.name == run.rule), None)
        if event is None or records is None or published is None:
            gone = {"status": "dead", "error": "the rule or its event no longer exists"}
            conn.execute(sa.update(RUNS).where(RUNS.c.id == run.id).values(**gone))
            return
        if run.rule in disabled_rules(conn, run.app):
            later = next_attempt(now, 1, self.options.retry_seconds)
            conn.execute(sa.update(RUNS).where(RUNS.c.id == run.id).values(next_attempt_at=later))
            return
        if event.kind == WEBHOOK:
            view: RecordView | None = webhook_view(conn, records, published.rule, event)
        else:
            view = read_view(conn, records, event)
        self._attempt(conn, records, published, event, view, now, run.attempts + 1, run.id)

    # -- timers ---------------------------------------------------------------------------

    def plan_rules(self) -> int:
        """Plan the timers of rules published, switched on or off, or removed since their
        timers were planned; returns how many rules were planned."""
        with self.platform.engine.connect() as conn:
            waiting = [w for w in timers.unplanned(conn) if w not in self._unplannable]
        for item in waiting:
            try:
                with begin_write(self.platform.engine) as conn:
                    self._plan_rule(conn, item)
            except Exception:  # a rule that cannot be planned must not stop the others
                log.exception(
                    "the timers of rule %s of %s could not be planned", item.rule, item.app
                )
                self._unplannable.add(item)  # until it is published or switched again
        return len(waiting)

    def _plan_rule(self, conn: sa.Connection, item: timers.Unplanned) -> None:
        now = self.clock()
        planned = timers.claim_plan(conn, item.app, item.rule, now)
        if planned is None:
            return  # another worker is planning it
        records = self._records(conn, item.app)
        rules = self.catalog.rules(conn, item.app, records.model) if records else ()
        published = next((p for p in rules if p.rule.name == item.rule), None)
        if records is None or published is None:
            timers.drop_rule_timers(conn, item.app, item.rule)
            timers.record_plan(conn, item.app, item.rule, None, False, now)
            return
        on = item.rule not in disabled_rules(conn, item.app)
        if planned == (published.version, on):
            return  # another worker planned it since we looked
        timers.drop_rule_timers(conn, item.app, item.rule)
        if on:
            zone = timers.zone_of(records, self.platform.settings.time_zone)
            timers.plan_rule(conn, records, published, zone, now)
        timers.record_plan(conn, item.app, item.rule, published.version, on, now)

    def process_timers(self) -> int:
        """Fire the timers that are due; returns how many fired. A record's timer waits while
        the record has events not yet processed (they may plan it again or drop it: a timer
        never acts on a record whose last changes the worker has not seen)."""
        now = self.clock()
        due = timers.TIMERS.c.due_at <= now
        with self.platform.engine.connect() as conn:
            if conn.execute(sa.select(timers.TIMERS.c.id).where(due).limit(1)).first() is None:
                return 0
        stmt = (
            sa.select(timers.TIMERS)
            .where(due)
            .order_by(timers.TIMERS.c.due_at, timers.TIMERS.c.id)
            .limit(self.options.batch)
        )
        with begin_write(self.platform.engine) as conn:
            claimed = conn.execute(self._claim(stmt)).all()
            held = timers.held_records(conn, claimed)
            fired = 0
            for timer in claimed:
                if (timer.app, timer.entity, timer.record_id) in held:
                    continue  # its record's events first: they may plan it again or drop it
                fired += 1
                try:
                    with conn.begin_nested():
                        self._fire(conn, timer, now)
                except Exception:  # not the run (that is retried): the rule or the database
                    log.exception(
                        "rule %s: the timer %s failed; trying later", timer.rule, timer.id
                    )
                    later = next_attempt(now, 1, self.options.retry_seconds)
                    where = timers.TIMERS.c.id == timer.id
                    conn.execute(sa.update(timers.TIMERS).where(where).values(due_at=later))
        return fired

    def _fire(self, conn: sa.Connection, timer: Any, now: datetime) -> None:
        """Run a due timer's rule, and delete the timer (a schedule: select the tick's records,
        then move the timer to the next tick after ``now``, so missed ticks fire once)."""
        where = timers.TIMERS.c.id == timer.id
        records = self._records(conn, timer.app)
        rules = self.catalog.rules(conn, timer.app, records.model) if records else ()
        published = next((p for p in rules if p.rule.name == timer.rule), None)
        if records is None or published is None or timer.rule in disabled_rules(conn, timer.app):
            conn.execute(sa.delete(timers.TIMERS).where(where))  # planned again when back on
            return
        if timer.record_id is None:
            targets = timers.schedule_targets(conn, records, published, now)
            timers.put_record_timers(
                conn, timer.app, published, [(t, now) for t in targets], now, replace=False
            )
            zone = timers.zone_of(records, self.platform.settings.time_zone)
            tick = next_schedule(published.rule.trigger, now, zone)
            conn.execute(sa.update(timers.TIMERS).where(where).values(due_at=tick, planned_at=now))
            return
        conn.execute(sa.delete(timers.TIMERS).where(where))
        view = timers.live_view(conn, records, timer.entity, int(timer.record_id))
        if view is None:
            return  # the record went away; its timer should have gone with it
        if self._may_hold(published, None, view):
            event = timers.firing_event(conn, timer, now)
            self._attempt(conn, records, published, event, view, now, 1, None)

    def process_flow_timers(self) -> int:
        """Fire the due timers of process instances (the process engine shares this worker)."""
        options = self.options
        return flow_timers.process_timers(
            self.platform,
            self.clock(),
            batch=options.batch,
            max_attempts=options.max_attempts,
            retry_seconds=options.retry_seconds,
        )

    def process_flow_schedules(self) -> int:
        """Start the flows whose schedule ticked (jimu.platform.process.schedule_starts)."""
        return schedule_starts.fire_schedules(self.platform, self.clock(), batch=self.options.batch)

    def _seconds_to_next_timer(self) -> float | None:
        with self.platform.engine.connect() as conn:
            earliest = (
                timers.earliest_due(conn),
                flow_timers.earliest_due(conn),
                schedule_starts.earliest_due(conn),
            )
            dues = [d for d in earliest if d]
        if not dues:
            return None
        due = min(dues)
        return max(0.0, (due - self.clock()).total_seconds())

    def drain(self) -> int:
        """Plan the timers of newly published rules, then process events, due timers and due
        retries until none is left; returns how many events, timers and retries."""
        self.plan_rules()
        schedule_starts.plan_schedules(self.platform, self.clock())
        total = 0
        while True:
            done = (
                self.process_events()
                + self.process_timers()
                + self.process_retries()
                + self.process_flow_timers()
                + self.process_flow_schedules()
            )
            total += done
            if not done:
                return total

    # -- running --------------------------------------------------------------------------

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Drain, then sleep until a commit, a NOTIFY, ``poll_seconds`` or ``stop``."""
        stop = stop or self._stop
        engine = self.platform.engine
        OUTBOX_WRITTEN.subscribe(engine, self.wakeup)
        if self._postgres:
            listener = threading.Thread(
                target=OUTBOX_WRITTEN.listen,
                args=(engine, self.wakeup.set, stop, self.ready),
                daemon=True,
            )
            listener.start()
            self._threads.append(listener)
        else:
            self.ready.set()
        try:
            while not stop.is_set():
                self.wakeup.clear()
                try:
                    self.drain()
                except Exception:  # a worker outlives a bad batch
                    log.exception("the rule worker's batch failed; trying again")
                    stop.wait(self.options.poll_seconds)
                self.wakeup.wait(self._sleep_seconds())
        finally:
            OUTBOX_WRITTEN.unsubscribe(engine, self.wakeup)

    def _sleep_seconds(self) -> float:
        """Until the next poll, or the earliest timer when that comes sooner."""
        try:
            to_timer = self._seconds_to_next_timer()
        except Exception:  # the database is away: poll as usual
            log.exception("the rule worker could not read its timers")
            to_timer = None
        poll = self.options.poll_seconds
        return poll if to_timer is None else min(poll, to_timer)

    def start(self) -> None:
        """Run in a daemon thread of this process (``jimu serve``, the demo)."""
        thread = threading.Thread(target=self.run_forever, name="jimu-rules", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.wakeup.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
