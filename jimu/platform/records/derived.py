"""Values the write path computes: defaults from formulas, auto-numbers, lookups, formulas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError
from jimu.engines.form.types.base import InvalidValue
from jimu.platform.records import autonumbers
from jimu.platform.records.checks import chunks
from jimu.platform.records.runtime import AppRuntime, EntityRuntime


def coerce_result(rt: EntityRuntime, name: str, value: Any) -> Any:
    """A computed value in the stored type of field ``name`` (None if it does not fit)."""
    if value is None:
        return None
    compiled = rt.compiled(name)
    returns = compiled.field.get("returns") or "number"
    if compiled.field.type == "formula" and returns == "decimal":
        scale = int(compiled.field.get("scale", 2) or 0)
        try:
            return Decimal(str(value)).quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP)
        except ArithmeticError:
            return None
    if compiled.field.type == "formula" and returns == "text":
        return value if isinstance(value, str) else _text(value)
    try:
        return compiled.parse(value)
    except (InvalidValue, TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def apply_default_formulas(
    rt: EntityRuntime, values: dict[str, Any], given: Mapping[str, Any]
) -> None:
    for name, evaluate in rt.default_formulas.items():
        if name not in given or given[name] is None:
            values[name] = coerce_result(rt, name, _safe(evaluate, values))


def apply_formulas(rt: EntityRuntime, values: dict[str, Any]) -> None:
    """Recompute every formula of ``values`` in document order (later ones see earlier ones)."""
    for name, evaluate in rt.formulas.items():
        values[name] = coerce_result(rt, name, _safe(evaluate, values))


def _safe(evaluate: Any, values: Mapping[str, Any]) -> Any:
    """The formula's value; None when it fails on this record (like an Excel #VALUE!)."""
    try:
        return evaluate(values)
    except (ExprError, ArithmeticError, TypeError, ValueError):
        return None


def apply_autonumbers(
    conn: sa.Connection, app: str, rt: EntityRuntime, rows: Sequence[dict[str, Any]]
) -> None:
    """Number ``rows`` in order, each in the period of its ``created_at`` (UTC date).

    Rows of one period take their numbers with one counter update; periods are taken in
    sorted order, so concurrent batches lock the counter rows in the same order.
    """
    if not rows or not rt.autonumbers:
        return
    for name, pattern in rt.autonumbers.items():
        by_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
        days: dict[str, date] = {}
        periods: dict[datetime, tuple[str, date]] = {}  # a batch mostly shares one time
        for row in rows:
            created = row["created_at"]
            known = periods.get(created)
            if known is None:
                day = created.astimezone(UTC).date()
                known = periods[created] = (pattern.period(day), day)
            period = known[0]
            by_period[period].append(row)
            days.setdefault(period, known[1])
        for period in sorted(by_period):
            members = by_period[period]
            first = autonumbers.take(conn, app, rt.name, name, period, len(members))
            render = pattern.formatter(days[period])
            for offset, row in enumerate(members):
                row[name] = render(first + offset)


def apply_lookups(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    rows: Sequence[dict[str, Any]],
    only_links: set[str] | None = None,
) -> None:
    """Fill each lookup field from the record its link points to (one query per lookup)."""
    for dep in rt.lookups:
        if only_links is not None and dep.link not in only_links:
            continue
        target = app.entities[rt.links[dep.link]]
        ids = sorted({row[dep.link] for row in rows if row.get(dep.link) is not None})
        found: dict[int, Any] = {}
        source = target.column(dep.source)
        for part in chunks(ids):
            stmt = sa.select(target.table.c.id, source).where(target.table.c.id.in_(part))
            found.update({i: v for i, v in conn.execute(stmt)})
        for row in rows:
            link = row.get(dep.link)
            row[dep.field] = None if link is None else found.get(link)


def initial_rollups(rt: EntityRuntime, app: AppRuntime) -> dict[str, Any]:
    """A new record has no children yet: counts and sums start at 0, the rest empty."""
    return {
        dep.field: 0 if dep.function in ("count", "sum") else None
        for deps in app.rollups_over.values()
        for dep in deps
        if dep.entity == rt.name
    }


def rollup_values(
    conn: sa.Connection, app: AppRuntime, field: Any, parent_ids: Sequence[int]
) -> dict[int, Any]:
    """The current aggregate of ``field`` (a RollupDependency) for each parent id."""
    dep = field
    parent = app.entities[dep.entity]
    child = app.entities[dep.child]
    link = child.column(dep.link)
    measured = child.table.c.id if dep.source is None else child.column(dep.source)
    aggregate = {
        "count": sa.func.count(measured),
        "sum": sa.func.coalesce(sa.func.sum(measured), 0),
        "min": sa.func.min(measured),
        "max": sa.func.max(measured),
        "avg": sa.func.avg(measured),
    }[dep.function]
    conditions = [link == parent.table.c.id, child.table.c.deleted_at.is_(None)]
    if dep.filter:
        from jimu.platform.records.filters import filter_clause

        conditions.append(filter_clause(child, dep.filter))
    inner = sa.select(aggregate).where(*conditions).scalar_subquery()
    column_type = parent.column(dep.field).type
    typed = sa.type_coerce(inner, column_type)
    result: dict[int, Any] = defaultdict(lambda: None)
    for part in chunks(list(parent_ids)):
        stmt = sa.select(parent.table.c.id, typed).where(parent.table.c.id.in_(part))
        for pid, value in conn.execute(stmt):
            result[pid] = _stored(column_type, value)
    return result


def _stored(column_type: sa.types.TypeEngine[Any], value: Any) -> Any:
    """An aggregate in the column's own Python type (Decimals quantized to its scale)."""
    if value is None:
        return None
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float):
        scale = column_type.scale or 0
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP)
    if isinstance(column_type, sa.Integer):
        return int(value)
    if isinstance(column_type, sa.Float):
        return float(value)
    return value
