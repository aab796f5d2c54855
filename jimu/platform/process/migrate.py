"""Migrating running instances to another version of their flow (docs/process.md, "Migrating
running instances").

``migrate_instance`` moves one instance in the caller's transaction, locked as a step locks it:
the pure ``jimu.engines.process.migration`` checks the node mapping and moves the tokens, the
instance's ``flow_version`` changes, the tasks of remapped task nodes are kept, moved or made
anew (their people resolved on the new node), timers of moved timer nodes are planned again,
and one step row (event ``migrated``: from version, to version, the mapping) keeps it in the
instance's trace. ``migrate_instances`` takes every chosen instance in a transaction of its own
(one refusal leaves the others alone); ``dry_run`` writes nothing and says what would happen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.process import Flow
from jimu.engines.process.migration import MigrationRefused, check_mapping, migrate
from jimu.errors import FieldError, JimuError, NotFound, ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.metadata_store.documents import PUBLISHED, SUPERSEDED
from jimu.platform.models import Document
from jimu.platform.process.flows import flow_version, published_flow
from jimu.platform.process.instances import (
    INSTANCES,
    TASKS,
    TIMERS,
    TOKENS,
    FollowUp,
    StepContext,
    _load,
    _log_step,
    _record,
    _write_tokens,
    drain,
)
from jimu.platform.records import Records

if TYPE_CHECKING:
    from jimu.platform.state import Platform

DOCS: sa.Table = Document.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Versions:
    """The two versions of a migration, checked: documents and compiled flows."""

    flow: str
    source: int
    target: int
    old: Flow
    new: Flow
    new_doc: dict[str, Any]


def versions(
    conn: sa.Connection,
    app: str,
    flow: str,
    source: int,
    target: int | None,
    mapping: Mapping[str, str],
) -> Versions:
    """Check the versions (both published once; the target defaults to the published one)
    and the explicit mapping between them; a ``ValidationFailed`` names each problem."""
    published = conn.execute(
        sa.select(DOCS.c.version).where(
            DOCS.c.app == app,
            DOCS.c.kind == "flow",
            DOCS.c.name == flow,
            DOCS.c.status.in_((PUBLISHED, SUPERSEDED)),
        )
    ).scalars()
    known = {int(v) for v in published}
    if not known:
        raise NotFound(f"No published flow {flow!r} in app {app!r}.")
    if target is None:
        target = published_flow(conn, app, flow)[0]
    problems = [
        FieldError(f"/{key}", f"flow {flow!r} has no published version {value}", "unknown")
        for key, value in (("from_version", source), ("to_version", target))
        if value not in known
    ]
    if not problems and source == target:
        problems.append(
            FieldError("/to_version", f"the instances are on version {source} already", "same")
        )
    if problems:
        raise ValidationFailed("The versions cannot be migrated between.", problems)
    _, old = flow_version(conn, app, flow, source)
    new_doc, new = flow_version(conn, app, flow, target)
    problems = check_mapping(old, new, mapping)
    if problems:
        raise ValidationFailed("The node mapping does not hold.", problems)
    return Versions(flow, source, target, old, new, new_doc)


def migrate_instance(
    conn: sa.Connection,
    records: Records | None,
    instance_id: int,
    chosen: Versions,
    mapping: Mapping[str, str],
    now: datetime,
    *,
    by: int | None = None,
    dry_run: bool = False,
    platform: Platform | None = None,
) -> dict[str, Any]:
    """Move one instance (see the module); what moved: ``moves`` and ``effects`` (carried out
    unless ``dry_run``). Raises ``MigrationRefused`` (nothing written) when it cannot."""
    loaded = _load(conn, instance_id)
    row = loaded.row
    if row.flow != chosen.flow:
        raise NotFound(f"No instance {instance_id} of flow {chosen.flow!r}.")
    if int(row.flow_version) != chosen.source:
        raise MigrationRefused(
            f"instance {instance_id} is on version {row.flow_version}, not {chosen.source}",
            [FieldError("/from_version", f"the instance is on version {row.flow_version}")],
        )
    moved = migrate(chosen.old, chosen.new, loaded.state, mapping)
    answer = {"moves": moved.moves, "effects": moved.effects}
    if dry_run:
        return answer
    delta = moved.delta
    values: dict[str, Any] = {"flow_version": chosen.target}
    for key, column in (("groups", "groups"), ("joins", "joins")):
        if key in delta:
            values[column] = moved.state[key]
    conn.execute(sa.update(INSTANCES).where(INSTANCES.c.id == instance_id).values(**values))
    _write_tokens(conn, instance_id, delta.get("tokens", {}))
    record = _record(conn, records, row.entity, row.record_id)
    event: dict[str, Any] = {
        "type": "migrated",
        "from_version": chosen.source,
        "to_version": chosen.target,
        "mapping": {m["from"]: m["to"] for m in moved.moves},
        "by": by,
    }
    queue: list[FollowUp] = []
    label = chosen.new_doc.get("label") or {}
    ctx = StepContext(
        conn, records, platform, now, instance_id, row.app, row.flow, chosen.new,
        str(label.get("zh") or label.get("en") or row.flow), row.entity, row.record_id,
        row.initiator_id, row.parent_id, row.parent_token, record, event, queue,
    )  # fmt: skip
    done = _carry_out(ctx, moved.effects)
    _log_step(conn, instance_id, event, [], done, now)
    if queue:
        drain(conn, records, platform, queue, now)
    answer["effects"] = done
    return answer


def _carry_out(ctx: StepContext, effects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from jimu.platform.process.effects import carry_out_all

    items: dict[tuple[str, int], Any] = {}  # what withdrawn tasks carried, for their renewal
    done: list[dict[str, Any]] = []
    for effect in effects:
        kind = effect["effect"]
        if kind == "move_task":
            ctx.conn.execute(
                sa.update(TASKS)
                .where(
                    TASKS.c.instance_id == ctx.instance_id,
                    TASKS.c.token == effect["token"],
                    TASKS.c.status.in_(("open", "waiting")),
                )
                .values(node=effect["node"])
            )
            done.append(effect)
        elif kind == "replan_timer":
            done.append({**effect, "due_at": _replan(ctx, effect).isoformat()})
        else:
            key = (str(effect["token"]), int(effect.get("index") or 0))
            if kind == "cancel_task":
                items[key] = ctx.conn.execute(
                    sa.select(TASKS.c.item).where(
                        TASKS.c.instance_id == ctx.instance_id,
                        TASKS.c.token == key[0],
                        TASKS.c.position == key[1],
                        TASKS.c.status.in_(("open", "waiting")),
                    )
                ).scalar()
            elif kind == "create_task" and "item" not in effect and items.get(key) is not None:
                effect = {**effect, "item": items[key]}
            done.extend(carry_out_all(ctx, [effect]))
    return done


def _replan(ctx: StepContext, effect: Mapping[str, Any]) -> datetime:
    """The timer's new due time: when the token entered (the old due time less the old delay;
    now when it waited for a date) plus the new delay, or the record's date."""
    from jimu.platform.process.effects import _due

    where = (
        TIMERS.c.instance_id == ctx.instance_id,
        TIMERS.c.token == effect["token"],
        TIMERS.c.task_id.is_(None),
    )
    row = ctx.conn.execute(sa.select(TIMERS.c.id, TIMERS.c.due_at).where(*where)).first()
    entered = ctx.now
    was = effect["was"]
    if row is not None and "delay" in was:
        entered = row.due_at - timedelta(**{str(was["delay"]["unit"]): int(was["delay"]["amount"])})
    due = _due(effect, ctx.record, entered)
    if row is None:
        ctx.conn.execute(
            sa.insert(TIMERS).values(
                instance_id=ctx.instance_id, token=effect["token"], due_at=due, attempts=0
            )
        )
    else:
        ctx.conn.execute(sa.update(TIMERS).where(TIMERS.c.id == row.id).values(due_at=due))
    return due


