"""One rule run on one event: loop safety, condition, planned writes through the records
service, and the run's row — all in the caller's transaction (the worker's savepoint)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError
from jimu.engines.rule import PlannedEffect, PlannedWrite, RecordView
from jimu.engines.rule.created import resolve_refs
from jimu.engines.rule.plan import Planned
from jimu.errors import JimuError, NotFound
from jimu.platform.models import RuleRun
from jimu.platform.records import Records, WriteContext
from jimu.platform.rules import effect_kinds as _effect_kinds  # noqa: F401  (registers them)
from jimu.platform.rules.catalog import PublishedRule
from jimu.platform.rules.effects import EffectContext, carry_out
from jimu.platform.rules.events import Event, causes
from jimu.platform.rules.views import record_view

if TYPE_CHECKING:
    from jimu.platform.state import Platform

RUNS: sa.Table = RuleRun.__table__  # type: ignore[assignment]


@dataclass
class Outcome:
    """What a run did, before it is stored as a ``jimu_rule_run`` row."""

    status: str
    condition: bool | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    warning: str | None = None
    #: The record a webhook run found or created (its event names none).
    record_id: int | None = None
    #: The run's record after its writes, when the run wrote that record only (the next
    #: rules of the event see it without reading it again); None: read it.
    view_after: RecordView | None = None


def self_retriggered(conn: sa.Connection, app: str, rule: str, event: Event, limit: int) -> bool:
    """Whether ``rule`` already ran on this record earlier in the event's causality chain."""
    chain = causes(conn, event, limit)
    if not chain:
        return False
    found = conn.execute(
        sa.select(RUNS.c.id).where(
            RUNS.c.app == app,
            RUNS.c.rule == rule,
            RUNS.c.entity == event.entity,
            RUNS.c.record_id == event.record_id,
            RUNS.c.event_id.in_(chain),
            RUNS.c.status == "done",
        )
    ).first()
    return found is not None


