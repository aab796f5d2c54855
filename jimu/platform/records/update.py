"""Updating records: the one function every change to an existing row goes through.

``apply_updates`` takes the current stored values and the new ones, recomputes lookups and
formulas, writes only what changed (``version`` + 1), its history and its outbox event, then
runs the app's after-store steps (records/pipeline.py: sub-table rows, then dependent records'
lookups and rollups, which come back here). Partial updates (``Patch``), soft delete, restore
and the refresh of derived fields in other records all call it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from jimu.errors import Conflict, FieldError, NotFound
from jimu.platform.records import derived
from jimu.platform.records.audit import Change, write_changes
from jimu.platform.records.checks import inexact_decimal_errors, link_errors, unique_errors
from jimu.platform.records.context import WriteContext
from jimu.platform.records.create import child_errors, raise_errors
from jimu.platform.records.file_owners import check_files, fill_stored_files
from jimu.platform.records.pipeline import Stored, StoredBatch
from jimu.platform.records.rows import (
    json_value,
    load,
    read_many_links,
    refresh,
    to_columns,
    to_json,
    write_many_links,
)
from jimu.platform.records.runtime import AppRuntime, EntityRuntime

#: System columns a write may change besides the fields.
WRITABLE_SYSTEM = ("owner_id", "deleted_at")


@dataclass(frozen=True, slots=True)
class Patch:
    """One partial update as a caller asks for it: the record, the changes (JSON input by
    field name) and the version the caller saw (None: not checked)."""

    record_id: int
    changes: Mapping[str, Any]
    expected_version: int | None = None


@dataclass
class Target:
    """One record to change: its current stored values and the new values by field name."""

    old: dict[str, Any]
    new: dict[str, Any]
    kind: str = "updated"
    caused_by: int | None = None
    many: dict[str, list[int]] = field(default_factory=dict)
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Only computed values change (a rollup, lookup or formula refreshed because *another*
    #: record changed, or a backfill): history and outbox are written, but ``version``,
    #: ``updated_at`` and ``updated_by`` stay, so nobody editing the record gets a conflict.
    derived: bool = False


@dataclass(slots=True)
class Written:
    """A target that changes: its values after the write and the changed fields (old, new)."""

    target: Target
    merged: dict[str, Any]
    diff: dict[str, tuple[Any, Any]]

    @property
    def record_id(self) -> int:
        return int(self.target.old["id"])


def apply_updates(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    targets: Sequence[Target],
    ctx: WriteContext,
    now: datetime,
) -> list[dict[str, Any]]:
    """Write ``targets``; returns each record's JSON after the write (unchanged: as it is)."""
    merged_rows = []
    for target in targets:
        merged = dict(target.old)
        merged.update(target.new)
        merged_rows.append(merged)
    changed_links = {
        name
        for t in targets
        for name in rt.links
        if name in t.new and t.new[name] != t.old.get(name)
    }
    if changed_links:
        derived.apply_lookups(conn, app, rt, merged_rows, only_links=changed_links)
    old_many = read_many_links(
        conn, rt, [t.old["id"] for t in targets], {n for t in targets for n in t.many}
    )
    written: list[Written] = []
    for target, merged in zip(targets, merged_rows, strict=True):
        derived.apply_formulas(rt, merged)
        diff = _changed(rt, target.old, merged)
        for name, ids in target.many.items():
            before = old_many[name].get(target.old["id"], [])
            if before != ids:
                diff[name] = (before, list(ids))
        if target.children:
            for name in target.children:
                diff.setdefault(name, (None, None))
        if diff or target.kind != "updated":
            if not target.derived:
                merged.update(
                    version=target.old["version"] + 1, updated_at=now, updated_by=ctx.actor_id
                )
            written.append(Written(target, merged, diff))
    _execute_updates(conn, rt, written)
    for name in rt.many_links:
        linked = {
            w.record_id: w.target.many[name]
            for w in written
            if name in w.diff and name in w.target.many
        }
        write_many_links(conn, rt, name, linked)
    changes = [
        Change(
            w.record_id,
            w.merged["version"],
            w.target.kind,
            {n: d for n, d in w.diff.items() if n not in rt.subtables},
            w.target.caused_by,
        )
        for w in written
    ]
    event_ids = write_changes(conn, app.model.name, rt.name, changes, ctx, now)
    by_id = {w.record_id: w.merged for w in written}
    stored = [
        Stored(w.merged, w.target.old, event_id, w.target.children)
        for w, event_id in zip(written, event_ids, strict=True)
    ]
    app.pipeline.after_store(conn, StoredBatch(app, rt, stored, ctx, now))
    results = []
    with_children = []
    for target in targets:
        values = by_id.get(target.old["id"], target.old)
        record = to_json(rt, values)
        for name in target.many:
            record[name] = list(target.many[name])
        if target.children and target.old["id"] in by_id:
            with_children.append(record)
        results.append(record)
    if with_children:
        refresh(conn, rt, with_children)  # the children's rollups on these records
    return results


