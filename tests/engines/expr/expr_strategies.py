"""Hypothesis strategies: random records and random conditions over every operator that has a
SQL rendering (see test_differential.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st

METADATA = sa.MetaData()
TABLE = sa.Table(
    "records",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("i", sa.BigInteger),
    sa.Column("j", sa.BigInteger),
    sa.Column("f", sa.Float),
    sa.Column("n", sa.Numeric(12, 3)),
    sa.Column("s", sa.Text),
    sa.Column("t", sa.Text),
    sa.Column("b", sa.Boolean),
    sa.Column("d", sa.Date),
    sa.Column("ts", sa.DateTime),
)
COLUMNS = {c.name: c for c in TABLE.c if c.name != "id"}
NOW = datetime(2025, 6, 15, 12, 30, 0)
CONTEXT = {
    "now": "2025-06-15T12:30:00Z",
    "today": "2025-06-15",
    "user": {"id": 7, "department_ids": [1, 2, 3], "region": "华东", "tags": ["a", "华东"]},
}

SAMPLE_TEXT = ["", "a", "A", "ab", "ba", "abc", "华东", "华", "5", "10", "0", " x ", "a\tb", "É"]
WORDS = ["", "a", "b", "ab", "x", "华东", "华", "É", "é"]  # non-numeric (except "")
ORDER_WORDS = ["a", "b", "ab", "zz", "华东", "É", "A"]  # non-numeric, non-empty

characters = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")
texts = st.one_of(st.sampled_from(SAMPLE_TEXT), st.text(characters, max_size=4))
ints = st.integers(-1000, 1000)
# Rounded: PostgreSQL raises on float underflow (subnormal results), Python gives 0.0.
floats = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3))
dates = st.dates(date(2023, 1, 1), date(2027, 12, 31))
stamps = st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)


def nullable(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


records = st.fixed_dictionaries(
    {
        "i": nullable(st.one_of(st.sampled_from([0, 1, 2, 5, 10, -1]), ints)),
        "j": nullable(ints),
        "f": nullable(st.one_of(st.sampled_from([0.0, 0.5, 2.5, -1.5]), floats)),
        "n": nullable(st.decimals(-10000, 10000, places=3, allow_nan=False)),
        "s": nullable(texts),
        "t": nullable(texts),
        "b": nullable(st.booleans()),
        "d": nullable(
            st.one_of(
                st.sampled_from([date(2025, 6, 15), date(2025, 6, 1), date(2024, 1, 31)]),
                st.sampled_from([date(2024, 2, 29), date(2025, 3, 31), date(2025, 12, 31)]),
                dates,
            )
        ),
        "ts": nullable(
            st.one_of(
                stamps,
                st.sampled_from(
                    [
                        datetime(2025, 1, 31, 23, 59, 59, 500000),
                        datetime(2024, 2, 29, 12, 0, 0, 250),
                    ]
                ),
            )
        ),
    }
)


# -- values by kind ---------------------------------------------------------------------------
def op(name: str, args: Any) -> dict[str, Any]:
    return {name: args}


def var(name: str) -> dict[str, Any]:
    return op("var", name)


int_fields = st.sampled_from(["i", "j"]).map(var)
number_fields = st.one_of(int_fields, st.just(var("f")), st.just(var("n")), st.just(op("val", "f")))
plain_numbers = st.sampled_from(["i", "j", "f", "n"]).map(var)
number_literals = st.one_of(ints, floats, st.sampled_from([0, 1, 2.5, -3]))
nonzero = st.one_of(st.integers(1, 9), st.integers(-9, -1), st.sampled_from([0.5, 2.0, -4.0]))
text_fields = st.sampled_from(["s", "t"]).map(var)
date_literals = st.dates(date(2023, 1, 1), date(2027, 12, 31)).map(date.isoformat)
stamp_literals = st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0).isoformat() + "Z"
)
units = st.sampled_from(["year", "quarter", "month", "week", "day"])
time_units = st.sampled_from(["day", "hour", "minute", "week", "month"])


def numbers(depth: int) -> st.SearchStrategy[Any]:
    base = st.one_of(number_fields, number_literals)
    if depth <= 0:
        return base
    return st.one_of(base, number_operations(depth))


def by_name(strategies: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Pick the operator first (uniformly), then its arguments: every operator shows up."""
    return st.sampled_from(sorted(strategies)).flatmap(strategies.__getitem__)


