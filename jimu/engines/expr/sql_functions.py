"""SQL functions whose spelling differs between SQLite and PostgreSQL (``@compiles``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
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
