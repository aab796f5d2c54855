"""SQL renderings of rounding, averages, substr and calendar arithmetic: the values SQL computes
equal Python's on SQLite and PostgreSQL, at the edges that differ between them (halves,
negative numbers, NULLs, month ends, weeks starting on Monday, quarters)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.expr import ExprError, evaluate, to_sql

METADATA = sa.MetaData()
ITEMS = sa.Table(
    "items",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("x", sa.Float),
    sa.Column("k", sa.BigInteger),
    sa.Column("s", sa.Text),
    sa.Column("d", sa.Date),
    sa.Column("ts", sa.DateTime),
)
COLUMNS = {c.name: c for c in ITEMS.c if c.name != "id"}
X = [2.5, -2.5, 0.125, -0.125, 1.005, 2.675, 0.5, -0.5, 1.4999, 1250.0, -1250.0, 0.0, None]
K = [1250, -1250, 1249, -1251, 15, -15, 7, 0, None]
S = ["abcdef", "华东大区", "", None]
D = [
    date(2024, 1, 31),
    date(2024, 2, 29),
    date(2025, 3, 31),
    date(2025, 6, 15),  # a Sunday
    date(2025, 6, 16),  # a Monday
    date(2025, 12, 31),
    date(2025, 11, 30),
    None,
]
TS = [
    datetime(2025, 1, 31, 23, 59, 59, 500000),
    datetime(2024, 2, 29, 12, 0, 0, 250),
    datetime(2025, 6, 15, 10, 30, 15),
    None,
]
CONTEXT = {"today": "2025-06-15", "now": "2025-06-15T12:00:00Z"}


def _rows() -> list[dict[str, Any]]:
    count = max(len(X), len(K), len(S), len(D), len(TS))
    return [
        {
            "id": i + 1,
            "x": X[i % len(X)],
            "k": K[i % len(K)],
            "s": S[i % len(S)],
            "d": D[i % len(D)],
            "ts": TS[i % len(TS)],
        }
        for i in range(count)
    ]


@pytest.fixture
def items(engine: sa.Engine) -> sa.Engine:
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(ITEMS.insert(), _rows())
    return engine


def _same(python: Any, sql: Any) -> bool:
    if isinstance(python, datetime) and isinstance(sql, datetime):
        return python.replace(tzinfo=None) == sql.replace(tzinfo=None)
    return bool(python == sql and (python is None) == (sql is None))


def assert_agrees(engine: sa.Engine, rule: Any) -> list[Any]:
    """Python's value of ``rule`` on every row equals the value SQL computes."""
    value = to_sql(rule, COLUMNS, CONTEXT, as_condition=False)
    with engine.connect() as conn:
        query = sa.select(ITEMS, value.label("value")).order_by(ITEMS.c.id)
        rows = [dict(row) for row in conn.execute(query).mappings()]
    got = [row.pop("value") for row in rows]
    expected = [evaluate(rule, row, CONTEXT) for row in rows]
    for row, python, sql in zip(rows, expected, got, strict=True):
        assert _same(python, sql), f"{rule} on {row}: Python {python!r}, SQL {sql!r}"
    return expected


def test_round_is_half_away_from_zero_in_python() -> None:
    assert evaluate({"round": [2.5]}) == 3
    assert evaluate({"round": [-2.5]}) == -3
    assert evaluate({"round": [0.125, 2]}) == 0.13
    assert evaluate({"round": [-0.125, 2]}) == -0.13
    assert evaluate({"round": [1.005, 2]}) == 1.01  # as written, like a spreadsheet
    assert evaluate({"round": [1250, -2]}) == 1300
    assert evaluate({"round": [None, 2]}) is None


@pytest.mark.parametrize("places", [0, 1, 2, 3, -1, -2])
def test_round_agrees_on_halves_and_negatives(items: sa.Engine, places: int) -> None:
    values = assert_agrees(items, {"round": [{"var": "x"}, places]})
    assert_agrees(items, {"round": [{"var": "k"}, places]})
    if places == 2:
        assert {0.13, -0.13, 1.01, 2.68} <= set(values)
    if places == 0:
        assert {3, -3, 1, -1} <= set(values)


def test_round_of_literals_halves(items: sa.Engine) -> None:
    for number in [2.5, -2.5, 0.125, -0.125]:
        assert_agrees(items, {"round": [{"+": [number, {"*": [{"var": "k"}, 0]}]}, 2]})
        assert_agrees(items, {"round": [{"+": [number, {"*": [{"var": "k"}, 0]}]}]})


@pytest.mark.parametrize("op", ["floor", "ceil"])
def test_floor_and_ceil(items: sa.Engine, op: str) -> None:
    assert_agrees(items, {op: [{"var": "x"}]})
    assert_agrees(items, {op: [{"var": "k"}]})
    assert_agrees(items, {op: [{"/": [{"var": "k"}, 7]}]})


def test_avg_skips_nulls(items: sa.Engine) -> None:
    assert_agrees(items, {"avg": [{"var": "x"}, {"var": "k"}, None]})
    values = assert_agrees(items, {"avg": [{"var": "x"}, None]})
    assert None in values  # nothing to average
    assert 2.5 in values
    assert_agrees(items, {"avg": [{"var": "k"}, 1, 2]})


