"""Property tests (Hypothesis) on the seeded CRM data, on SQLite and PostgreSQL:

- a chart's total equals the sum of its rows, and each cell's value equals the count of the
  records its drill-down selects;
- a reader with a scope never sees larger totals than the unscoped chart, and sees exactly
  the total of the rows in their scope;
- date grains in any time zone (daylight saving included) give the period Python computes.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jimu.engines.form.tables import EntityTables
from jimu.engines.report import Access, Target, compile_report, drill_filter, drill_ids, shape_rows
from jimu.engines.report.timezones import period_start
from tests.engines.report import crm

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DIMENSIONS = [
    {"field": "stage"},
    {"field": "big"},
    {"field": "probability"},
    {"field": "owner_id"},
    {"field": "account.industry"},
    {"field": "account.tier"},
    {"field": "closed_on", "grain": "month"},
    {"field": "closed_on", "grain": "week"},
    {"field": "created_at", "grain": "quarter"},
    {"field": "created_at", "grain": "day"},
    {"field": "amount", "bin": {"width": 7500}},
    {"field": "score", "bin": {"width": 30, "offset": -20}},
]
FILTERS: list[dict[str, Any] | None] = [
    None,
    {"in": [{"var": "stage"}, ["won", "lost"]]},
    {">": [{"var": "amount"}, 20000]},
    {"==": [{"var": "account.tier"}, "gold"]},
    {"!=": [{"var": "big"}, True]},
]
ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Sydney"]


@pytest.fixture
def crm_db(engine: sa.Engine) -> tuple[sa.Engine, dict[str, EntityTables]]:
    return engine, crm.seed(engine)


def target(
    engine: sa.Engine, tables: dict[str, EntityTables], zone: str = "Asia/Shanghai", **access: Any
) -> Target:
    return Target(crm.MODEL, tables, engine.dialect.name, zone, crm.NOW, Access(**access))


def run(
    conn: sa.Connection, spec: dict[str, Any], where: Target
) -> tuple[Any, list[dict[str, Any]]]:
    compiled = compile_report(spec, where)
    return compiled, shape_rows(compiled.columns, conn.execute(compiled.statement))


def chart(dims: list[dict[str, Any]], rule: dict[str, Any] | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "kind": "report",
        "name": "p",
        "dataset": {
            "entity": "deal",
            "children": [{"name": "acts", "entity": "activity", "link": "deal"}],
        },
        "dimensions": [{**d, "name": f"x{i}"} for i, d in enumerate(dims)],
        "measures": [
            {"name": "n", "agg": "count"},
            {"name": "total", "agg": "sum", "field": "amount"},
            {"name": "acts", "agg": "count", "child": "acts"},
        ],
        "visual": {"type": "table"},
    }
    if rule is not None:
        spec["filter"] = rule
    return spec


def close(a: Any, b: Any) -> bool:
    return math.isclose(float(a or 0), float(b or 0), rel_tol=1e-9, abs_tol=1e-6)


@SETTINGS
@given(
    dims=st.lists(st.sampled_from(DIMENSIONS), min_size=1, max_size=2, unique_by=lambda d: str(d)),
    rule=st.sampled_from(FILTERS),
    cell_index=st.integers(min_value=0, max_value=10_000),
)
def test_totals_are_the_sum_of_rows_and_cells_drill_down_to_their_records(
    crm_db: tuple[sa.Engine, dict[str, EntityTables]],
    dims: list[dict[str, Any]],
    rule: dict[str, Any] | None,
    cell_index: int,
) -> None:
    engine, tables = crm_db
    where = target(engine, tables)
    with engine.connect() as conn:
        _, (overall,) = run(conn, chart([], rule), where)
        compiled, rows = run(conn, chart(dims, rule), where)
        assert sum(r["n"] for r in rows) == overall["n"]
        assert sum(r["acts"] for r in rows) == overall["acts"]
        assert close(sum(r["total"] or 0 for r in rows), overall["total"])
        row = rows[cell_index % len(rows)]
        cell = {f"x{i}": row[f"x{i}"] for i in range(len(dims))}
        drill = drill_filter(chart(dims, rule), compiled, cell, where)
        ids = list(conn.scalars(drill_ids(drill, where, 100_000)))
        assert len(ids) == row["n"]


@SETTINGS
@given(
    owners=st.lists(st.sampled_from([1, 2, 3, 4]), max_size=4, unique=True),
    dims=st.lists(st.sampled_from(DIMENSIONS), max_size=1),
    rule=st.sampled_from(FILTERS),
)
def test_a_scoped_reader_never_sees_more_than_everyone(
    crm_db: tuple[sa.Engine, dict[str, EntityTables]],
    owners: list[int],
    dims: list[dict[str, Any]],
    rule: dict[str, Any] | None,
) -> None:
    engine, tables = crm_db
    scope = {"in": [{"var": "owner_id"}, owners]}
    scoped_target = target(engine, tables, scopes={"deal": scope, "activity": scope})
    with engine.connect() as conn:
        _, everyone = run(conn, chart(dims, rule), target(engine, tables))
        _, scoped = run(conn, chart(dims, rule), scoped_target)
        owned_rule = {"and": [rule, scope]} if rule else scope
        _, (owned,) = run(conn, chart([], owned_rule), target(engine, tables))
    assert sum(r["n"] for r in scoped) == owned["n"]
    assert sum(r["n"] for r in scoped) <= sum(r["n"] for r in everyone)
    assert sum(r["acts"] for r in scoped) <= sum(r["acts"] for r in everyone)
    keys = [k for k in (everyone[0] if everyone else {}) if k.startswith("x")]
    totals = {tuple(r[k] for k in keys): r["n"] for r in everyone}
    for row in scoped:
        assert row["n"] <= totals[tuple(row[k] for k in keys)]


def python_key(moment: datetime, zone: str, grain: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    if grain == "hour":
        return local.strftime("%Y-%m-%d %H:00")
    return period_start(local.date(), grain).isoformat()


@SETTINGS
@given(
    moments=st.lists(
        st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2055, 12, 31)).map(
            lambda m: m.replace(tzinfo=UTC)
        ),
        min_size=1,
        max_size=20,
    ),
    near_changes=st.lists(st.integers(min_value=-90, max_value=90), max_size=6),
    zone=st.sampled_from(ZONES),
    grain=st.sampled_from(["hour", "day", "week", "month", "quarter", "year"]),
)
# SQLite's date functions round to the millisecond: the last instant of a Shanghai day.
@example(
    moments=[datetime(2026, 1, 1, 15, 59, 59, 999600, tzinfo=UTC)],
    near_changes=[],
    zone="Asia/Shanghai",
    grain="day",
)
def test_grains_follow_the_time_zone_across_daylight_saving(
    engine: sa.Engine, moments: list[datetime], near_changes: list[int], zone: str, grain: str
) -> None:
    from jimu.engines.report.timezones import grain_key, local_time, transitions

    _, changes = transitions(zone)
    if changes:  # minutes around a few daylight-saving changes
        for i, minutes in enumerate(near_changes):
            instant = changes[(i * 37) % len(changes)][0]
            moments.append(instant + timedelta(minutes=minutes, seconds=i))
    metadata = sa.MetaData()
    table = sa.Table(
        "moments",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", crm.tables()["deal"].table.c.created_at.type),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": i, "at": m} for i, m in enumerate(moments)])
        key = grain_key(
            local_time(table.c.at, engine.dialect.name, zone, is_date=False),
            grain,
            engine.dialect.name,
        )
        found = {i: k for i, k in conn.execute(sa.select(table.c.id, key))}
    for i, moment in enumerate(moments):
        assert found[i] == python_key(moment, zone, grain), (moment, zone, grain)
