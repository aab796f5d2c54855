"""Date and datetime field types. Datetimes are stored in UTC and travel as ISO 8601."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.engines.form.model import Field
from jimu.engines.form.sqltypes import UTCDateTime
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue

_BOUNDS = {"min": {"type": "string"}, "max": {"type": "string"}}


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidValue("must be a date like 2026-11-23", "type")
    text = value.strip().replace("/", "-")
    try:
        return (
            date.fromisoformat(text[:10])
            if len(text) > 10 and "T" in text
            else (date.fromisoformat(text))
        )
    except ValueError:
        raise InvalidValue("must be a date like 2026-11-23", "format") from None


def parse_datetime(value: Any) -> datetime:
    """An aware UTC datetime; naive input is taken as UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidValue(
                "must be a date and time like 2026-11-23T08:00:00Z", "format"
            ) from None
    else:
        raise InvalidValue("must be a date and time like 2026-11-23T08:00:00Z", "type")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


class DateType(FieldType):
    name = "date"
    label: ClassVar = {"en": "Date", "zh": "日期"}
    widget = "date"
    params: ClassVar = _BOUNDS
    ordered = True

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.Date()

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        return parse_date

    def dumper(self, field: Field, ctx: FieldContext) -> Converter:
        def dump(value: Any) -> str:
            return value.isoformat()[:10]  # type: ignore[no-any-return]

        return dump

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class DateTimeType(FieldType):
    name = "datetime"
    label: ClassVar = {"en": "Date and time", "zh": "日期时间"}
    widget = "datetime"
    params: ClassVar = _BOUNDS
    ordered = True

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return UTCDateTime()

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        return parse_datetime

    def dumper(self, field: Field, ctx: FieldContext) -> Converter:
        return format_datetime

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}
