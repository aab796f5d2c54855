"""The timers of time-triggered rules (``schedule``, ``time``, ``unchanged``): planning them
from record events and from publishes, and reading what is due. See docs/rules.md.

Everything here runs in the caller's transaction: the worker plans a record's timers in the
transaction that marks the record's event processed, and plans a rule's timers for the
existing records in the transaction that records which version they were planned for
(``jimu_rule_timer_plan``), so nothing planned lives only in memory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jimu.engines.rule import RecordView
from jimu.engines.rule.timing import (
    DROP,
    RECORD_TIMER_TRIGGERS,
    moment_of,
    next_schedule,
    time_due,
    timer_change,
    unchanged_due,
)
from jimu.errors import NotFound, ValidationFailed
from jimu.metadata.time_zone import app_time_zone
from jimu.platform.metadata_store import PUBLISHED
from jimu.platform.models import RuleTimer, RuleTimerPlan
from jimu.platform.records import Records
from jimu.platform.records.filters import filter_clause, sortable_column
from jimu.platform.rules.catalog import DOCS, STATES, PublishedRule
from jimu.platform.rules.events import OUTBOX, Event
from jimu.platform.rules.views import record_view

TIMERS: sa.Table = RuleTimer.__table__  # type: ignore[assignment]
PLANS: sa.Table = RuleTimerPlan.__table__  # type: ignore[assignment]
#: Rows written per INSERT when a publish plans a rule for every record.
_CHUNK = 1000


def _insert(conn: sa.Connection) -> Callable[[sa.Table], Any]:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def zone_of(records: Records, default: str) -> ZoneInfo:
    return app_time_zone(records.model.spec, default)


# -- writing timers --------------------------------------------------------------------------


def put_record_timers(
    conn: sa.Connection,
    app: str,
    published: PublishedRule,
    due: Iterable[tuple[int, datetime]],
    now: datetime,
    *,
    replace: bool = True,
) -> None:
    """Plan (or plan again) the rule's timer of each (record, due time); ``replace=False``
    keeps a timer already waiting (a schedule tick does not pile up on a pending one)."""
    rule = published.rule
    rows = [
        {"app": app, "rule": rule.name, "entity": rule.entity, "record_id": record_id,
         "trigger": rule.trigger["on"], "rule_version": published.version, "due_at": when,
         "planned_at": now}
        for record_id, when in due
    ]  # fmt: skip
    for start in range(0, len(rows), _CHUNK):
        stmt = _insert(conn)(TIMERS).values(rows[start : start + _CHUNK])
        keys = ["app", "rule", "record_id"]
        if replace:
            changed = ("due_at", "trigger", "rule_version", "planned_at")
            stmt = stmt.on_conflict_do_update(
                index_elements=keys, set_={name: stmt.excluded[name] for name in changed}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
        conn.execute(stmt)


def drop_record_timer(conn: sa.Connection, app: str, rule: str, record_id: int) -> None:
    where = sa.and_(TIMERS.c.app == app, TIMERS.c.rule == rule, TIMERS.c.record_id == record_id)
    conn.execute(sa.delete(TIMERS).where(where))


def drop_rule_timers(conn: sa.Connection, app: str, rule: str) -> None:
    conn.execute(sa.delete(TIMERS).where(TIMERS.c.app == app, TIMERS.c.rule == rule))


# -- planning from record events -------------------------------------------------------------


def timer_rules(rules: Sequence[PublishedRule], entity: str) -> list[PublishedRule]:
    """The rules with a per-record timer (``time``, ``unchanged``) on ``entity``."""
    return [
        p
        for p in rules
        if p.rule.entity == entity and p.rule.trigger.get("on") in RECORD_TIMER_TRIGGERS
    ]


def plan_for_event(
    conn: sa.Connection,
    records: Records,
    rules: Sequence[PublishedRule],
    disabled: frozenset[str],
    event: Event,
    zone: ZoneInfo,
    now: datetime,
) -> None:
    """Plan, plan again or drop the event's record's timers of ``rules`` (those on), as the
    event says: created / restored plan, a change of the watched field(s) plans again, deleted
    / purged drop; a ``time`` timer whose field is now empty is dropped."""
    values: dict[str, Any] | None = None
    for published in timer_rules(rules, event.entity):
        rule = published.rule
        if rule.name in disabled:
            continue
        change = timer_change(rule.trigger, event.kind, event.changed_fields)
        if change is None:
            continue
        if change == DROP:
            drop_record_timer(conn, records.app, rule.name, event.record_id)
            continue
        if values is None:
            values = _current(conn, records, event)
        if values is None or values.get("deleted_at") is not None:
            drop_record_timer(conn, records.app, rule.name, event.record_id)
            continue
        if rule.trigger["on"] == "time":
            due = time_due(rule.trigger, values.get(rule.trigger["field"]), zone)
        else:
            since = event.created_at or now
            due = unchanged_due(rule.trigger, since, zone)
        if due is None:
            drop_record_timer(conn, records.app, rule.name, event.record_id)
        else:
            put_record_timers(conn, records.app, published, [(event.record_id, due)], now)


def _current(conn: sa.Connection, records: Records, event: Event) -> dict[str, Any] | None:
    try:
        return records.get(conn, event.entity, event.record_id, include_deleted=True)
    except NotFound:
        return None


# -- planning a rule for its existing records ------------------------------------------------


@dataclass(frozen=True)
class Unplanned:
    """A published rule whose timers were planned for another version or switch (or never),
    or a rule no longer published whose timers are left (``version`` None)."""

    app: str
    rule: str
    version: int | None
    enabled: bool


def unplanned(conn: sa.Connection) -> list[Unplanned]:
    """Rules whose timers do not match their published version and switch."""
    on = sa.func.coalesce(STATES.c.enabled, sa.true())
    published = (
        sa.select(DOCS.c.app, DOCS.c.name, DOCS.c.version, on.label("enabled"))
        .select_from(
            DOCS.outerjoin(
                PLANS, sa.and_(PLANS.c.app == DOCS.c.app, PLANS.c.rule == DOCS.c.name)
            ).outerjoin(STATES, sa.and_(STATES.c.app == DOCS.c.app, STATES.c.rule == DOCS.c.name))
        )
        .where(DOCS.c.kind == "rule", DOCS.c.status == PUBLISHED)
        .where(
            sa.or_(
                PLANS.c.rule.is_(None),
                PLANS.c.rule_version != DOCS.c.version,
                PLANS.c.enabled != on,
            )
        )
    )
    live = sa.select(DOCS.c.name).where(
        DOCS.c.app == PLANS.c.app,
        DOCS.c.name == PLANS.c.rule,
        DOCS.c.kind == "rule",
        DOCS.c.status == PUBLISHED,
    )
    gone = sa.select(PLANS.c.app, PLANS.c.rule).where(~live.exists())
    found = [
        Unplanned(r.app, r.name, int(r.version), bool(r.enabled)) for r in conn.execute(published)
    ]
    found += [Unplanned(r.app, r.rule, None, False) for r in conn.execute(gone)]
    return found


def claim_plan(conn: sa.Connection, app: str, rule: str, now: datetime) -> tuple[int, bool] | None:
    """Lock the rule's plan row for this transaction (made if missing) and answer the version
    and switch its timers were planned for; None when another worker holds it (it is planning
    the same rule)."""
    insert = _insert(conn)(PLANS).values(
        app=app, rule=rule, rule_version=0, enabled=False, planned_at=now
    )
    conn.execute(insert.on_conflict_do_nothing(index_elements=["app", "rule"]))
    stmt = sa.select(PLANS.c.rule_version, PLANS.c.enabled).where(
        PLANS.c.app == app, PLANS.c.rule == rule
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = conn.execute(stmt).first()
    return None if row is None else (int(row.rule_version), bool(row.enabled))


def record_plan(
    conn: sa.Connection, app: str, rule: str, version: int | None, enabled: bool, now: datetime
) -> None:
    where = sa.and_(PLANS.c.app == app, PLANS.c.rule == rule)
    if version is None:
        conn.execute(sa.delete(PLANS).where(where))
        return
    values = {"rule_version": version, "enabled": enabled, "planned_at": now}
    conn.execute(sa.update(PLANS).where(where).values(**values))


def plan_rule(
    conn: sa.Connection, records: Records, published: PublishedRule, zone: ZoneInfo, now: datetime
) -> int:
    """Plan a rule's timers afresh (after dropping the old ones): a schedule's next tick after
    ``now``; a ``time`` timer for each live record whose date is set and still ahead; an
    ``unchanged`` timer for each live record, counted from its last change (one already due
    fires at once). Returns how many timers were planned."""
    rule = published.rule
    on = rule.trigger.get("on")
    drop_rule_timers(conn, records.app, rule.name)
    if on == "schedule":
        tick = next_schedule(rule.trigger, now, zone)
        row = {"app": records.app, "rule": rule.name, "entity": rule.entity, "record_id": None,
               "trigger": on, "rule_version": published.version, "due_at": tick,
               "planned_at": now}  # fmt: skip
        conn.execute(sa.insert(TIMERS).values(row))
        return 1
    if on not in RECORD_TIMER_TRIGGERS:
        return 0
    rt = records.runtime.entity(rule.entity)
    table = rt.table
    name = str(rule.trigger["field"]) if on == "time" else "updated_at"
    column = sortable_column(rt, name)
    if column is None:
        return 0
    stmt = sa.select(table.c.id, column).where(table.c.deleted_at.is_(None), column.is_not(None))
    planned: list[tuple[int, datetime]] = []
    for record_id, value in conn.execute(stmt):
        if on == "time":
            when = time_due(rule.trigger, value, zone)
            if when is not None and when > now:
                planned.append((int(record_id), when))
        else:
            since = moment_of(value, zone)
            if since is not None:
                planned.append((int(record_id), unchanged_due(rule.trigger, since, zone)))
    put_record_timers(conn, records.app, published, planned, now)
    return len(planned)


# -- what a schedule tick selects ------------------------------------------------------------


def schedule_targets(
    conn: sa.Connection, records: Records, published: PublishedRule, now: datetime
) -> list[int]:
    """The live records of the rule's entity for which its condition holds, selected by the
    database. A condition SQL cannot express (``$old``, an operator with no SQL form) selects
    every live record, and the run then applies the condition to each as usual."""
    rule = published.rule
    rt = records.runtime.entity(rule.entity)
    table = rt.table
    stmt = sa.select(table.c.id).where(table.c.deleted_at.is_(None)).order_by(table.c.id)
    condition = rule.condition
    if condition is False:
        return []
    if isinstance(condition, dict) and "$old" not in repr(condition):
        with contextlib.suppress(ValidationFailed):  # no SQL form: each run checks it
            stmt = stmt.where(filter_clause(rt, condition, {"now": now}))
    return [int(record_id) for record_id in conn.execute(stmt).scalars()]


def waiting(conn: sa.Connection, app: str) -> dict[str, dict[str, Any]]:
    """Per rule of ``app``: how many timers wait (a schedule's own row included) and the
    earliest one's time."""
    earliest = sa.func.min(TIMERS.c.due_at, type_=TIMERS.c.due_at.type)
    stmt = (
        sa.select(TIMERS.c.rule, sa.func.count(), earliest)
        .where(TIMERS.c.app == app)
        .group_by(TIMERS.c.rule)
    )
    return {
        rule: {"waiting": int(count), "next_due_at": due}
        for rule, count, due in conn.execute(stmt).tuples()
    }


def live_view(
    conn: sa.Connection, records: Records, entity: str, record_id: int
) -> RecordView | None:
    """A timer's record as it is now (``$old`` is the record now), None when it is deleted or
    gone."""
    try:
        values = records.get(conn, entity, record_id, include_deleted=True)
    except NotFound:
        return None
    return None if values.get("deleted_at") is not None else record_view(records, entity, values)


def firing_event(conn: sa.Connection, timer: Any, now: datetime) -> Event:
    """Write the firing of a record's timer to the outbox as an event of its own — kind
    ``schedule`` / ``time`` / ``unchanged``, source ``timer``, already processed — and return
    it: the run refers to it (retries load it again), the rule's writes are caused by it, and
    effects key their idempotency on it, as for any run."""
    values = {"app": timer.app, "entity": timer.entity, "record_id": int(timer.record_id),
              "kind": timer.trigger, "changed_fields": [], "actor_id": None, "source": "timer",
              "caused_by": None, "depth": 0, "created_at": now, "processed_at": now,
              "old_values": None}  # fmt: skip
    event_id = conn.execute(sa.insert(OUTBOX).values(values).returning(OUTBOX.c.id)).scalar_one()
    return Event(int(event_id), timer.app, timer.entity, int(timer.record_id), timer.trigger,
                 (), None, 0, {}, now)  # fmt: skip


def held_records(conn: sa.Connection, claimed: Sequence[Any]) -> set[tuple[str, str, int]]:
    """The (app, entity, record) of the ``claimed`` timers whose record has outbox events not
    yet processed: their timers wait until the worker has seen those changes."""
    ids = {int(t.record_id) for t in claimed if t.record_id is not None}
    if not ids:
        return set()
    stmt = (
        sa.select(OUTBOX.c.app, OUTBOX.c.entity, OUTBOX.c.record_id)
        .where(OUTBOX.c.processed_at.is_(None), OUTBOX.c.record_id.in_(sorted(ids)))
        .distinct()
    )
    return {(app, entity, int(record_id)) for app, entity, record_id in conn.execute(stmt)}


def earliest_due(conn: sa.Connection) -> datetime | None:
    earliest = sa.func.min(TIMERS.c.due_at, type_=TIMERS.c.due_at.type)
    value: datetime | None = conn.execute(sa.select(earliest)).scalar()
    return value