def number_operations(depth: int) -> st.SearchStrategy[Any]:
    """A number computed by one of the number operators (over smaller values)."""
    return by_name(number_table(depth))


def number_table(depth: int) -> dict[str, st.SearchStrategy[Any]]:
    inner = numbers(depth - 1)
    made: dict[str, st.SearchStrategy[Any]] = {
        name: st.tuples(inner, inner).map(lambda x, name=name: op(name, [x[0], x[1]]))
        for name in ["+", "-", "*", "max", "min", "sum"]
    }
    made.update(
        {
            "neg": inner.map(lambda x: op("-", [x])),
            "/": st.tuples(inner, nonzero).map(lambda x: op("/", [x[0], x[1]])),
            "%": st.tuples(int_fields, st.integers(1, 7)).map(lambda x: op("%", [x[0], x[1]])),
            "abs": inner.map(lambda x: op("abs", x)),
            "length": texts_of(depth - 1).map(lambda x: op("length", [x])),
            "if": st.tuples(conditions(depth - 1), inner, inner).map(lambda x: op("if", list(x))),
            "??": st.tuples(plain_numbers, number_literals).map(lambda x: op("??", list(x))),
            "coalesce": st.tuples(plain_numbers, number_literals).map(
                lambda x: op("coalesce", list(x))
            ),
            "var": number_literals.map(lambda x: op("var", ["i", x])),
            "preserve": number_literals.map(lambda x: op("preserve", x)),
        }
    )
    made.update(
        {
            "round": st.tuples(inner, st.integers(-2, 3)).map(lambda x: op("round", list(x))),
            "round whole": inner.map(lambda x: op("round", [x])),
            "floor": inner.map(lambda x: op("floor", [x])),
            "ceil": inner.map(lambda x: op("ceil", [x])),
            "avg": st.lists(st.one_of(inner, st.none()), min_size=1, max_size=3).map(
                lambda x: op("avg", x)
            ),
            "date_diff": st.tuples(dated(), dated(), all_units).map(
                lambda x: op("date_diff", list(x))
            ),
            "date_diff time": st.tuples(timed(), timed(), all_units).map(
                lambda x: op("date_diff", list(x))
            ),
        }
    )
    for part in ["year", "month", "day", "weekday"]:
        made[part] = st.just(None).map(lambda _, part=part: op(part, [var("d")]))
        made[f"{part} of a period"] = dated().map(lambda x, part=part: op(part, [x]))
    return made


all_units = st.sampled_from(["year", "quarter", "month", "week", "day", "hour", "minute", "second"])
amounts = st.one_of(st.integers(-30, 30), st.sampled_from([1, -1, 12, 0, 2.7]))


def dated() -> st.SearchStrategy[Any]:
    """A date: the date field, a date literal, or a date moved or cut to a period's start."""
    base = st.one_of(st.just(var("d")), date_literals, st.just(op("today", [])))
    return st.one_of(
        base,
        st.tuples(base, amounts, units).map(lambda x: op("date_add", list(x))),
        st.tuples(base, units).map(lambda x: op("start_of", list(x))),
    )


def timed() -> st.SearchStrategy[Any]:
    """A date-time: the field, now, or a date-time moved or cut to a period's start."""
    base = st.one_of(st.just(var("ts")), st.just(op("now", [])), stamp_literals)
    return st.one_of(
        base,
        st.tuples(base, amounts, all_units).map(lambda x: op("date_add", list(x))),
        st.tuples(base, all_units).map(lambda x: op("start_of", list(x))),
    )


def texts_of(depth: int) -> st.SearchStrategy[Any]:
    base = st.one_of(text_fields, st.sampled_from(WORDS))
    if depth <= 0:
        return base
    return st.one_of(base, text_operations(depth))


def text_operations(depth: int) -> st.SearchStrategy[Any]:
    """A text computed by one of the text operators (over smaller values)."""
    return by_name(text_table(depth))


