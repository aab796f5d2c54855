"""Stage funnels from the field history (``funnel``).

``{"funnel": {"field": "status", "steps": ["new", "contacted", "mql", "sql", "won"]}}`` counts,
per step, the chart's records that ever reached that step **or a later one** (a lead that
jumped from new to mql passed through the funnel), from the platform's field history
(``jimu_record_history``: the create row ``*`` holding the initial values, one row per later
change of the field) plus the record's current value (for records written before their
history was kept; it counts as reached at the record's last update). With ``reached`` (a
relative or fixed range), a step counts the records whose first arrival at that step or a
later one falls within the range.

``then`` carries the funnel on past the record into the record a single link field of it
leads to: ``{"link": "converted_opportunity", "field": "stage", "steps": ["won"]}`` adds the
steps of that record's own field, read the same way from its history and current value (the
reader's scope on the linked entity applies: a linked record outside it reaches nothing). A
lead whose opportunity was won reached "won" and, being later, every lead step before it.

One statement: a CTE of the reach events (history and current values) of the chart's records,
one of the first reach time per record and step, and the counts per step, with the conversion
from the step before (``lag``) and from the first step (``first_value``) as window functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.report import measures as agg

Expr = sa.ColumnElement[Any]

#: The history ``field`` of a create row, whose new_value holds every initial value.
CREATED_FIELD = "*"
MAX_STEPS = 20


def funnel_properties(range_properties: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of the ``funnel`` key."""
    return {
        "type": "object",
        "properties": {
            "field": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "steps": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 2,
                "maxItems": MAX_STEPS,
                "uniqueItems": True,
            },
            "reached": {
                "type": "object",
                "properties": {k: v for k, v in range_properties.items() if k != "field"},
                "required": ["range"],
                "additionalProperties": False,
            },
            "then": {
                "type": "object",
                "properties": {
                    "link": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "field": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "steps": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "minItems": 1,
                        "maxItems": MAX_STEPS,
                        "uniqueItems": True,
                    },
                },
                "required": ["link", "field", "steps"],
                "additionalProperties": False,
            },
        },
        "required": ["field", "steps"],
        "additionalProperties": False,
    }


def history_shape() -> sa.Table:
    """A stand-in with the columns of the platform's history table the funnel reads, for
    checking a spec where no database is at hand (the platform passes the real table)."""
    from jimu.engines.form.sqltypes import JSONType, UTCDateTime

    return sa.Table(
        "jimu_record_history",
        sa.MetaData(),
        sa.Column("app", sa.String(63)),
        sa.Column("entity", sa.String(63)),
        sa.Column("record_id", sa.BigInteger),
        sa.Column("field", sa.String(63)),
        sa.Column("new_value", JSONType),
        sa.Column("changed_at", UTCDateTime()),
    )


def _json_text(value: Expr, key: str | None, dialect: str) -> Expr:
    """A JSON value (or its member ``key``) as text; a JSON string without its quotes."""
    if dialect == "postgresql":
        if key is None:
            return sa.type_coerce(value, sa.Text).op("#>>")(sa.literal_column("'{}'"))
        return sa.type_coerce(value, sa.Text).op("->>")(sa.literal(key))
    path = "$" if key is None else f"$.{key}"
    return sa.func.json_extract(sa.type_coerce(value, sa.Text), path)


@dataclass(frozen=True)
class Then:
    """The steps of a linked record's field that follow the record's own (``funnel.then``)."""

    entity: str  # the linked entity
    field: str
    steps: list[str]
    linked: sa.FromClause  # the dataset's join of the link (scope in its ON)
    column: Expr  # the field's column on ``linked``


def _then_reached(
    then: Then,
    *,
    history: sa.Table,
    app: str,
    base: sa.FromClause,
    from_clause: sa.FromClause,
    where: list[Expr],
    offset: int,
    dialect: str,
) -> sa.Select[Any]:
    """(rid, pos, at): when each chart record's linked record reached a ``then`` step (its
    positions follow the record's own ``offset`` steps)."""
    h = history
    links = (
        sa.select(base.c.id.label("rid"), then.linked.c.id.label("lid"))
        .select_from(from_clause)
        .where(*where, then.linked.c.id.is_not(None))
        .cte("funnel_links")
    )
    mine = [h.c.app == app, h.c.entity == then.entity]
    changed = (
        sa.select(
            links.c.rid,
            _json_text(h.c.new_value, None, dialect).label("v"),
            h.c.changed_at.label("at"),
        )
        .select_from(h.join(links, links.c.lid == h.c.record_id))
        .where(*mine, h.c.field == then.field)
    )
    created = (
        sa.select(
            links.c.rid,
            _json_text(h.c.new_value, then.field, dialect).label("v"),
            h.c.changed_at.label("at"),
        )
        .select_from(h.join(links, links.c.lid == h.c.record_id))
        .where(*mine, h.c.field == CREATED_FIELD)
    )
    current = (
        sa.select(
            base.c.id.label("rid"), then.column.label("v"), then.linked.c.updated_at.label("at")
        )
        .select_from(from_clause)
        .where(*where, then.linked.c.id.is_not(None))
    )
    events = sa.union_all(changed, created, current).cte("funnel_then_events")
    position = sa.case(
        *(
            (events.c.v == step, sa.literal_column(str(offset + i)))
            for i, step in enumerate(then.steps)
        )
    )
    return sa.select(events.c.rid, position.label("pos"), events.c.at).where(
        events.c.v.in_(then.steps)
    )


