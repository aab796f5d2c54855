"""Multi-touch attribution (``attribution``): the value of the chart's records (won revenue:
the opportunities' amount, with the chart's filter) shared among the touchpoints that led to
them (records of a touch entity — activities — linked to the record or to the record's
contact), and totalled per credited value (the touch's campaign) under five models:

- ``first_touch``: all to the earliest touch; ``last_touch``: all to the latest;
- ``linear``: equal shares;
- ``time_decay``: shares weighted ``0.5 ^ (days before the last touch / half-life)``;
- ``position_based``: 40 % first, 40 % last, 20 % shared by the touches between (one touch
  takes all, two take half each).

A record without touches keeps its whole value on the empty credit row, so every model's
total equals the records' total. One statement: CTEs of the records, their touches ranked by
time, the shares per model, and the sums per credited value.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

Expr = sa.ColumnElement[Any]

MODELS = ("first_touch", "last_touch", "linear", "time_decay", "position_based")
MODEL_LABELS = {
    "first_touch": ("First touch", "首次触点"),
    "last_touch": ("Last touch", "末次触点"),
    "linear": ("Linear", "线性"),
    "time_decay": ("Time decay", "时间衰减"),
    "position_based": ("Position based (40/20/40)", "位置加权（40/20/40）"),
}


def attribution_properties() -> dict[str, Any]:
    name = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}
    return {
        "type": "object",
        "properties": {
            "touches": {
                "type": "object",
                "properties": {"entity": name, "link": name, "at": name, "credit": name},
                "required": ["entity", "link", "at", "credit"],
                "additionalProperties": False,
            },
            "via": name,
            "half_life_days": {"type": "number", "exclusiveMinimum": 0, "maximum": 3650},
        },
        "required": ["touches"],
        "additionalProperties": False,
    }


def _age_days(latest: Expr, at: Expr, dialect: str) -> Expr:
    if dialect == "postgresql":
        seconds = sa.func.extract("epoch", latest - at)
        return sa.cast(seconds, sa.Float) / sa.literal_column("86400.0")
    return sa.func.julianday(latest) - sa.func.julianday(at)


def attribution_statement(
    *,
    base_id: Expr,
    key: Expr,
    value: Expr,
    from_clause: sa.FromClause,
    where: list[Expr],
    touch_table: sa.FromClause,
    touch_id: Expr,
    touch_link: Expr,
    touch_at: Expr,
    touch_credit: Expr,
    touch_where: list[Expr],
    credit_values: tuple[str, ...],
    half_life: float,
    dialect: str,
) -> sa.Select[Any]:
    """Rows ``d0`` (the credited value, empty for records without touches) and ``m0…m4``
    (the value attributed under each of MODELS)."""
    records = (
        sa.select(base_id.label("rid"), key.label("k"), sa.cast(value, sa.Float).label("v"))
        .select_from(from_clause)
        .where(*where, value.is_not(None))
        .cte("attr_records")
    )
    by_record = records.c.rid
    touches = (
        sa.select(
            records.c.rid,
            records.c.v,
            touch_credit.label("c"),
            touch_at.label("at"),
            sa.func.row_number()
            .over(partition_by=by_record, order_by=(touch_at, touch_id))
            .label("rn"),
            sa.func.count().over(partition_by=by_record).label("n"),
            sa.func.max(touch_at).over(partition_by=by_record).label("latest"),
        )
        .select_from(records.join(touch_table, touch_link == records.c.k))
        .where(*touch_where, touch_at.is_not(None))
        .cte("attr_touches")
    )
    one: Expr = sa.literal_column("1.0")
    zero: Expr = sa.literal_column("0.0")
    rn, n = touches.c.rn, touches.c.n
    decay = sa.func.power(
        sa.literal_column("0.5"),
        _age_days(touches.c.latest, touches.c.at, dialect) / sa.literal_column(repr(half_life)),
    )
    weighted = sa.select(
        touches.c.rid,
        touches.c.v,
        touches.c.c,
        sa.case((rn == 1, one), else_=zero).label("w0"),
        sa.case((rn == n, one), else_=zero).label("w1"),
        (one / n).label("w2"),
        decay.label("decay"),
        sa.case(
            (n == 1, one),
            (n == 2, sa.literal_column("0.5")),
            ((rn == 1) | (rn == n), sa.literal_column("0.4")),
            else_=sa.literal_column("0.2") / (n - 2),
        ).label("w4"),
    ).cte("attr_weights")
    shares = sa.select(
        weighted.c.c,
        (weighted.c.v * weighted.c.w0).label("s0"),
        (weighted.c.v * weighted.c.w1).label("s1"),
        (weighted.c.v * weighted.c.w2).label("s2"),
        (
            weighted.c.v
            * weighted.c.decay
            / sa.func.sum(weighted.c.decay).over(partition_by=weighted.c.rid)
        ).label("s3"),
        (weighted.c.v * weighted.c.w4).label("s4"),
    )
    untouched = sa.select(
        sa.null().label("c"),
        *(records.c.v.label(f"s{i}") for i in range(len(MODELS))),
    ).where(~sa.exists().where(touches.c.rid == records.c.rid))
    every = sa.union_all(shares, untouched).cte("attr_shares")
    order: list[Any] = [every.c.c.is_(None)]
    if credit_values:
        order.append(
            sa.case(
                *((every.c.c == v, sa.literal_column(str(i))) for i, v in enumerate(credit_values)),
                else_=sa.literal_column(str(len(credit_values))),
            )
        )
    order.append(every.c.c)
    return (
        sa.select(
            every.c.c.label("d0"),
            *(sa.func.sum(every.c[f"s{i}"]).label(f"m{i}") for i in range(len(MODELS))),
        )
        .group_by(every.c.c)
        .order_by(*order)
    )


def attribution_columns(name: str, dimension: dict[str, Any]) -> list[dict[str, Any]]:
    return [dimension] + [
        {
            "name": f"{name}_{model}",
            "role": "measure",
            "type": "number",
            "format": "money",
            "label": {"en": MODEL_LABELS[model][0], "zh": MODEL_LABELS[model][1]},
            "model": model,
        }
        for model in MODELS
    ]
