"""JsonLogic value semantics: truthiness, numbers, equality, ordering, text conversion.

These are the rules the Python evaluator and the SQL rendering both follow (docs/expr.md,
"Values"). Dates and date-times take part in comparisons: comparing one with an ISO string
compares as dates.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jimu.engines.expr.dates import as_aware, parse_temporal
from jimu.engines.expr.errors import nan_error

NUMBER_TYPES = (int, float, Decimal)
_JS_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$")
_JS_INT = re.compile(r"^[+-]?\d+$")


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: ``[]``, ``""``, ``0``, ``NaN``, ``false`` and ``null`` are false."""
    cls = value.__class__
    if cls is bool:
        return bool(value)
    if cls is dict:
        return True
    if cls is float:
        return bool(value == value and value != 0.0)
    return bool(value)


def is_number(value: Any) -> bool:
    return value.__class__ in NUMBER_TYPES


def numeric_text(text: str) -> int | float | None:
    """The number a string spells the way JavaScript's ``Number()`` reads it, else ``None``."""
    stripped = text.strip()
    if stripped == "":
        return 0
    if _JS_INT.match(stripped):
        return int(stripped)
    if _JS_NUMBER.match(stripped):
        return float(stripped)
    return None


def to_number(value: Any) -> int | float:
    """Coerce to a number: ``null`` and ``false`` are 0, ``true`` 1, numeric text its number."""
    cls = value.__class__
    if cls is int or cls is float:
        return value  # type: ignore[no-any-return]
    if cls is bool:
        return int(value)
    if value is None:
        return 0
    if cls is str:
        number = numeric_text(value)
        if number is None:
            raise nan_error(f"{value!r} is not a number")
        return number
    if cls is Decimal:  # NUMERIC columns: computed in binary floating point, like SQL's double
        return float(value)
    raise nan_error(f"{js_text(value)!r} is not a number")


def finite(number: float) -> int | float:
    """A result that is NaN or infinite is an error, as in the JsonLogic suite."""
    if number != number or number in (math.inf, -math.inf):
        raise nan_error("the result is not a finite number")
    return number


def _temporal_pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Both sides as comparable dates/date-times when either side is one, else ``None``."""
    a_is = isinstance(a, date)
    b_is = isinstance(b, date)
    if not (a_is or b_is):
        return None
    if a_is and b_is:
        return _align(a, b)
    other = b if a_is else a
    if other.__class__ is str:
        parsed = parse_temporal(other)
        if parsed is None:
            raise nan_error(f"{other!r} is not a date")
        return _align(a, parsed) if a_is else _align(parsed, b)
    if other is None:
        return (a, None) if a_is else (None, b)
    raise nan_error(f"cannot compare a date with {js_text(other)!r}")


def _align(a: Any, b: Any) -> tuple[Any, Any]:
    a_dt = isinstance(a, datetime)
    b_dt = isinstance(b, datetime)
    if a_dt == b_dt:
        return (as_aware(a), as_aware(b)) if a_dt else (a, b)
    if a_dt:
        return as_aware(a), as_aware(datetime(b.year, b.month, b.day))
    return as_aware(datetime(a.year, a.month, a.day)), as_aware(b)


def _structured(value: Any) -> bool:
    return value.__class__ in (list, dict)


def loose_eq(a: Any, b: Any) -> bool:
    """``==``: text with text compares as text, dates as dates, anything else as numbers.

    ``null`` equals ``null``, and equals ``0``/``false`` (as numbers); it never equals text.
    Lists and objects cannot be compared (error ``NaN``).
    """
    if a.__class__ is str and b.__class__ is str:
        return a == b
    if a is None and b is None:
        return True
    pair = _temporal_pair(a, b)
    if pair is not None:
        return pair[0] is not None and pair[1] is not None and pair[0] == pair[1]
    if _structured(a) or _structured(b):
        raise nan_error("lists and objects cannot be compared")
    if (a is None and b.__class__ is str) or (b is None and a.__class__ is str):
        return False
    return to_number(a) == to_number(b)


def strict_eq(a: Any, b: Any) -> bool:
    """``===``: same kind of value and equal (1 and 1.0 are the same number; true is not 1)."""
    ca, cb = a.__class__, b.__class__
    if ca is bool or cb is bool:
        return ca is cb and a == b
    if ca in NUMBER_TYPES and cb in NUMBER_TYPES:
        if ca is Decimal or cb is Decimal:
            return float(a) == float(b)
        return a == b  # type: ignore[no-any-return]
    if ca is not cb and not (isinstance(a, date) and isinstance(b, date)):
        return False
    return a == b  # type: ignore[no-any-return]


def compare(a: Any, b: Any) -> int | None:
    """Order two values: -1, 0 or 1, or ``None`` when they are unordered (a null date, or
    null against text that is not a number). Text with text compares by code point."""
    if a.__class__ is str and b.__class__ is str:
        return -1 if a < b else (1 if a > b else 0)
    pair = _temporal_pair(a, b)
    if pair is not None:
        x, y = pair
        if x is None or y is None:
            return None
        return -1 if x < y else (1 if x > y else 0)
    if _structured(a) or _structured(b):
        raise nan_error("lists and objects cannot be compared")
    if a is None and b.__class__ is str and numeric_text(b) is None:
        return None
    if b is None and a.__class__ is str and numeric_text(a) is None:
        return None
    x, y = to_number(a), to_number(b)
    return -1 if x < y else (1 if x > y else 0)


def lt(a: Any, b: Any) -> bool:
    c = compare(a, b)
    return c is not None and c < 0


def le(a: Any, b: Any) -> bool:
    c = compare(a, b)
    return c is not None and c <= 0


def gt(a: Any, b: Any) -> bool:
    c = compare(a, b)
    return c is not None and c > 0


def ge(a: Any, b: Any) -> bool:
    c = compare(a, b)
    return c is not None and c >= 0


def js_number_text(number: float) -> str:
    if number.__class__ is int:
        return str(number)
    if number != number:
        return "NaN"
    if number in (math.inf, -math.inf):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text


def js_text(value: Any) -> str:
    """Text the way JavaScript's ``String()`` writes a value (``null`` is empty text)."""
    cls = value.__class__
    if cls is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if cls is bool:
        return "true" if value else "false"
    if cls is int or cls is float:
        return js_number_text(value)
    if cls is list:
        return ",".join(js_text(item) for item in value)
    if cls is dict:
        return "[object Object]"
    if isinstance(value, datetime):
        return as_aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
