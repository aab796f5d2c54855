"""Fields whose type or storage changes: convert every stored value, or list the rows that
don't convert (then the plan is refused)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jimu.engines.form.codec import EntityCodec
from jimu.engines.form.migrate.context import (
    MAX_LISTED_ROWS,
    Conversion,
    FailedRow,
    PlanContext,
    archive_name,
)
from jimu.engines.form.migrate.steps import AddForeignKeyStep, AlterTypeStep, ConvertColumnStep
from jimu.engines.form.model import Field
from jimu.engines.form.tables import EntityTables
from jimu.engines.form.types.base import InvalidValue
from jimu.errors import FieldError


def type_text(ctx: PlanContext, column: sa.Column[Any]) -> str:
    dialect: sa.Dialect = (
        postgresql.dialect() if ctx.postgres else sqlite.dialect()  # type: ignore[no-untyped-call]
    )
    return str(column.type.compile(dialect=dialect))


def shape_problem(
    ctx: PlanContext, old: EntityTables, new: EntityTables, before: Field, after: Field
) -> str | None:
    """Why a field cannot change this way in place (then the admin adds a new field)."""
    was_link, is_link = before.type == "link", after.type == "link"
    if was_link and is_link and before.get("target") != after.get("target"):
        return "a link cannot change its target; add a new link field instead"
    if (before.name in old.columns) != (after.name in new.columns) or (
        (before.name in old.junctions) != (after.name in new.junctions)
    ):
        return f"cannot change from {before.type} to {after.type} in place; add a new field"
    if was_link and not ctx.postgres and before.type != after.type:
        return "on SQLite a link field cannot change its type (its column has a foreign key)"
    return None


def retype(
    ctx: PlanContext, old: EntityTables, new: EntityTables, before: Field, after: Field
) -> bool:
    """Plan the conversion of a field whose type or storage changed; True if it changes."""
    problem = shape_problem(ctx, old, new, before, after)
    if problem is not None:
        index = [f.name for f in new.entity.fields].index(after.name)
        pointer = f"/entities/{new.entity.name}/fields/{index}/type"
        ctx.plan.problems.append(FieldError(pointer, problem, "unsupported_change"))
        return False
    if before.name not in old.columns or after.name not in new.columns:
        return False
    old_col = old.table.c[old.columns[before.name]]
    new_col = new.table.c[new.columns[after.name]]
    same_type = before.type == after.type
    if same_type and type_text(ctx, old_col) == type_text(ctx, new_col):
        if _rules_only_loosened(before, after):
            return False
        return _convert(ctx, old, new, before, after, old_col, new_col, alter=False)
    if same_type and _widening(old_col.type, new_col.type):
        if ctx.postgres:
            ctx.plan.add(
                "convert", AlterTypeStep(new.table.name, old_col.name, old_col.type, new_col.type)
            )
        return False
    return _convert(ctx, old, new, before, after, old_col, new_col, alter=True)


def _rules_only_loosened(before: Field, after: Field) -> bool:
    keys = set(before.spec) | set(after.spec)
    changed = {k for k in keys if before.spec.get(k) != after.spec.get(k)}
    return changed <= {
        "label",
        "description",
        "required",
        "readonly",
        "index",
        "unique",
        "default",
        "default_formula",
        "help",
        "placeholder",
        "color",
    }


def _widening(old: sa.types.TypeEngine[Any], new: sa.types.TypeEngine[Any]) -> bool:
    if isinstance(old, sa.String) and isinstance(new, sa.String) and type(old) is type(new):
        return (new.length or 10**9) >= (old.length or 10**9)
    return False


def _convert(
    ctx: PlanContext,
    old: EntityTables,
    new: EntityTables,
    before: Field,
    after: Field,
    old_col: sa.Column[Any],
    new_col: sa.Column[Any],
    *,
    alter: bool,
) -> bool:
    """Convert every stored value through the new type, or report the rows that don't."""
    if ctx.registry.get(after.type).computed:
        if alter:
            step = ConvertColumnStep(new.table.name, old_col.name, after.name, new_col, [])
            step.old_type = type_text(ctx, old_col)
            ctx.plan.add("convert", step)
        return alter
    values: list[tuple[int, Any]] = []
    unchanged = True
    failed: list[FailedRow] = []
    failures = 0
    if ctx.conn is not None:
        assert ctx.old is not None
        dump = EntityCodec(ctx.old, old.entity, ctx.registry).fields[before.name].dump
        parse = EntityCodec(ctx.new, new.entity, ctx.registry).fields[after.name].parse
        title = _title_column(old)
        columns: list[sa.ColumnElement[Any]] = [
            sa.column("id"),
            sa.column(old_col.name, old_col.type),
        ]
        if title is not None:
            columns.append(sa.column(title).label("_jimu_title"))
        stmt = (
            sa.select(*columns)
            .select_from(sa.table(old.table.name))
            .where(sa.column(old_col.name).is_not(None))
            .order_by(sa.column("id"))
        )
        for row in ctx.conn.execute(stmt):
            record_id, stored = row[0], row[1]
            try:
                converted = parse(dump(stored))
                values.append((record_id, converted))
                unchanged = unchanged and converted == stored
            except (InvalidValue, TypeError, ValueError) as exc:
                failures += 1
                if len(failed) < MAX_LISTED_ROWS:
                    shown = None if title is None or row[2] is None else str(row[2])
                    failed.append(FailedRow(record_id, shown, dump(stored), str(exc)))
    index = [f.name for f in new.entity.fields].index(after.name)
    pointer = f"/entities/{new.entity.name}/fields/{index}/type"
    keep = after.name in ctx.archive.get(new.entity.name, ())
    conversion = Conversion(
        new.entity.name, after.name, pointer, before.type, after.type, len(values), failures, failed
    )
    if failures and not keep:
        ctx.plan.conversions.append(conversion)
        shown_rows = "; ".join(f"record {r.id} ({r.value!r}: {r.reason})" for r in failed)
        more = f" and {failures - len(failed)} more" if failures > len(failed) else ""
        ctx.plan.problems.append(
            FieldError(
                pointer,
                f"{failures} values cannot be converted to {after.type}: {shown_rows}{more}"
                " (archive the old column to keep them)",
                "conversion",
            )
        )
        return False
    if not alter and unchanged and not keep:
        return False
    step = ConvertColumnStep(new.table.name, old_col.name, after.name, new_col, values)
    step.old_type = type_text(ctx, old_col)
    if keep:
        step.archive_as = archive_name(ctx, old.table.name, before.name)
        step.definition = dict(before.spec)
        conversion.archive_as = step.archive_as
    ctx.plan.conversions.append(conversion)
    ctx.plan.add("convert", step)
    if ctx.postgres:
        for fk in sorted(new_col.foreign_keys, key=lambda k: k.target_fullname):
            target = fk.column.table.name
            ctx.plan.add("fk", AddForeignKeyStep(new.table.name, new_col.name, target, "SET NULL"))
    return True


def _title_column(tables: EntityTables) -> str | None:
    """The column naming a record to the admin: the title field, else the first text field."""
    entity = tables.entity
    title = entity.title_field or next((f.name for f in entity.fields if f.type == "text"), None)
    return tables.columns.get(title) if title else None
