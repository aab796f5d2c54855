"""Deciding exactly which rows of a decision table can match together.

Every cell kind compares its input with literals only (=, ≠, in, <, between, is empty ...), so
along one input the cells cut the input's values into finitely many pieces on which every cell
is either true or false throughout: each literal, each open stretch between two neighbouring
literals, below the smallest, above the largest, and the empty value (``null``, and ``""`` for
text). One *representative* value per piece is enough: a cell holds on the piece iff it holds on
its representative, found by running the cell's compiled JsonLogic (so the expression language's
own rules decide, ``null == 0`` included). Choices and booleans have finite domains (the
options, true/false, plus empty); whole numbers and dates are discrete (no value between 3 and
4, or between two neighbouring days).

A row is then, per input, the set of pieces its cell accepts (a bit mask). Two rows overlap iff
on every input their masks intersect; a row is unreachable in a ``first`` table iff the boxes of
the rows above it cover its box, which :func:`uncovered` decides by box subtraction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from jimu.engines.expr import ExprError
from jimu.engines.expr import compile as compile_expr

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
#: Boxes kept while subtracting rows before giving up on an unreachable-row check.
MAX_BOXES = 20_000


@dataclass(frozen=True)
class Domain:
    """One input's values as the cells see them: the name the cells read, its value type,
    its options (choices) and whether it holds whole numbers only."""

    name: str
    value_type: str
    options: tuple[str, ...] | None = None
    integer: bool = False


def representatives(domain: Domain, literals: Sequence[Any]) -> list[Any]:
    """One value per piece of ``domain`` that the ``literals`` cut it into."""
    if domain.options is not None:
        return [None, *domain.options]
    if domain.value_type == "boolean":
        return [None, True, False]
    if domain.value_type == "number":
        numbers = [float(v) for v in literals if isinstance(v, int | float)]
        return [None, *_numbers(numbers, domain.integer)]
    if domain.value_type == "date":
        days = [date.fromisoformat(v) for v in literals if isinstance(v, str)]
        return [None, *(d.isoformat() for d in _discrete(days, timedelta(days=1)))]
    if domain.value_type == "datetime":
        moments = [_moment(v) for v in literals if isinstance(v, str)]
        return [None, *(m.isoformat() for m in _continuous(moments, _EPOCH))]
    texts = sorted({v for v in literals if isinstance(v, str)} | {""})
    return [None, *_texts(texts)]


def _moment(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _numbers(values: list[float], integer: bool) -> list[Any]:
    if not integer:
        return [_whole(v) for v in _continuous(values, 0.0)]
    points = sorted({p for v in values for p in (math.floor(v), math.ceil(v))} or {0})
    return [int(v) for v in _discrete(points, 1)]


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _continuous(points: list[Any], default: Any) -> list[Any]:
    """The points, a value between each two neighbours, one below and one above (or a default
    when there are none)."""
    ordered = sorted(set(points))
    if not ordered:
        return [default]
    out = [_below(ordered[0])]
    for low, high in pairwise(ordered):
        out += [low, low + (high - low) / 2]
    return [*out, ordered[-1], _above(ordered[-1])]


def _below(value: Any) -> Any:
    return value - (timedelta(days=1) if isinstance(value, datetime) else 1)


def _above(value: Any) -> Any:
    return value + (timedelta(days=1) if isinstance(value, datetime) else 1)


def _discrete(points: Sequence[Any], step: Any) -> list[Any]:
    """Whole steps: the points, the next value after each when it is not the next point, one
    below the smallest (or a default when there are none)."""
    ordered = sorted(set(points))
    if not ordered:
        return [date(2000, 1, 1)] if isinstance(step, timedelta) else [0]
    out = [ordered[0] - step]
    for here, nxt in zip(ordered, [*ordered[1:], None], strict=True):
        out.append(here)
        if nxt is None or here + step < nxt:
            out.append(here + step)
    return out


def _texts(ordered: list[str]) -> list[str]:
    """Texts by code point: each literal and a text just after it (before the next one)."""
    out: list[str] = []
    for here, nxt in zip(ordered, [*ordered[1:], None], strict=True):
        out.append(here)
        after = here + "\x00"
        if nxt is None or after < nxt:
            out.append(after)
    return out


def cell_mask(
    test: Callable[[dict[str, Any]], Any] | None, name: str, values: Sequence[Any]
) -> int:
    """The pieces (bits, by the index of their representative) on which a cell holds."""
    if test is None:
        return (1 << len(values)) - 1
    mask = 0
    for index, value in enumerate(values):
        try:
            holds = bool(test({name: value}))
        except ExprError:
            holds = False
        if holds:
            mask |= 1 << index
    return mask


def compile_cell(cell: Any) -> Callable[[dict[str, Any]], Any] | None:
    if cell is None:
        return None
    function: Callable[[dict[str, Any]], Any] = compile_expr(cell)
    return function


Box = tuple[int, ...]


def overlaps(a: Box, b: Box) -> bool:
    return all(x & y for x, y in zip(a, b, strict=True))


def uncovered(box: Box, covers: Sequence[Box]) -> bool | None:
    """Whether part of ``box`` is outside every box of ``covers`` (None: too many pieces to
    decide within :data:`MAX_BOXES`)."""
    if not all(box):
        return False
    remaining = [box]
    for cover in covers:
        nxt: list[Box] = []
        for piece in remaining:
            nxt.extend(_subtract(piece, cover))
        remaining = nxt
        if not remaining:
            return False
        if len(remaining) > MAX_BOXES:
            return None
    return True


def _subtract(piece: Box, cover: Box) -> list[Box]:
    """``piece`` minus ``cover`` as disjoint boxes."""
    if not overlaps(piece, cover):
        return [piece]
    out: list[Box] = []
    kept = list(piece)
    for axis, (mine, theirs) in enumerate(zip(piece, cover, strict=True)):
        outside = mine & ~theirs
        if outside:
            out.append((*kept[:axis], outside, *piece[axis + 1 :]))
        kept[axis] = mine & theirs
    return out


def witness(a: Box, b: Box, values: Sequence[Sequence[Any]]) -> list[Any]:
    """One value per input that both boxes accept (they must overlap)."""
    out = []
    for x, y, column in zip(a, b, values, strict=True):
        both = x & y
        out.append(column[(both & -both).bit_length() - 1])
    return out
