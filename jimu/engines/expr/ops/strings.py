"""Text: ``cat substr`` and the business helpers ``contains not_contains starts_with
ends_with lower upper trim length matches replace left right``, plus the blank tests
``is_blank is_not_blank`` (Python side).

A null text is treated as "nothing": it contains nothing, starts with nothing, has length 0.
Numbers and booleans are written as JavaScript writes them (``1.0`` is ``"1"``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.values import js_text, strict_eq, to_number

TRIMMED = " \t\n\r"


def cat(*values: Any) -> str:
    return "".join(js_text(value) for value in values)


def substr(value: Any, start: Any = 0, length: Any = None) -> str:
    text = js_text(value)
    size = len(text)
    begin = int(to_number(start))
    if begin < 0:
        begin = max(0, size + begin)
    if length is None:
        return text[begin:]
    count = int(to_number(length))
    end = max(0, size + count) if count < 0 else begin + count  # never wraps around
    return text[begin:end]


def _text(value: Any) -> str | None:
    return None if value is None else js_text(value)


def contains(value: Any, part: Any) -> bool:
    """A text containing ``part``, or a list (multi-select) holding it."""
    if value.__class__ is list:
        return any(strict_eq(item, part) for item in value)
    text, piece = _text(value), _text(part)
    return text is not None and piece is not None and piece in text


def not_contains(value: Any, part: Any) -> bool:
    return not contains(value, part)


def starts_with(value: Any, prefix: Any) -> bool:
    text, piece = _text(value), _text(prefix)
    return text is not None and piece is not None and text.startswith(piece)


def ends_with(value: Any, suffix: Any) -> bool:
    text, piece = _text(value), _text(suffix)
    return text is not None and piece is not None and text.endswith(piece)


def lower(value: Any) -> str | None:
    text = _text(value)
    return None if text is None else text.lower()


def upper(value: Any) -> str | None:
    text = _text(value)
    return None if text is None else text.upper()


def trim(value: Any) -> str | None:
    """Spaces, tabs and line breaks removed from both ends."""
    text = _text(value)
    return None if text is None else text.strip(TRIMMED)


def length(value: Any) -> int:
    """Characters of a text, items of a list; null is 0."""
    if value is None:
        return 0
    if value.__class__ is list:
        return len(value)
    return len(js_text(value))


@lru_cache(maxsize=256)
def _pattern(regex: str) -> re.Pattern[str]:
    try:
        return re.compile(regex)
    except re.error as exc:
        raise ExprError(f"invalid regular expression {regex!r}: {exc}") from exc


def matches(value: Any, regex: Any) -> bool:
    text = _text(value)
    return text is not None and regex is not None and bool(_pattern(js_text(regex)).search(text))


def replace(value: Any, old: Any, new: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    piece = js_text(old)
    return text if piece == "" else text.replace(piece, js_text(new))


def left(value: Any, count: Any) -> str | None:
    text = _text(value)
    return None if text is None else text[: max(0, int(to_number(count)))]


def right(value: Any, count: Any) -> str | None:
    text = _text(value)
    n = max(0, int(to_number(count)))
    return None if text is None else (text[-n:] if n else "")


def is_blank(value: Any) -> bool:
    """Null, empty text or an empty list."""
    return value is None or value == "" or value == []


def is_not_blank(value: Any) -> bool:
    return not is_blank(value)