def text_table(depth: int) -> dict[str, st.SearchStrategy[Any]]:
    inner = texts_of(depth - 1)
    return dict(
        {
            "cat": st.tuples(inner, inner).map(lambda x: op("cat", list(x))),
            "trim": inner.map(lambda x: op("trim", [x])),
            "replace": st.tuples(
                inner, st.sampled_from(["a", "", "华"]), st.sampled_from(["", "b", "xx"])
            ).map(lambda x: op("replace", list(x))),
            "left": st.tuples(inner, st.integers(0, 4)).map(lambda x: op("left", list(x))),
            "right": st.tuples(inner, st.integers(0, 4)).map(lambda x: op("right", list(x))),
            "??": st.tuples(text_fields, st.sampled_from(WORDS)).map(lambda x: op("??", list(x))),
            "if": st.tuples(conditions(depth - 1), inner, inner).map(lambda x: op("if", list(x))),
            "context": st.just(None).map(lambda _: op("var", "$user.region")),
            "substr": st.tuples(
                inner,
                st.one_of(st.integers(-5, 5), st.none()),
                st.one_of(st.integers(-5, 5), st.just(2.5)),
            ).map(lambda x: op("substr", list(x))),
            "substr to the end": st.tuples(inner, st.integers(-5, 5)).map(
                lambda x: op("substr", list(x))
            ),
        }
    )


def _compare(pair: st.SearchStrategy[tuple[Any, Any]], ops: list[str]) -> st.SearchStrategy[Any]:
    return st.tuples(st.sampled_from(ops), pair).map(lambda x: op(x[0], [x[1][0], x[1][1]]))


EQUALITY = ["==", "!=", "===", "!=="]
ORDERING = ["<", "<=", ">", ">="]
ALL_CMP = EQUALITY + ORDERING


def comparisons(depth: int) -> st.SearchStrategy[Any]:
    return by_name(comparison_table(depth))


def comparison_table(depth: int) -> dict[str, st.SearchStrategy[Any]]:
    num, txt = st.one_of(numbers(depth), st.just(var("b"))), texts_of(depth)
    dates_ = by_name(
        {
            "field": st.just(var("d")),
            "text": date_literals,
            "today": st.just(None).map(lambda _: op("today", [])),
            "date": date_literals.map(lambda x: op("date", [x])),
        }
    )
    return dict(
        {
            "number": _compare(st.tuples(num, num), ALL_CMP),
            "numeric text": _compare(
                st.tuples(num, st.sampled_from(["5", "0", "", "2.5"])), ALL_CMP
            ),
            "text": _compare(st.tuples(txt, txt), EQUALITY),
            "text order": _compare(st.tuples(text_fields, st.sampled_from(ORDER_WORDS)), ORDERING),
            "text order flipped": _compare(
                st.tuples(st.sampled_from(ORDER_WORDS), text_fields), ORDERING
            ),
            "date": _compare(st.tuples(st.just(var("d")), dates_), ALL_CMP),
            "datetime": _compare(st.tuples(st.just(var("ts")), st.just(op("now", []))), ALL_CMP),
            "period": _compare(st.tuples(dated(), dated()), ALL_CMP),
            "time period": _compare(st.tuples(timed(), timed()), ALL_CMP),
            "null": _compare(
                st.tuples(st.sampled_from([var("i"), var("s"), var("d"), var("b")]), st.none()),
                EQUALITY,
            ),
            "null order": _compare(
                st.tuples(st.none(), st.sampled_from([var("i"), var("d"), var("ts"), var("b")])),
                ORDERING,
            ),
            "boolean": _compare(
                st.tuples(
                    st.just(var("b")), st.one_of(st.booleans(), st.just(var("b")), int_fields)
                ),
                ALL_CMP,
            ),
            "between": st.tuples(
                st.sampled_from(["<", "<="]), number_literals, num, number_literals
            ).map(lambda x: op(x[0], [x[1], x[2], x[3]])),
        }
    )


def conditions(depth: int) -> st.SearchStrategy[Any]:
    return by_name(condition_table(depth))