def funnel_statement(
    *,
    history: sa.Table,
    app: str,
    entity: str,
    field: str,
    column: Expr,
    base: sa.FromClause,
    from_clause: sa.FromClause,
    where: list[Expr],
    steps: list[str],
    reached: tuple[datetime | date, datetime | date] | None,
    dialect: str,
    then: Then | None = None,
) -> sa.Select[Any]:
    """Rows ``d0`` (the step), ``m0`` (records that reached it), ``m1`` (conversion from the
    step before), ``m2`` (from the first step), in the steps' order (``then``'s after)."""
    h = history
    mine = [h.c.app == app, h.c.entity == entity]
    records = sa.select(base.c.id.label("rid")).select_from(from_clause).where(*where)
    chosen = records.cte("funnel_records")
    changed = sa.select(
        h.c.record_id.label("rid"),
        _json_text(h.c.new_value, None, dialect).label("v"),
        h.c.changed_at.label("at"),
    ).where(*mine, h.c.field == field)
    created = sa.select(
        h.c.record_id.label("rid"),
        _json_text(h.c.new_value, field, dialect).label("v"),
        h.c.changed_at.label("at"),
    ).where(*mine, h.c.field == CREATED_FIELD)
    current = (
        sa.select(base.c.id.label("rid"), column.label("v"), base.c.updated_at.label("at"))
        .select_from(from_clause)
        .where(*where)
    )
    events = sa.union_all(changed, created, current).cte("funnel_events")
    position: Callable[[Expr], Expr] = lambda v: sa.case(  # noqa: E731
        *((v == step, sa.literal_column(str(i))) for i, step in enumerate(steps))
    )
    own = (
        sa.select(events.c.rid, position(events.c.v).label("pos"), events.c.at)
        .select_from(events.join(chosen, chosen.c.rid == events.c.rid))
        .where(events.c.v.in_(steps))
    )
    every = list(steps)
    if then is None:
        numbered = own.cte("funnel_reached")
    else:
        later = _then_reached(
            then,
            history=history,
            app=app,
            base=base,
            from_clause=from_clause,
            where=where,
            offset=len(steps),
            dialect=dialect,
        )
        numbered = sa.union_all(own, later).cte("funnel_reached")
        every += then.steps
    step_rows: list[sa.Select[str, int]] = [
        sa.select(
            sa.literal(step, sa.String).label("step"),
            sa.literal_column(str(i), sa.Integer).label("pos"),
        )
        for i, step in enumerate(every)
    ]
    step_table = sa.union_all(*step_rows).cte("funnel_steps")
    counted: Expr
    if reached is None:
        # Only who reached each step counts: a record's furthest step says it (one row per
        # record, then a join with the few steps), not its first time at every step.
        first = (
            sa.select(numbered.c.rid, sa.func.max(numbered.c.pos).label("pos"))
            .group_by(numbered.c.rid)
            .cte("funnel_furthest")
        )
        joined = first.c.pos >= step_table.c.pos
        counted = sa.func.count(first.c.rid)
    else:
        first = (
            sa.select(
                step_table.c.pos,
                numbered.c.rid,
                sa.func.min(numbered.c.at).label("at"),
            )
            .select_from(step_table.join(numbered, numbered.c.pos >= step_table.c.pos))
            .group_by(step_table.c.pos, numbered.c.rid)
            .cte("funnel_first")
        )
        joined = first.c.pos == step_table.c.pos
        start, end = reached
        counted = sa.func.count(sa.case(((first.c.at >= start) & (first.c.at < end), first.c.rid)))
    previous = sa.func.lag(counted).over(order_by=step_table.c.pos)
    initial = sa.func.first_value(counted).over(order_by=step_table.c.pos)
    return (
        sa.select(
            step_table.c.step.label("d0"),
            counted.label("m0"),
            agg.divide(counted, previous).label("m1"),
            agg.divide(counted, initial).label("m2"),
        )
        .select_from(step_table.outerjoin(first, joined))
        .group_by(step_table.c.pos, step_table.c.step)
        .order_by(step_table.c.pos)
    )


def funnel_meta(
    spec: Mapping[str, Any], measure: Mapping[str, Any], dimension: dict[str, Any]
) -> list[dict[str, Any]]:
    """The columns of a funnel: the step, the count, the two conversion rates."""
    name = str(measure["name"])
    label = measure.get("label") or {"en": "Records", "zh": "记录数"}
    return [
        dimension,
        {"name": name, "role": "measure", "type": "number", "label": dict(label)},
        {
            "name": f"{name}_conversion",
            "role": "measure",
            "type": "number",
            "format": "percent",
            "label": {"en": "Conversion from the step before", "zh": "较上一步转化率"},
        },
        {
            "name": f"{name}_overall",
            "role": "measure",
            "type": "number",
            "format": "percent",
            "label": {"en": "Conversion from the first step", "zh": "总体转化率"},
        },
    ]
