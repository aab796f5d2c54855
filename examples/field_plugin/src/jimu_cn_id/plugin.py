"""The ``cn_id`` field type: an 18-character Chinese resident ID number with its checksum."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.engines.form.hookspecs import hookimpl
from jimu.engines.form.model import Field
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse_cn_id(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue("must be an 18-character ID number", "type")
    text = value.strip().replace(" ", "").upper()
    if not SHAPE.match(text):
        raise InvalidValue("must be 17 digits and a digit or X", "format")
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidValue("has an impossible birth date", "format") from None
    if check_character(text[:17]) != text[17]:
        raise InvalidValue("has a wrong check character", "checksum")
    return text


class ChineseIdType(FieldType):
    name = "cn_id"
    label: ClassVar = {"en": "Chinese ID number", "zh": "身份证号"}
    widget = "input"
    params: ClassVar = {"mask": {"type": "boolean"}}

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.String(18)

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        return parse_cn_id

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{17}[\dX]$"}


@hookimpl
def jimu_field_types() -> list[type[FieldType]]:
    return [ChineseIdType]
