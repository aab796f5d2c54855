"""Creating records: validate every row, compute derived values, one executemany insert, then
the app's after-store steps (sub-table rows, dependents: records/pipeline.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.errors import Conflict, FieldError, ValidationFailed
from jimu.platform.records import derived
from jimu.platform.records.audit import write_creations
from jimu.platform.records.checks import inexact_decimal_errors, link_errors, unique_errors
from jimu.platform.records.context import WriteContext
from jimu.platform.records.fastinsert import insert_values
from jimu.platform.records.file_owners import check_files, fill_stored_files
from jimu.platform.records.ids import allocate_ids
from jimu.platform.records.pipeline import Stored, StoredBatch
from jimu.platform.records.rows import refresh, utcnow, write_many_links
from jimu.platform.records.runtime import AppRuntime, EntityRuntime
from jimu.platform.records.stamps import IMPORT_SOURCE, imported_times


def raise_errors(errors: list[FieldError], message: str) -> None:
    """ValidationFailed with every error, or Conflict if all of them are taken unique values."""
    if not errors:
        return
    if all(e.code == "unique" for e in errors):
        raise Conflict("A unique value is already taken.", errors)
    raise ValidationFailed(message, errors)


def parse_rows(
    rt: EntityRuntime,
    rows: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    ctx: WriteContext,
    now: datetime,
    forced: Mapping[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    parsed: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    parse = rt.codec.parse
    source = ctx.source
    importing = source == IMPORT_SOURCE
    for data, prefix in zip(rows, prefixes, strict=True):
        if forced:
            data = {k: v for k, v in data.items() if k not in forced}
        values, problems = parse(
            data,
            creating=True,
            source=source,
            pointer=prefix,
            skip_required=forced,
            strict=ctx.strict,
        )
        if forced:
            values.update(forced)
        parsed.append(values)
        errors.extend(problems)
        if importing and ("created_at" in data or "updated_at" in data):
            times, wrong = imported_times(data, source, now, prefix)
            values.update(times)
            errors.extend(wrong)
    return parsed, errors


def child_errors(
    app: AppRuntime,
    rt: EntityRuntime,
    parsed: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    ctx: WriteContext,
) -> list[FieldError]:
    """Validation errors of sub-table rows, so a parent write reports them all at once."""
    errors: list[FieldError] = []
    for name, f in rt.subtables.items():
        child = app.entities[str(f.get("target"))]
        link = str(f.get("link"))
        for values, prefix in zip(parsed, prefixes, strict=True):
            for j, item in enumerate(values.get(name) or []):
                creating = "id" not in item
                data = {k: v for k, v in item.items() if k != link}
                _, problems = child.codec.parse(
                    data,
                    creating=creating,
                    source=ctx.source,
                    pointer=f"{prefix}/{name}/{j}",
                    skip_required={link: True},
                    strict=ctx.strict,
                )
                errors.extend(problems)
    return errors


def validate_new_rows(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    rows: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    ctx: WriteContext,
    forced: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """Parsed rows and every problem of creating them (nothing is written)."""
    parsed, errors = parse_rows(rt, rows, prefixes, ctx, now or utcnow(), forced)
    errors.extend(inexact_decimal_errors(conn, rt, parsed, prefixes))
    errors.extend(child_errors(app, rt, parsed, prefixes, ctx))
    if not errors:
        errors.extend(link_errors(conn, app, rt, parsed, prefixes))
        errors.extend(unique_errors(conn, rt, parsed, prefixes, [None] * len(parsed)))
    return parsed, errors


def create_records(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    rows: Sequence[Mapping[str, Any]],
    ctx: WriteContext,
    now: datetime,
    prefixes: Sequence[str],
    forced: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Insert ``rows`` (JSON input) all or nothing; returns the created JSON records."""
    rows = fill_stored_files(conn, app, rt, rows)
    parsed, errors = validate_new_rows(conn, app, rt, rows, prefixes, ctx, forced, now)
    files = check_files(conn, rt, parsed, [None] * len(parsed), prefixes, ctx.actor_id)
    errors.extend(files.errors)
    raise_errors(errors, f"The {rt.name} record is not valid.")
    if not rows:
        return []
    many = {name: [values.pop(name, None) or [] for values in parsed] for name in rt.many_links}
    children = {name: [values.pop(name, None) or [] for values in parsed] for name in rt.subtables}
    # every stored field (None unless given), the system columns, then the given values
    base = {
        **dict.fromkeys(rt.stored),
        **derived.initial_rollups(rt, app),
        "created_at": now,
        "updated_at": now,
        "owner_id": ctx.actor_id,
    }
    stamps = {"created_by": ctx.actor_id, "updated_by": ctx.actor_id, "version": 1}
    stamps["deleted_at"] = None
    default_formulas = bool(rt.default_formulas)
    for i, (values, data) in enumerate(zip(parsed, rows, strict=True)):
        values = parsed[i] = {**base, **values, **stamps}
        if default_formulas:
            derived.apply_default_formulas(rt, values, data)
    derived.apply_autonumbers(conn, app.model.name, rt, parsed)
    derived.apply_lookups(conn, app, rt, parsed)
    for values in parsed:
        derived.apply_formulas(rt, values)
    ids = allocate_ids(conn, rt.table, len(parsed))
    for values, record_id in zip(parsed, ids, strict=True):
        values["id"] = record_id
    columns = rt.insert_columns
    row_of = rt.insert_getter
    insert_values(conn, rt.table, tuple(c for _, c in columns), [row_of(v) for v in parsed])
    files.bind(conn, ids)
    for name, lists in many.items():
        write_many_links(conn, rt, name, {i: v for i, v in zip(ids, lists, strict=True) if v})
        for values, linked in zip(parsed, lists, strict=True):
            values[name] = linked
    dump_created = rt.dump_created
    records = []
    created = []
    for values in parsed:
        record, initial = dump_created(values)
        records.append(record)
        created.append((record["id"], values["created_at"], initial))
    event_ids = write_creations(conn, app.model.name, rt.name, created, ctx, now)
    stored = [
        Stored(values, None, event_id, {n: lists[i] for n, lists in children.items()}, prefix)
        for i, (values, event_id, prefix) in enumerate(
            zip(parsed, event_ids, prefixes, strict=True)
        )
    ]
    app.pipeline.after_store(conn, StoredBatch(app, rt, stored, ctx, now))
    if children:
        for record, values in zip(records, parsed, strict=True):
            for name in children:
                record[name] = values[name]
    if any(items for lists in children.values() for items in lists):
        refresh(conn, rt, records)  # the children's rollups on these records
    return records
