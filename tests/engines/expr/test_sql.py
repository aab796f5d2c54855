"""``to_sql``: NULLs handled as Python handles them, and unfaithful constructs refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.expr import OPERATORS, ExprError, NoSql, compile, to_sql
from jimu.engines.expr.values import truthy

METADATA = sa.MetaData()
DEALS = sa.Table(
    "deals",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("amount", sa.Integer),
    sa.Column("region", sa.Text),
    sa.Column("closed_on", sa.Date),
    sa.Column("won", sa.Boolean),
)
COLUMNS = {c.name: c for c in DEALS.c}
ROWS = [
    {"id": 1, "amount": 5, "region": "华东", "closed_on": date(2025, 6, 10), "won": True},
    {"id": 2, "amount": None, "region": None, "closed_on": None, "won": None},
    {"id": 3, "amount": 20000, "region": "华北", "closed_on": date(2024, 1, 1), "won": False},
    {"id": 4, "amount": 0, "region": "", "closed_on": date(2025, 6, 15), "won": True},
]
CONTEXT = {"today": "2025-06-15", "now": "2025-06-15T12:00:00Z", "user": {"regions": ["华东"]}}


def selected(engine: sa.Engine, rule: Any) -> list[int]:
    with engine.connect() as conn:
        query = sa.select(DEALS.c.id).where(to_sql(rule, COLUMNS, CONTEXT)).order_by(DEALS.c.id)
        return list(conn.execute(query).scalars())


def in_python(rule: Any) -> list[int]:
    evaluator = compile(rule)
    return [row["id"] for row in ROWS if truthy(evaluator(row, CONTEXT))]


@pytest.fixture
def deals(engine: sa.Engine) -> sa.Engine:
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(DEALS.insert(), ROWS)
    return engine


@pytest.mark.parametrize(
    ("rule", "ids"),
    [
        ({"!=": [{"var": "amount"}, 5]}, [2, 3, 4]),  # null != 5 is true in Python
        ({"==": [{"var": "amount"}, 0]}, [2, 4]),  # null is 0 in number comparisons
        ({"<": [{"var": "amount"}, 10]}, [1, 2, 4]),
        ({"==": [{"var": "region"}, None]}, [2]),
        ({"!": {"==": [{"var": "region"}, "华东"]}}, [2, 3, 4]),
        ({">": [{"var": "closed_on"}, "2025-01-01"]}, [1, 4]),
        ({"!": {">": [{"var": "closed_on"}, "2025-01-01"]}}, [2, 3]),
        ({"in_list": [{"var": "region"}, {"var": "$user.regions"}]}, [1]),
        ({"is_blank": {"var": "region"}}, [2, 4]),
        ({"var": "won"}, [1, 4]),
        ({"!": {"var": "won"}}, [2, 3]),
        ({"within_last": [{"var": "closed_on"}, 7, "day"]}, [1, 4]),
        ({"and": [{"var": "region"}, {">": [{"var": "amount"}, 1]}]}, [1, 3]),
        ({"<=": [1, {"var": "amount"}, 10]}, [1]),
        ({"contains": [{"var": "region"}, "华"]}, [1, 3]),
        ({"not_contains": [{"var": "region"}, "华"]}, [2, 4]),
    ],
)
def test_sql_selects_what_python_accepts(deals: sa.Engine, rule: Any, ids: list[int]) -> None:
    assert in_python(rule) == ids
    assert selected(deals, rule) == ids


@pytest.mark.parametrize(
    ("rule", "operator"),
    [
        ({"map": [[1], {"var": ""}]}, "map"),
        ({"==": [{"lower": {"var": "region"}}, "a"]}, "lower"),
        ({"matches": [{"var": "region"}, "^a"]}, "matches"),
        ({"try": [{"var": "amount"}, 0]}, "try"),
    ],
)
def test_constructs_without_a_faithful_sql_form_are_refused(rule: Any, operator: str) -> None:
    with pytest.raises(ExprError) as error:
        to_sql(rule, COLUMNS)
    assert error.value.error_type == "No SQL Form"
    assert repr(operator) in error.value.message
    assert error.value.pointer.endswith(operator)


@pytest.mark.parametrize(
    "rule",
    [
        {"==": [{"var": "region"}, 5]},  # text vs number: Python may fail on non-numeric text
        {"/": [1, {"var": "amount"}]},  # division by a field that may be 0
        {"<": [{"var": "region"}, {"var": "region"}]},  # null text ordering depends on data
        {"var": "nope"},
    ],
)
def test_data_dependent_coercions_are_refused(rule: Any) -> None:
    with pytest.raises(ExprError) as error:
        to_sql(rule, COLUMNS)
    assert error.value.error_type == "No SQL Form"


def test_a_value_rule_renders_as_a_value(deals: sa.Engine) -> None:
    expr = to_sql({"+": [{"var": "amount"}, 1]}, COLUMNS, as_condition=False)
    with deals.connect() as conn:
        values = conn.execute(sa.select(expr).order_by(DEALS.c.id)).scalars().all()
    assert values == [6, 1, 20001, 1]


def test_time_zone_aware_columns_compare_in_utc(engine: sa.Engine) -> None:
    """A ``timestamp with time zone`` is compared with an aware UTC literal, whatever the
    session's time zone."""
    metadata = sa.MetaData()
    events = sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True)),
    )
    metadata.create_all(engine)
    rows = [
        {"id": 1, "at": datetime(2025, 6, 15, 9, 0, tzinfo=UTC)},
        {"id": 2, "at": datetime(2025, 6, 15, 11, 0, tzinfo=UTC)},
    ]
    rule = {">": [{"var": "at"}, "2025-06-15T10:00:00Z"]}
    recent = {"within_last": [{"var": "at"}, 2, "hour"]}
    context = {"now": "2025-06-15T12:00:00Z"}
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SET TIME ZONE 'Asia/Shanghai'"))
        conn.execute(events.insert(), rows)
        for condition, ids in ((rule, [2]), (recent, [2])):
            query = sa.select(events.c.id).where(to_sql(condition, {"at": events.c.at}, context))
            assert list(conn.execute(query).scalars()) == ids
            stored = conn.execute(sa.select(events).order_by(events.c.id)).mappings().all()
            check = compile(condition)
            assert [r["id"] for r in stored if check(dict(r), context)] == ids