def leaf_table(depth: int) -> dict[str, st.SearchStrategy[Any]]:
    fields = st.sampled_from(["i", "f", "s", "b", "d", "ts"]).map(var)
    return {
        "compare": comparisons(max(depth - 1, 0)),
        "field": fields,
        "!!": fields.map(lambda x: op("!!", [x])),
        "blank": st.tuples(st.sampled_from(["is_blank", "is_not_blank"]), fields).map(
            lambda x: op(x[0], [x[1]])
        ),
        "in text list": st.tuples(text_fields, st.lists(st.sampled_from(WORDS), max_size=3)).map(
            lambda x: op("in", list(x))
        ),
        "in number list": st.tuples(
            int_fields, st.lists(st.sampled_from([0, 1, 5, 2.0, True, "1", None]), max_size=3)
        ).map(lambda x: op("in", list(x))),
        "in text": st.tuples(st.sampled_from(WORDS), text_fields).map(lambda x: op("in", list(x))),
        "in_list": st.tuples(
            st.sampled_from(["in_list", "not_in_list"]),
            st.sampled_from([var("i"), var("s")]),
            st.sampled_from([var("$user.department_ids"), var("$user.tags"), [1, "a", None], []]),
        ).map(lambda x: op(x[0], [x[1], x[2]])),
        "text test": st.tuples(
            st.sampled_from(["contains", "not_contains", "starts_with", "ends_with"]),
            st.one_of(texts_of(max(depth - 1, 0)), st.none()),
            st.one_of(st.sampled_from(WORDS), st.none(), text_fields),
        ).map(lambda x: op(x[0], [x[1], x[2]])),
        "within date": st.tuples(
            st.sampled_from(["within_last", "within_next"]), st.integers(0, 400), units
        ).map(lambda x: op(x[0], [var("d"), x[1], x[2]])),
        "within time": st.tuples(
            st.sampled_from(["within_last", "within_next"]), st.integers(0, 400), time_units
        ).map(lambda x: op(x[0], [var("ts"), x[1], x[2]])),
    }


def condition_table(depth: int) -> dict[str, st.SearchStrategy[Any]]:
    leaves = leaf_table(depth)
    if depth <= 0:
        return leaves
    inner = conditions(depth - 1)
    return dict(
        {
            "leaf": by_name(leaves),
            "and": st.lists(inner, min_size=1, max_size=3).map(lambda x: op("and", x)),
            "or": st.lists(inner, min_size=1, max_size=3).map(lambda x: op("or", x)),
            "!": inner.map(lambda x: op("!", [x])),
            "if": st.tuples(inner, inner, inner).map(lambda x: op("if", list(x))),
            "?:": st.tuples(inner, inner, inner).map(lambda x: op("?:", list(x))),
        }
    )


# Rules pick a family first, so every operator shows up: general conditions (and/or/!/if
# over leaves), every kind of comparison and leaf test, and comparisons of each computed
# number and text.
FAMILIES: dict[str, st.SearchStrategy[Any]] = {
    **{f"condition {k}": v for k, v in condition_table(2).items()},
    **{f"leaf {k}": v for k, v in leaf_table(1).items()},
    **{f"comparison {k}": v for k, v in comparison_table(1).items()},
    **{
        f"number {k}": _compare(st.tuples(v, numbers(1)), ALL_CMP)
        for k, v in number_table(1).items()
    },
    **{
        f"text {k}": _compare(st.tuples(v, texts_of(1)), EQUALITY) for k, v in text_table(1).items()
    },
}
rules = by_name(FAMILIES)
values = st.one_of(numbers(2), texts_of(2))


# -- any rule the grammar allows ---------------------------------------------------------------
ANY_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, -1.5, 2.0]),
    st.sampled_from(
        [
            "",
            "a",
            "1",
            "2.5",
            "2025-06-15",
            "2025-06-15T10:00:00Z",
            "day",
            "month",
            "hour",
            "华东",
            "$user.id",
            "$user.region",
        ]
    ),
)


def any_rules(operator_names: list[str]) -> st.SearchStrategy[Any]:
    """Rules built from any of ``operator_names`` over fields and literals, with no regard for
    kinds: most have no SQL form (to_sql refuses them); the rest must agree with Python."""
    fields = st.sampled_from(sorted(COLUMNS)).map(var)
    return st.recursive(
        st.one_of(ANY_SCALARS, fields),
        lambda inner: st.one_of(
            st.lists(ANY_SCALARS, max_size=3),
            st.tuples(
                st.sampled_from(operator_names),
                st.one_of(inner, st.lists(inner, min_size=1, max_size=3)),
            ).map(lambda pair: op(pair[0], pair[1])),
        ),
        max_leaves=8,
    )
