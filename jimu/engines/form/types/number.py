"""Numeric field types: number, decimal, money, percent, rating.

Decimal, money and percent are exact: they are stored as SQL ``NUMERIC(precision, scale)``,
travel as JSON strings with exactly ``scale`` decimals, and refuse input with more decimals
than the scale instead of rounding silently. A percent is stored as the number of percent
(``12.5`` means 12.5 %).

The JSON API takes a decimal as a string (``"1234.50"``, exact at any precision) or as a JSON
number of at most 15 significant digits: a double, which JSON numbers become, holds no more
exactly, so a longer one might already have been rounded on its way and is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.engines.form.model import Field
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue
from jimu.engines.form.types.json_input import JsonCheck, type_check

#: Significant decimal digits every double holds exactly (``sys.float_info.dig``).
EXACT_FLOAT_DIGITS = 15

_BOUNDS = {"min": {"type": ["number", "string"]}, "max": {"type": ["number", "string"]}}
#: The whole numbers a whole-number field holds (its column is a 64-bit BIGINT).
INTEGER_MIN, INTEGER_MAX = -(2**63), 2**63 - 1


class NumberType(FieldType):
    name = "number"
    label: ClassVar = {"en": "Number", "zh": "数字"}
    widget = "number"
    params: ClassVar = {**_BOUNDS, "integer": {"type": "boolean"}}
    ordered = True

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        if field.get("integer"):
            return sa.BigInteger()
        return sa.Double()

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        integer = bool(field.get("integer"))

        def parse(value: Any) -> int | float:
            if isinstance(value, bool):
                raise InvalidValue("must be a number", "type")
            if isinstance(value, str):
                text = value.strip().replace(",", "")
                try:
                    value = int(text) if integer and text.lstrip("+-").isdigit() else float(text)
                except ValueError:
                    raise InvalidValue("must be a number", "type") from None
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise InvalidValue("must be a number", "type")
            if integer:
                if isinstance(value, float) and not value.is_integer():
                    raise InvalidValue("must be a whole number", "type")
                whole = int(value)
                if not INTEGER_MIN <= whole <= INTEGER_MAX:  # a BIGINT column holds it
                    raise InvalidValue(f"must be between {INTEGER_MIN} and {INTEGER_MAX}", "max")
                return whole
            return float(value)

        return parse

    def dumper(self, field: Field, ctx: FieldContext) -> Converter:
        def dump(value: Any) -> int | float:
            if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
                return int(value)
            return value  # type: ignore[no-any-return]

        return dump

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "integer" if field.get("integer") else "number"}


@lru_cache(maxsize=64)
def _quantum(scale: int) -> Decimal:
    return Decimal(1).scaleb(-scale)


def parse_decimal(value: Any, scale: int, precision: int) -> Decimal:
    """``value`` (a JSON number or string) as a Decimal with ``scale`` decimals, exactly."""
    kind = type(value)
    if kind is str:
        text = value.strip().replace(",", "")
    elif kind is Decimal:
        text = str(value)
    elif (
        kind is int
        or kind is float
        or (isinstance(value, int | float | Decimal) and not isinstance(value, bool))
    ):
        text = str(value) if isinstance(value, Decimal) else repr(value)
    else:
        raise InvalidValue("must be a number", "type")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidValue("must be a number", "type") from None
    if not number.is_finite():
        raise InvalidValue("must be a number", "type")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    too_long = f"must have at most {precision - scale} digits before the point"
    if exponent != -scale:
        quantum = _quantum(scale)
        try:
            quantized = number.quantize(quantum)
        except InvalidOperation:  # more digits than the decimal context holds
            raise InvalidValue(too_long) from None
        if -exponent > scale and number != quantized:
            raise InvalidValue(f"must have at most {scale} decimal places", "scale")
        number = quantized
    # digits of the number with ``scale`` decimals = adjusted() + 1 + scale (when >= 1)
    if number and number.adjusted() >= precision - scale:
        raise InvalidValue(too_long)
    return number


def plain_decimal(scale: int, precision: int) -> Callable[[str], object]:
    """A test for text already in stored form: an optional minus, at most ``precision -
    scale`` digits, then exactly ``scale`` decimals (what forms and exports send), which
    ``Decimal`` takes as it is; anything else goes through :func:`parse_decimal`."""
    whole = rf"[0-9]{{1,{precision - scale}}}" if precision > scale else "0"
    decimals = rf"\.[0-9]{{{scale}}}" if scale else ""
    return re.compile(rf"-?{whole}{decimals}").fullmatch


_decimal_types = type_check(["string", "number"])


def exact_decimal_check(value: Any) -> None:
    """A JSON string or number; a fractional JSON number (a double) only if it has at most
    :data:`EXACT_FLOAT_DIGITS` significant digits, so it is the number the client wrote."""
    _decimal_types(value)
    if value.__class__ is float and math.isfinite(value):
        digits = Decimal(repr(value)).normalize().as_tuple().digits
        if len(digits) > EXACT_FLOAT_DIGITS:
            raise InvalidValue(
                f"has more than {EXACT_FLOAT_DIGITS} significant digits, more than a JSON number"
                " carries exactly: send it as a string",
                "inexact_number",
            )


class DecimalType(FieldType):
    name = "decimal"
    label: ClassVar = {"en": "Decimal", "zh": "小数"}
    widget = "decimal"
    params: ClassVar = {
        **_BOUNDS,
        "precision": {"type": "integer", "minimum": 1, "maximum": 38},
        "scale": {"type": "integer", "minimum": 0, "maximum": 12},
    }
    ordered = True
    default_precision = 18
    default_scale = 2

    def precision(self, field: Field) -> int:
        return int(field.get("precision") or self.default_precision)

    def scale(self, field: Field) -> int:
        scale = field.get("scale")
        return int(self.default_scale if scale is None else scale)

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.Numeric(self.precision(field), self.scale(field), asdecimal=True)

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        scale, precision = self.scale(field), self.precision(field)
        plain = plain_decimal(scale, precision)

        def parse(value: Any) -> Decimal:
            if type(value) is str and plain(value):
                return Decimal(value)
            return parse_decimal(value, scale, precision)

        return parse

    def dumper(self, field: Field, ctx: FieldContext) -> Converter:
        quantum = Decimal(1).scaleb(-self.scale(field))

        def dump(value: Any) -> str:
            return str(Decimal(value).quantize(quantum))

        return dump

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {
            "type": ["string", "number"],
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": "a string for exactness; a number of at most 15 significant digits",
        }

    def json_check(self, field: Field) -> JsonCheck | None:
        return exact_decimal_check

    def check_field(self, field: Field, ctx: FieldContext) -> list[tuple[str, str]]:
        if self.scale(field) > self.precision(field):
            return [("/scale", "the scale must not be larger than the precision")]
        return []


class MoneyType(DecimalType):
    name = "money"
    label: ClassVar = {"en": "Money", "zh": "金额"}
    widget = "money"
    params: ClassVar = {
        **DecimalType.params,
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    }

    def value_schema(self, field: Field) -> dict[str, Any]:
        schema = super().value_schema(field)
        schema["description"] = (
            f"amount in {field.get('currency', 'CNY')}: " + schema["description"]
        )
        return schema


class PercentType(DecimalType):
    name = "percent"
    label: ClassVar = {"en": "Percent", "zh": "百分比"}
    widget = "percent"
    default_precision = 9

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        inner = super().parser(field, ctx)

        def parse(value: Any) -> Decimal:
            if isinstance(value, str) and value.strip().endswith("%"):
                value = value.strip()[:-1]
            result: Decimal = inner(value)
            return result

        return parse


class RatingType(FieldType):
    name = "rating"
    label: ClassVar = {"en": "Rating", "zh": "评分"}
    widget = "rating"
    params: ClassVar = {"max": {"type": "integer", "minimum": 1, "maximum": 10}}

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.SmallInteger()

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        top = int(field.get("max") or 5)

        def parse(value: Any) -> int:
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            if type(value) is float and value.is_integer():  # 3.0 is 3, as JSON Schema reads it
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
                raise InvalidValue(f"must be a whole number from 0 to {top}", "range")
            return value

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "integer", "minimum": 0, "maximum": int(field.get("max") or 5)}