def _changed(
    rt: EntityRuntime, old: Mapping[str, Any], new: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    diff: dict[str, tuple[Any, Any]] = {}
    for name in rt.stored:
        if name in new and new[name] != old.get(name):
            diff[name] = (json_value(rt, name, old.get(name)), json_value(rt, name, new[name]))
    for name in WRITABLE_SYSTEM:
        if name in new and new[name] != old.get(name):
            diff[name] = (json_value(rt, name, old.get(name)), json_value(rt, name, new[name]))
    return diff


def _execute_updates(conn: sa.Connection, rt: EntityRuntime, rows: Sequence[Written]) -> None:
    """One executemany UPDATE per set of changed columns (an edit, not a derived refresh,
    gets a new version too)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        names = [n for n in row.diff if n in rt.stored or n in WRITABLE_SYSTEM]
        if not row.target.derived:
            names += ["version", "updated_at", "updated_by"]
        if not names:
            continue
        columns = to_columns(rt, {n: row.merged[n] for n in names})
        key = tuple(sorted(columns))
        groups[key].append({"_id": row.record_id, **{f"v_{c}": v for c, v in columns.items()}})
    for key, params in groups.items():
        conn.execute(_update_statement(rt.table, key), params)


@lru_cache(maxsize=512)
def _update_statement(table: sa.Table, columns: tuple[str, ...]) -> sa.Update:
    """``UPDATE table SET column = :v_column … WHERE id = :_id``, built once per table and
    set of columns (building it costs more than running it)."""
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("_id"))
        .values({c: sa.bindparam(f"v_{c}") for c in columns})
    )


def update_records(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    patches: Sequence[Patch],
    ctx: WriteContext,
    now: datetime,
    prefixes: Sequence[str],
) -> list[dict[str, Any]]:
    """Partial updates, all or nothing."""
    current = load(conn, rt, [p.record_id for p in patches], lock=True)
    filled = fill_stored_files(conn, app, rt, [p.changes for p in patches])
    patches = [replace(patch, changes=data) for patch, data in zip(patches, filled, strict=True)]
    errors: list[FieldError] = []
    parsed: list[dict[str, Any]] = []
    for patch, prefix in zip(patches, prefixes, strict=True):
        record_id, data, expected = patch.record_id, patch.changes, patch.expected_version
        old = current.get(record_id)
        if old is None or old["deleted_at"] is not None:
            if len(patches) == 1:
                where = "" if old is None else " (it is in the recycle bin)"
                raise NotFound(f"There is no {rt.name} record {record_id}{where}.")
            errors.append(
                FieldError(f"{prefix}/id", f"there is no record {record_id}", "not_found")
            )
            parsed.append({})
            continue
        if expected is not None and expected != old["version"]:
            raise Conflict(
                f"The {rt.name} record {record_id} was changed by someone else "
                f"(version {old['version']}, not {expected}).",
                [FieldError(f"{prefix}/version", "is stale", "stale")],
                extra={"current": to_json(rt, old)},
            )
        values, problems = rt.codec.parse(
            data, creating=False, source=ctx.source, pointer=prefix, strict=ctx.strict
        )
        parsed.append(values)
        errors.extend(problems)
    record_ids = [p.record_id for p in patches]
    files = check_files(conn, rt, parsed, record_ids, prefixes, ctx.actor_id)
    errors.extend(files.errors)
    errors.extend(inexact_decimal_errors(conn, rt, parsed, prefixes))
    errors.extend(child_errors(app, rt, parsed, prefixes, ctx))
    if not errors:
        errors.extend(link_errors(conn, app, rt, parsed, prefixes))
        errors.extend(unique_errors(conn, rt, parsed, prefixes, record_ids))
    raise_errors(errors, f"The {rt.name} record is not valid.")
    files.bind(conn, record_ids)
    targets = []
    for patch, values in zip(patches, parsed, strict=True):
        many = {n: values.pop(n) or [] for n in list(values) if n in rt.many_links}
        children = {n: values.pop(n) or [] for n in list(values) if n in rt.subtables}
        targets.append(Target(current[patch.record_id], values, many=many, children=children))
    return apply_updates(conn, app, rt, targets, ctx, now)