def chosen_instances(
    conn: sa.Connection,
    app: str,
    flow: str,
    version: int,
    *,
    ids: Sequence[int] | None = None,
    nodes: Sequence[str] | None = None,
) -> list[int]:
    """The running instances of ``flow`` on ``version`` (only ``ids``; only those with a token
    at one of ``nodes``), oldest first."""
    stmt = sa.select(INSTANCES.c.id).where(
        INSTANCES.c.app == app,
        INSTANCES.c.flow == flow,
        INSTANCES.c.flow_version == version,
        INSTANCES.c.status == "running",
    )
    if ids is not None:
        stmt = stmt.where(INSTANCES.c.id.in_(list(ids)))
    if nodes:
        waiting = sa.select(TOKENS.c.instance_id).where(TOKENS.c.node.in_(list(nodes)))
        stmt = stmt.where(INSTANCES.c.id.in_(waiting))
    return [int(i) for i in conn.execute(stmt.order_by(INSTANCES.c.id)).scalars()]


def migrate_instances(
    platform: Platform,
    app: str,
    flow: str,
    source: int,
    target: int | None,
    mapping: Mapping[str, str],
    now: datetime,
    *,
    ids: Sequence[int] | None = None,
    nodes: Sequence[str] | None = None,
    dry_run: bool = False,
    by: int | None = None,
) -> dict[str, Any]:
    """Migrate the chosen running instances of ``flow`` from version ``source`` to ``target``
    (default: the published version), each in a transaction of its own. Answers the versions
    and, per instance, ``migrated`` (with its moves and effects) or ``refused`` with the
    reasons. A mapping that does not hold between the versions raises (nothing moves)."""
    with platform.engine.connect() as conn:
        chosen = versions(conn, app, flow, source, target, mapping)
        found = chosen_instances(conn, app, flow, source, ids=ids, nodes=nodes)
    missing = sorted(set(ids or ()) - set(found))
    results: list[dict[str, Any]] = [
        {
            "id": i,
            "result": "refused",
            "reasons": [
                {
                    "pointer": "/instances",
                    "message": f"no running instance {i} of {flow!r} on version {source}",
                }
            ],
        }
        for i in missing
    ]
    for instance_id in found:
        try:
            if dry_run:
                with platform.engine.connect() as conn:
                    done = migrate_instance(
                        conn, None, instance_id, chosen, mapping, now, dry_run=True
                    )
            else:
                with begin_write(platform.engine) as conn:
                    records = platform.apps.records(conn, app)
                    done = migrate_instance(
                        conn, records, instance_id, chosen, mapping, now, by=by, platform=platform
                    )
        except JimuError as refused:
            reasons = [e.as_dict() for e in refused.errors] or [
                {"pointer": "", "message": refused.message}
            ]
            results.append({"id": instance_id, "result": "refused", "reasons": reasons})
            continue
        results.append({"id": instance_id, "result": "migrated", **done})
    results.sort(key=lambda r: int(r["id"]))
    return {
        "flow": flow,
        "from_version": chosen.source,
        "to_version": chosen.target,
        "dry_run": dry_run,
        "migrated": sum(1 for r in results if r["result"] == "migrated"),
        "refused": sum(1 for r in results if r["result"] == "refused"),
        "instances": results,
    }


