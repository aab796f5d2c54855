"""The built-in field types, registered through the public plugin hook."""

from __future__ import annotations

from jimu.engines.form.hookspecs import hookimpl
from jimu.engines.form.types.base import FieldType
from jimu.engines.form.types.choice import BooleanType, MultiSelectType, SelectType
from jimu.engines.form.types.derived import AutonumberType, FormulaType, LookupType, RollupType
from jimu.engines.form.types.misc import AttachmentType, RegionType
from jimu.engines.form.types.number import (
    DecimalType,
    MoneyType,
    NumberType,
    PercentType,
    RatingType,
)
from jimu.engines.form.types.relation import DepartmentType, LinkType, SubtableType, UserType
from jimu.engines.form.types.temporal import DateTimeType, DateType
from jimu.engines.form.types.text import (
    EmailType,
    PhoneType,
    RichTextType,
    TextareaType,
    TextType,
    UrlType,
)

BUILTIN_TYPES: list[type[FieldType]] = [
    TextType,
    TextareaType,
    RichTextType,
    NumberType,
    DecimalType,
    MoneyType,
    PercentType,
    BooleanType,
    DateType,
    DateTimeType,
    SelectType,
    MultiSelectType,
    EmailType,
    PhoneType,
    UrlType,
    UserType,
    DepartmentType,
    LinkType,
    SubtableType,
    AttachmentType,
    AutonumberType,
    FormulaType,
    LookupType,
    RollupType,
    RegionType,
    RatingType,
]


@hookimpl
def jimu_field_types() -> list[type[FieldType]]:
    return list(BUILTIN_TYPES)
