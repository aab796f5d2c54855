"""The ``assign`` effect: choose the owner from the planned pool, write it through the records
service (history and events as for any write), and keep the assignment with its explanation.

Inactive users are always skipped; away users (``notify.is_away`` at the run's time) unless
``skip_away`` is false; earlier owners (from the field history) when
``exclude_previous_owners``. A pool with nobody left falls back to the action's ``fallback``
pool; without one the run fails with an error naming the pool (retried, then a dead letter).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.types.temporal import format_datetime
from jimu.engines.rule import PlannedEffect
from jimu.engines.rule.assign_action import EFFECT_KIND, pool_key
from jimu.errors import JimuError
from jimu.platform.assign import pointer
from jimu.platform.assign.explain import explanation
from jimu.platform.assign.pools import USERS, candidates, describe_pool, member_ids
from jimu.platform.models import Assignment, utcnow
from jimu.platform.pool.owners import OwnerMove, previous_owners, record_owner_change
from jimu.platform.records import Records
from jimu.platform.records.filters import filter_clause, sortable_column
from jimu.platform.rules.effects import EffectContext, register_effect

ASSIGNMENTS: sa.Table = Assignment.__table__  # type: ignore[assignment]


class NoCandidate(JimuError):
    """Nobody in the pool (nor in the fallback pool) can take the record."""


def open_counts(
    conn: sa.Connection,
    records: Records,
    entity: str,
    field: str,
    condition: Any,
    users: list[int],
    record_id: int,
) -> dict[int, int]:
    """How many open records of ``entity`` (``condition`` holds, not in the recycle bin, the
    record being assigned left out) each of ``users`` owns through ``field``."""
    rt = records.runtime.entity(entity)
    owner = sortable_column(rt, field)
    if owner is None:
        raise JimuError(f"The field {field!r} of {entity!r} cannot hold an owner.")
    counts = dict.fromkeys(users, 0)
    if condition is False:
        return counts
    query = (
        sa.select(owner, sa.func.count())
        .where(owner.in_(users), rt.table.c.deleted_at.is_(None), rt.table.c.id != record_id)
        .group_by(owner)
    )
    if isinstance(condition, Mapping):
        query = query.where(filter_clause(rt, condition))
    for user, count in conn.execute(query):
        counts[int(user)] = int(count)
    return counts


def _attempt(
    context: EffectContext,
    effect: PlannedEffect,
    pick: Mapping[str, Any],
    excluded: list[int],
    at: datetime,
    names: dict[str, str],
) -> dict[str, Any]:
    """Try one pool: who is in it, who is skipped and why, whom the method chooses."""
    conn, app, payload = context.conn, context.records.app, effect.payload
    pool, method = pick["pool"], str(pick["method"])
    key = pool_key(pool)
    members = candidates(conn, member_ids(conn, app, pool), at)
    names.update({str(c.id): c.name for c in members})
    skipped: list[dict[str, Any]] = []
    eligible: list[int] = []
    for member in members:
        reason = None
        if not member.active:
            reason = "inactive"
        elif payload["skip_away"] and member.away:
            reason = "away"
        elif member.id in excluded:
            reason = "previous_owner"
        if reason is None:
            eligible.append(member.id)
            continue
        until = format_datetime(member.away_until) if member.away_until is not None else None
        skip = {"user_id": member.id, "name": member.name, "reason": reason}
        skipped.append({**skip, "away_until": until} if reason == "away" else skip)
    attempt: dict[str, Any] = {
        "method": method,
        "pool": dict(pool),
        "pool_key": key,
        "pool_label": describe_pool(conn, pool),
        "candidates": [m.id for m in members],
        "eligible": eligible,
        "skipped": skipped,
        "user_id": None,
        "fallback": False,
    }
    if not eligible:
        return attempt
    # the pointer row is locked for fewest_open too: two runs on one pool take turns, so the
    # second counts the first one's assignment
    turn = pointer.lock(conn, app, key)
    if method == "round_robin":
        chosen = pointer.next_after(eligible, turn.last_user_id)
        attempt["pointer"] = {"before": turn.last_user_id, "after": chosen}
        if turn.last_user_id is not None and str(turn.last_user_id) not in names:
            names.update(_names(conn, [turn.last_user_id]))
    else:
        field, record_id = str(payload["field"]), int(effect.record_id or 0)
        counts = open_counts(
            conn, context.records, effect.entity, field, payload["open"], eligible, record_id
        )
        chosen = min(eligible, key=lambda user: (counts[user], user))
        attempt["open_counts"] = {str(u): n for u, n in counts.items()}
    pointer.advance(conn, app, key, turn, chosen)
    attempt["user_id"] = chosen
    return attempt


def _names(conn: sa.Connection, ids: list[int]) -> dict[str, str]:
    rows = conn.execute(
        sa.select(USERS.c.id, USERS.c.username, USERS.c.display_name).where(USERS.c.id.in_(ids))
    )
    return {str(r.id): r.display_name or r.username for r in rows}


def _no_candidate(attempts: list[dict[str, Any]]) -> NoCandidate:
    if not attempts:
        return NoCandidate(
            "assign_owner: no territory row matches the record and no fallback is set."
        )
    told = []
    for attempt in attempts:
        reasons: dict[str, int] = {}
        for skip in attempt["skipped"]:
            reasons[skip["reason"]] = reasons.get(skip["reason"], 0) + 1
        why = ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in sorted(reasons.items()))
        size = len(attempt["candidates"])
        told.append(
            f"{attempt['pool_label']['en']} ({attempt['pool_key']}): "
            f"{size} member{'s' if size != 1 else ''}" + (f", {why}" if why else "")
        )
    return NoCandidate("assign_owner found nobody to assign in " + "; then in ".join(told) + ".")


def assign(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    """Carry out an ``assign`` effect; returns the assignment for the run log."""
    conn, records, payload = context.conn, context.records, effect.payload
    app, entity, field = records.app, effect.entity, str(payload["field"])
    if effect.record_id is None:
        raise JimuError("assign_owner needs the rule's record.")
    record_id = int(effect.record_id)
    at = utcnow()
    excluded = (
        previous_owners(conn, app, entity, record_id) if payload["exclude_previous_owners"] else []
    )
    names: dict[str, str] = {}
    attempts: list[dict[str, Any]] = []
    picks = [p for p in (payload["choice"], payload["fallback"]) if p is not None]
    for pick in picks:
        attempt = _attempt(context, effect, pick, excluded, at, names)
        attempt["fallback"] = pick is payload["fallback"]
        attempts.append(attempt)
        if attempt["user_id"] is not None:
            break
    chosen = attempts[-1]["user_id"] if attempts else None
    if chosen is None:
        raise _no_candidate(attempts)
    before = context.view.values.get(field)
    stored = records.update(conn, entity, record_id, {field: chosen}, context.write)
    previous = before if isinstance(before, int) else None
    move = OwnerMove(entity, record_id, int(stored["version"]), field, "assign", previous, chosen)
    record_owner_change(conn, app, move, context.write, at)
    choice = payload["choice"] or {}
    details: dict[str, Any] = {
        "territory": bool(payload["territory"]),
        "territory_row": choice.get("territory_row"),
        "territory_when": choice.get("when"),
        "previous_owners": excluded,
        "attempts": attempts,
        "names": names,
    }
    final = attempts[-1]
    row = {
        "app": app,
        "entity": entity,
        "record_id": record_id,
        "field": field,
        "user_id": chosen,
        "previous_user_id": previous,
        "method": final["method"],
        "pool_key": final["pool_key"],
        "rule": context.rule,
        "event_id": context.event_id,
        "version": int(stored["version"]),
        "explanation_en": explanation(details, "en", _labels(records, entity, "en")),
        "explanation_zh": explanation(details, "zh", _labels(records, entity, "zh")),
        "details": details,
        "assigned_at": at,
    }
    inserted = conn.execute(ASSIGNMENTS.insert().values(row)).inserted_primary_key
    assert inserted is not None
    assignment_id = inserted[0]
    return {
        "assignment": int(assignment_id),
        "user_id": chosen,
        "method": final["method"],
        "pool": final["pool_key"],
        "explanation": row["explanation_en"],
    }


def _labels(records: Records, entity: str, lang: str) -> dict[str, str]:
    """Field labels in ``lang`` for the territory condition's words."""
    model = records.model.entities.get(entity)
    if model is None:
        return {}
    return {f.name: str(f.label.get(lang) or f.label.get("en") or f.name) for f in model.fields}


register_effect(EFFECT_KIND, assign)
