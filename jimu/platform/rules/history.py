"""Loaded history (the demo's sample data): its events count as processed, and the timers of
``unchanged`` rules are planned from the history's own dates (docs/rules.md, "Loaded history").

Sample records carry their real creation and change times and are already as the rules left
them (owners, tasks, points). Running the rules on their load events would do the rules' work
a second time, and planning their quiet-time timers from today would fire every old record's
timer at once. Instead the history is taken to end now: a record quiet for 20 of 30 days when
the history ends fires 10 days from now, and one whose quiet time had already passed is left
alone (that firing belongs to the history).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.rule.timing import history_unchanged_due, moment_of
from jimu.platform.records import Records
from jimu.platform.records.filters import sortable_column
from jimu.platform.rules import timers
from jimu.platform.rules.catalog import compile_published, disabled_rules
from jimu.platform.rules.events import OUTBOX


def next_event_id(conn: sa.Connection) -> int:
    """The id the next outbox event will have at least (to mark a load's events after it)."""
    last = conn.execute(sa.select(sa.func.max(OUTBOX.c.id))).scalar()
    return int(last or 0) + 1


def settle_events(conn: sa.Connection, app: str, first_id: int, now: datetime) -> int:
    """Mark ``app``'s events from ``first_id`` on, written by the load in this transaction,
    as processed: the rules do not run on history. Returns how many."""
    where = sa.and_(OUTBOX.c.app == app, OUTBOX.c.id >= first_id, OUTBOX.c.processed_at.is_(None))
    return conn.execute(sa.update(OUTBOX).where(where).values(processed_at=now)).rowcount or 0


def history_end(rows: dict[str, list[dict[str, Any]]]) -> datetime | None:
    """The latest creation or change time of the loaded rows: the moment the history ends."""
    moments = [
        moment
        for entity_rows in rows.values()
        for row in entity_rows
        for name in ("created_at", "updated_at")
        if (moment := moment_of(row.get(name), UTC)) is not None
    ]
    return max(moments, default=None)


def last_changes(
    conn: sa.Connection, records: Records, entity: str, fields: list[str]
) -> dict[int, Any]:
    """Each live record's last change as the history tells it: its ``updated_at``, or later
    the last change of a record a watched rollup sums up (a customer's newest deal or ticket
    is activity of the customer, though loading it did not touch the customer's row)."""
    table = records.table(entity)
    live = sa.select(table.c.id, table.c.updated_at).where(table.c.deleted_at.is_(None))
    changed: dict[int, Any] = {int(i): moment_of(at, UTC) for i, at in conn.execute(live)}
    spec = records.model.entities[entity]
    for name in fields:
        rollup = spec.field(name)
        if rollup is None or rollup.type != "rollup":
            continue
        child = records.runtime.entity(str(rollup.get("entity")))
        link = sortable_column(child, str(rollup.get("link")))
        if link is None:
            continue
        latest = sa.func.max(child.table.c.updated_at)
        query = sa.select(link, latest).where(link.is_not(None)).group_by(link)
        for record_id, at in conn.execute(query):
            moment = moment_of(at, UTC)
            before = changed.get(int(record_id))
            if moment is not None and before is not None and moment > before:
                changed[int(record_id)] = moment
    return changed


def plan_history_timers(
    conn: sa.Connection,
    records: Records,
    entities: set[str],
    ended: datetime,
    now: datetime,
    default_zone: str,
) -> dict[str, int]:
    """Plan the ``unchanged`` timers of the published rules on ``entities`` from the records'
    last change in the history, and record the plan so the worker does not plan them again
    from today. Returns how many timers each rule got."""
    app = records.app
    zone = timers.zone_of(records, default_zone)
    disabled = disabled_rules(conn, app)
    planned: dict[str, int] = {}
    for published in compile_published(conn, app, records.model):
        rule = published.rule
        if rule.entity not in entities or rule.trigger.get("on") != "unchanged":
            continue
        if rule.name in disabled:
            continue
        if timers.claim_plan(conn, app, rule.name, now) is None:
            continue  # a worker is planning it already
        due: list[tuple[int, datetime]] = []
        watched = [str(name) for name in rule.trigger.get("fields", ())]
        for record_id, changed in last_changes(conn, records, rule.entity, watched).items():
            since = moment_of(changed, zone)
            when = (
                None
                if since is None
                else history_unchanged_due(rule.trigger, since, ended, now, zone)
            )
            if when is not None:
                due.append((int(record_id), when))
        timers.drop_rule_timers(conn, app, rule.name)
        timers.put_record_timers(conn, app, published, due, now)
        timers.record_plan(conn, app, rule.name, published.version, True, now)
        planned[rule.name] = len(due)
    return planned