def older_versions(conn: sa.Connection, app: str, flow: str) -> list[dict[str, Any]]:
    """The versions other than the published one that running instances are on, with how many
    instances and, per node holding a token, how many instances wait there."""
    try:
        current = published_flow(conn, app, flow)[0]
    except NotFound:
        return []
    of_flow = (
        INSTANCES.c.app == app,
        INSTANCES.c.flow == flow,
        INSTANCES.c.status == "running",
        INSTANCES.c.flow_version != current,
    )
    counts = conn.execute(
        sa.select(INSTANCES.c.flow_version, sa.func.count())
        .where(*of_flow)
        .group_by(INSTANCES.c.flow_version)
        .order_by(INSTANCES.c.flow_version)
    ).all()
    waiting = conn.execute(
        sa.select(
            INSTANCES.c.flow_version,
            TOKENS.c.node,
            sa.func.count(sa.distinct(TOKENS.c.instance_id)),
        )
        .join(INSTANCES, INSTANCES.c.id == TOKENS.c.instance_id)
        .where(*of_flow)
        .group_by(INSTANCES.c.flow_version, TOKENS.c.node)
        .order_by(TOKENS.c.node)
    ).all()
    return [
        {
            "version": int(version),
            "instances": int(count),
            "nodes": {str(n): int(c) for v, n, c in waiting if v == version},
        }
        for version, count in counts
    ]
