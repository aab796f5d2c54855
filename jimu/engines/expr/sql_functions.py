"""SQL functions whose spelling differs between SQLite and PostgreSQL (``@compiles``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class TextPosition(FunctionElement[int]):
    """1-based position of ``part`` in ``text`` (0 when absent): ``instr`` / ``strpos``."""

    type = sa.Integer()
    inherit_cache = True
    name = "text_position"


@compiles(TextPosition)
def _position_default(element: TextPosition, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(TextPosition, "postgresql")
def _position_pg(element: TextPosition, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


class Greatest(FunctionElement[Any]):
    """The largest argument: SQLite's scalar ``max(a, b)`` / PostgreSQL's ``greatest``."""

    inherit_cache = True
    name = "greatest_of"


class Least(FunctionElement[Any]):
    inherit_cache = True
    name = "least_of"


@compiles(Greatest)
def _greatest_default(element: Greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(Greatest, "postgresql")
def _greatest_pg(element: Greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(Least)
def _least_default(element: Least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(Least, "postgresql")
def _least_pg(element: Least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"least({compiler.process(element.clauses, **kw)})"


class TrimChars(FunctionElement[str]):
    """``text`` without the given characters at either end: ``trim(x, c)`` / ``btrim(x, c)``."""

    type = sa.Text()
    inherit_cache = True
    name = "trim_chars"


@compiles(TrimChars)
def _trim_default(element: TrimChars, compiler: SQLCompiler, **kw: Any) -> str:
    return f"trim({compiler.process(element.clauses, **kw)})"


@compiles(TrimChars, "postgresql")
def _trim_pg(element: TrimChars, compiler: SQLCompiler, **kw: Any) -> str:
    return f"btrim({compiler.process(element.clauses, **kw)})"


class RightChars(FunctionElement[str]):
    """The last ``n`` (> 0) characters: ``substr(x, -n)`` / ``right(x, n)``."""

    type = sa.Text()
    inherit_cache = True
    name = "right_chars"


@compiles(RightChars)
def _right_default(element: RightChars, compiler: SQLCompiler, **kw: Any) -> str:
    text, count = list(element.clauses)
    return f"substr({compiler.process(text, **kw)}, -({compiler.process(count, **kw)}))"


@compiles(RightChars, "postgresql")
def _right_pg(element: RightChars, compiler: SQLCompiler, **kw: Any) -> str:
    return f"right({compiler.process(element.clauses, **kw)})"


class DatePart(FunctionElement[int]):
    """An integer part of a date: year, month, day, or ISO weekday (1 = Monday)."""

    type = sa.Integer()
    inherit_cache = True
    name = "date_part_of"
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own convention
        *FunctionElement._traverse_internals,
        ("part", InternalTraversal.dp_string),
    ]

    def __init__(self, part: str, value: ColumnElement[Any]) -> None:
        self.part = part
        super().__init__(value)


_SQLITE_PARTS = {"year": "%Y", "month": "%m", "day": "%d"}
_PG_PARTS = {"year": "YEAR", "month": "MONTH", "day": "DAY", "weekday": "ISODOW"}


@compiles(DatePart)
def _part_default(element: DatePart, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    if element.part == "weekday":
        return f"((CAST(strftime('%w', {value}) AS INTEGER) + 6) % 7 + 1)"
    return f"CAST(strftime('{_SQLITE_PARTS[element.part]}', {value}) AS INTEGER)"


@compiles(DatePart, "postgresql")
def _part_pg(element: DatePart, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT({_PG_PARTS[element.part]} FROM {value}) AS INTEGER)"


class CodepointOrder(ColumnElement[str]):
    """Text compared by code point: ``COLLATE "C"`` on PostgreSQL (SQLite's default already
    compares UTF-8 bytes, which is code point order)."""

    inherit_cache = True
    _traverse_internals = [("value", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, value: ColumnElement[Any]) -> None:
        self.value = value
        self.type = sa.Text()


@compiles(CodepointOrder)
def _order_default(element: CodepointOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.value, **kw))


@compiles(CodepointOrder, "postgresql")
def _order_pg(element: CodepointOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return f'({compiler.process(element.value, **kw)}) COLLATE "C"'


#: Lists at least this long are one array parameter on PostgreSQL (see :class:`OneOf`).
ARRAY_FROM = 16


class OneOf(ColumnElement[bool]):
    """``value IN (...)``; on PostgreSQL ``value = ANY(:array)``, the whole list as one array
    parameter. Same truth table (a NULL value, or no match with NULL in the list, is NULL), same
    index use; but 200 ids (a manager's department tree in a data scope) are one placeholder
    instead of 200 that SQLAlchemy renders and psycopg parses on every run."""

    inherit_cache = True
    #: A comparison: SQLite's WHERE takes it as is (no ``= 1``, which no index serves).
    _is_implicitly_boolean = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own convention
        ("listed", InternalTraversal.dp_clauseelement),
        ("value", InternalTraversal.dp_clauseelement),
        ("array", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self, value: ColumnElement[Any], options: list[Any], item: sa.types.TypeEngine[Any]
    ) -> None:
        self.listed = value.in_(options)
        self.value = value
        self.array = sa.bindparam(None, options, type_=postgresql.ARRAY(item))
        self.type = sa.Boolean()

    @property
    def _from_objects(self) -> list[Any]:
        return list(self.value._from_objects)


def one_of(value: ColumnElement[Any], options: list[Any]) -> ColumnElement[bool]:
    """``value IN options``: a :class:`OneOf` for a long list of integers compared with an
    integer column, or of texts with a text column (the array's type is then the column's)."""
    if len(options) >= ARRAY_FROM:
        if isinstance(value.type, sa.Integer) and all(o.__class__ is int for o in options):
            return OneOf(value, options, sa.BigInteger())
        if isinstance(value.type, sa.String) and all(o.__class__ is str for o in options):
            return OneOf(value, options, sa.Text())
    return value.in_(options)


@compiles(OneOf)
def _one_of_default(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.listed, **kw))


@compiles(OneOf, "postgresql")
def _one_of_pg(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.value, **kw)
    return f"({value} = ANY ({compiler.process(element.array, **kw)}))"