@pytest.mark.parametrize(
    "args",
    [[0, 2], [2], [-2], [-3, 2], [1, -1], [-4, -1], [None, 3], [10], [2, 2.9], [0, -10]],
)
def test_substr_like_javascript(items: sa.Engine, args: list[Any]) -> None:
    assert_agrees(items, {"substr": [{"var": "s"}, *args]})


UNITS = ["year", "quarter", "month", "week", "day"]
TIME_UNITS = ["hour", "minute", "second"]


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("amount", [1, -1, 13, 0])
def test_date_add_clamps_to_month_ends(items: sa.Engine, unit: str, amount: int) -> None:
    assert_agrees(items, {"date_add": [{"var": "d"}, amount, unit]})
    assert_agrees(items, {"date_add": [{"var": "ts"}, amount, unit]})


@pytest.mark.parametrize("unit", TIME_UNITS)
def test_date_add_to_date_times(items: sa.Engine, unit: str) -> None:
    assert_agrees(items, {"date_add": [{"var": "ts"}, 90, unit]})
    assert_agrees(items, {"date_add": [{"var": "ts"}, -1, unit]})


def test_date_add_month_end_example() -> None:
    assert evaluate({"date_add": ["2025-01-31", 1, "month"]}) == date(2025, 2, 28)


@pytest.mark.parametrize("unit", UNITS + TIME_UNITS)
def test_start_of_periods(items: sa.Engine, unit: str) -> None:
    assert_agrees(items, {"start_of": [{"var": "d"}, unit]})
    assert_agrees(items, {"start_of": [{"var": "ts"}, unit]})


def test_weeks_start_on_monday_and_quarters_on_their_first_month(items: sa.Engine) -> None:
    weeks = assert_agrees(items, {"start_of": [{"var": "d"}, "week"]})
    assert date(2025, 6, 9) in weeks  # Sunday 15 June → Monday 9 June
    assert date(2025, 6, 16) in weeks  # a Monday is its own week's start
    quarters = assert_agrees(items, {"start_of": [{"var": "d"}, "quarter"]})
    assert {date(2025, 1, 1), date(2025, 4, 1), date(2025, 10, 1)} <= set(quarters)


@pytest.mark.parametrize("unit", UNITS + TIME_UNITS)
def test_date_diff(items: sa.Engine, unit: str) -> None:
    assert_agrees(items, {"date_diff": [{"var": "d"}, {"today": []}, unit]})
    assert_agrees(items, {"date_diff": [{"today": []}, {"var": "d"}, unit]})
    assert_agrees(items, {"date_diff": [{"var": "d"}, "2024-02-29", unit]})
    assert_agrees(items, {"date_diff": [{"var": "ts"}, {"now": []}, unit]})
    assert_agrees(items, {"date_diff": [{"now": []}, {"var": "ts"}, unit]})


def test_created_this_month_as_a_filter(items: sa.Engine) -> None:
    rule = {">=": [{"var": "d"}, {"start_of": [{"today": []}, "month"]}]}
    with items.connect() as conn:
        condition = to_sql(rule, COLUMNS, CONTEXT)
        got = list(conn.execute(sa.select(ITEMS.c.id).where(condition).order_by(ITEMS.c.id)))
    expected = [row["id"] for row in _rows() if evaluate(rule, row, CONTEXT)]
    assert [row[0] for row in got] == expected
    assert expected


@pytest.mark.parametrize(
    "rule",
    [
        {"lower": [{"var": "s"}]},
        {"upper": [{"var": "s"}]},
        {"round": [{"var": "x"}, {"var": "k"}]},  # decimals from a field
        {"substr": [{"var": "s"}, {"var": "k"}]},
        {"date_add": [{"var": "d"}, {"var": "k"}, "day"]},
        {"date_add": [{"var": "d"}, 1, "hour"]},  # hours added to a date field
        {"date_diff": [{"var": "d"}, {"var": "ts"}, "day"]},  # a date and a date-time
        {"start_of": [{"var": "d"}, {"var": "s"}]},
        {"date_add": [{"var": "d"}, 5000, "year"]},
    ],
)
def test_what_has_no_faithful_form_is_refused(rule: Any) -> None:
    with pytest.raises(ExprError) as refused:
        to_sql(rule, COLUMNS, CONTEXT, as_condition=False)
    assert refused.value.error_type == "No SQL Form"


def test_round_agrees_on_any_float(items: sa.Engine) -> None:
    """Floats of any size and digits (halves as written included) round alike in SQL."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    written_halves = st.integers(-(10**7), 10**7).map(lambda i: i / 1000 + 0.0005)
    floats = st.one_of(
        st.floats(-1e18, 1e18, allow_nan=False, allow_infinity=False),
        written_halves,
        st.integers(-(10**6), 10**6).map(lambda i: i / 8),
    )

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(floats, min_size=1, max_size=20), st.integers(-3, 6))
    def agree(numbers: list[float], places: int) -> None:
        with items.begin() as conn:
            conn.execute(ITEMS.delete())
            conn.execute(ITEMS.insert(), [{"id": i, "x": x} for i, x in enumerate(numbers, 1)])
        assert_agrees(items, {"round": [{"var": "x"}, places]})

    agree()