def carry_out_write(
    conn: sa.Connection,
    records: Records,
    write: PlannedWrite,
    ctx: WriteContext,
    created: dict[str, int],
    updated: dict[tuple[str, int], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Carry ``write`` out: links to the records created earlier in the run (``created``, by
    their ``as`` names) and amounts added to the stored values are resolved now. ``updated``
    receives each updated record as the update returned it."""
    values = resolve_refs(write.values, write.refs, created)
    if write.op == "create":
        stored = records.create(conn, write.entity, values, ctx)
        if write.name is not None:
            created[write.name] = int(stored["id"])
    else:
        assert write.record_id is not None
        if write.increments:
            current = records.get(conn, write.entity, write.record_id)
            spec = records.model.entities[write.entity]
            for name, amount in write.increments.items():
                total = _number(current.get(name) or 0) + _number(amount)
                values[name] = _json(_within(total, spec.field(name)))
        stored = records.update(conn, write.entity, write.record_id, values, ctx)
        if updated is not None:
            updated[(write.entity, write.record_id)] = stored
    done = {**write.as_dict(), "record_id": stored["id"]}
    # The run log is JSON: a formula's date or time (``$now``) is kept as its ISO text.
    done["values"] = {k: _json(v) for k, v in values.items()}
    return done


def _within(total: Decimal, spec: Any) -> Decimal:
    """An addition stays within the field's ``min`` and ``max`` (a score of 0-100 stops at
    100), so adding never makes the write fail."""
    if spec is None:
        return total
    low, high = spec.get("min"), spec.get("max")
    if low is not None and total < _number(low):
        return _number(low)
    if high is not None and total > _number(high):
        return _number(high)
    return total


def _number(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _json(value: Any) -> Any:
    """A value as the run log (JSON) keeps it."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


def read_view(conn: sa.Connection, records: Records, event: Event) -> RecordView | None:
    """The event's record as it is now (deleted ones too), or None when it was purged."""
    try:
        values = records.get(conn, event.entity, event.record_id, include_deleted=True)
    except NotFound:
        return None
    return record_view(records, event.entity, values, event.old_values)


def run_rule(
    conn: sa.Connection,
    platform: Platform,
    records: Records,
    published: PublishedRule,
    event: Event,
    view: RecordView | None,
    max_depth: int,
) -> Outcome:
    """Run ``published`` on ``event``; raises on failure (the caller rolls the savepoint back)."""
    rule = published.rule
    if event.depth >= max_depth:
        warning = f"stopped: the chain of rule writes is {event.depth} deep (limit {max_depth})"
        return Outcome("stopped", warning=warning)
    if view is None:
        return Outcome("skipped", warning="the record no longer exists")
    if not rule.holds(view):
        return Outcome("skipped", condition=False)
    if self_retriggered(conn, records.app, rule.name, event, max_depth):
        warning = "stopped: the rule's own write triggered it again on the same record"
        return Outcome("stopped", condition=True, warning=warning)
    # A button's run acts for the user who pressed it; other runs act as the system.
    actor = event.actor_id if event.kind == "button" else None
    ctx = WriteContext(actor, "rule", caused_by=event.id, depth=event.depth + 1)
    effects = EffectContext(conn, records, platform, ctx, view, rule.name, event.id)
    created: dict[str, int] = {}
    updated: dict[tuple[str, int], dict[str, Any]] = {}
    plan = rule.plan(view)
    done = [
        carry_out(effects, planned)
        if isinstance(planned, PlannedEffect)
        else carry_out_write(conn, records, planned, ctx, created, updated)
        for planned in plan
    ]
    after = _view_after(records, view, plan, updated)
    return Outcome(
        "done", condition=True, actions=done, record_id=_own_record(view, done), view_after=after
    )


def _view_after(
    records: Records,
    view: RecordView,
    plan: list[Planned],
    updated: dict[tuple[str, int], dict[str, Any]],
) -> RecordView | None:
    """The view's record as the run's update returned it, when the run only updated that
    record (no effects, no other records: their writes may change it through rollups) and the
    update returns all of it (no sub-tables or many-links, which a read adds)."""
    if not view.exists or not plan or any(isinstance(p, PlannedEffect) for p in plan):
        return None
    own = (view.entity, view.record_id)
    if list(updated) != [own] or any(getattr(p, "op", None) != "update" for p in plan):
        return None
    rt = records.runtime.entity(view.entity)
    if rt.subtables or rt.many_links:
        return None
    return record_view(records, view.entity, updated[own], view.old)


def _own_record(view: RecordView, done: list[dict[str, Any]]) -> int | None:
    """The rule's record: the view's, or (a webhook run that found none) the one it created."""
    if view.exists:
        return view.record_id
    for action in done:
        if action.get("op") == "create" and action.get("entity") == view.entity:
            return int(action["record_id"])
    return None


def failure_text(exc: BaseException) -> str:
    if isinstance(exc, JimuError | ExprError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_values(
    app: str, published: PublishedRule, event: Event, outcome: Outcome, started: float
) -> dict[str, Any]:
    """The columns of the run row of ``outcome`` (id, attempts and times left to the caller)."""
    return {
        "app": app,
        "rule": published.rule.name,
        "rule_version": published.version,
        "event_id": event.id,
        "entity": event.entity,
        "record_id": outcome.record_id or event.record_id,
        "trigger": event.kind,
        "status": outcome.status,
        "condition": outcome.condition,
        "actions": outcome.actions,
        "warning": outcome.warning,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
    }


def backoff(attempts: int, base_seconds: float) -> float:
    """Seconds before attempt ``attempts`` + 1: base, 2 × base, 4 × base … (at most an hour)."""
    return float(min(base_seconds * 2 ** (attempts - 1), 3600.0))


def next_attempt(now: datetime, attempts: int, base_seconds: float) -> datetime:
    from datetime import timedelta

    return now + timedelta(seconds=backoff(attempts, base_seconds))