def test_every_refusal_in_the_table_has_a_reason() -> None:
    for entry in OPERATORS.values():
        if isinstance(entry.sql, NoSql):
            assert len(entry.sql.reason) > 20, entry.name


def test_the_where_form_keeps_comparisons_bare_for_indexes() -> None:
    """In a WHERE clause NULL means false, so ``to_sql(where=True)`` leaves comparisons bare
    (an index on the column can serve them) while the default stays two-valued."""
    table = sa.Table(
        "lead_where",
        sa.MetaData(),
        sa.Column("status", sa.String()),
        sa.Column("score", sa.Integer()),
    )
    columns = {"status": table.c.status, "score": table.c.score}
    rule = {"and": [{"==": [{"var": "status"}, "new"]}, {">": [{"var": "score"}, 50]}]}
    where = str(to_sql(rule, columns, where=True).compile(compile_kwargs={"literal_binds": True}))
    assert "CASE" not in where and "lead_where.status = 'new'" in where
    two_valued = str(to_sql(rule, columns).compile(compile_kwargs={"literal_binds": True}))
    assert "CASE" in two_valued
    negated = str(
        to_sql({"!": rule}, columns, where=True).compile(compile_kwargs={"literal_binds": True})
    )
    assert "CASE" in negated  # NOT needs the two-valued form even in a WHERE clause


def test_the_where_form_compares_nullable_numbers_and_lists_bare() -> None:
    """``coalesce(score, 0) >= 50`` and ``owner IS NOT NULL AND owner IN (...)`` defeat indexes;
    the WHERE form writes the bare comparison and adds ``IS NULL`` only where 0 would match."""
    table = sa.Table(
        "lead_bare",
        sa.MetaData(),
        sa.Column("score", sa.Integer()),
        sa.Column("owner", sa.Integer()),
    )
    columns = {"score": table.c.score, "owner": table.c.owner}

    def where(rule: dict[str, Any]) -> str:
        compiled = to_sql(rule, columns, {"user": {"id": 7, "team": [7, 8]}}, where=True)
        return str(compiled.compile(compile_kwargs={"literal_binds": True}))

    assert where({">=": [{"var": "score"}, 50]}) == "lead_bare.score >= 50"
    assert where({"<": [{"var": "score"}, 10]}) == (
        "lead_bare.score < 10 OR (lead_bare.score) IS NULL"
    )
    assert where({"==": [{"var": "$user.id"}, {"var": "owner"}]}) == "lead_bare.owner = 7"
    assert where({"in": [{"var": "owner"}, {"var": "$user.team"}]}) == "lead_bare.owner IN (7, 8)"


LONG_AMOUNTS = [5, *range(100, 130)]  # 31 numbers: a list long enough to be one array
LONG_REGIONS = ["华东", *(f"region {n}" for n in range(20))]


@pytest.mark.parametrize(
    ("rule", "ids"),
    [
        ({"in": [{"var": "amount"}, LONG_AMOUNTS]}, [1]),
        ({"!": {"in": [{"var": "amount"}, LONG_AMOUNTS]}}, [2, 3, 4]),
        ({"in": [{"var": "amount"}, [*LONG_AMOUNTS, None]]}, [1, 2]),
        ({"in_list": [{"var": "region"}, LONG_REGIONS]}, [1]),
        ({"not_in_list": [{"var": "region"}, LONG_REGIONS]}, [2, 3, 4]),
    ],
)
def test_long_lists_select_what_python_accepts(deals: sa.Engine, rule: Any, ids: list[int]) -> None:
    assert in_python(rule) == ids
    assert selected(deals, rule) == ids


def test_a_long_list_is_one_array_parameter_on_postgresql() -> None:
    """A data scope's ``owner_id IN (200 ids)`` is ``owner_id = ANY (%(p)s)`` on PostgreSQL:
    one placeholder instead of 200 rendered and parsed per run; SQLite keeps ``IN``."""
    from sqlalchemy.dialects import postgresql, sqlite

    table = sa.Table("lead_any", sa.MetaData(), sa.Column("owner_id", sa.BigInteger()))
    team = list(range(1, 201))
    rule = {"in": [{"var": "owner_id"}, team]}
    query = sa.select(table.c.owner_id).where(
        to_sql(rule, {"owner_id": table.c.owner_id}, where=True)
    )
    pg = query.compile(dialect=postgresql.dialect())
    assert "lead_any.owner_id = ANY (%(param_1)s::BIGINT[])" in str(pg)
    assert list(pg.params.values()) == [team]
    lite = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"render_postcompile": True}))
    assert "lead_any.owner_id IN (" in lite and "= 1" not in lite
    short = sa.select(table.c.owner_id).where(
        to_sql({"in": [{"var": "owner_id"}, [1, 2]]}, {"owner_id": table.c.owner_id}, where=True)
    )
    assert "IN (" in str(short.compile(dialect=postgresql.dialect()))
