"""Choice field types: boolean, select and multiselect (options with colours)."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.engines.form.model import Field
from jimu.engines.form.sqltypes import JSONType
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue
from jimu.engines.form.types.json_input import JsonCheck, list_check

_TRUE = {"true", "1", "yes", "y", "on", "是", "真", "✓"}
_FALSE = {"false", "0", "no", "n", "off", "否", "假", ""}

OPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["value"],
        "properties": {
            "value": {"type": "string", "minLength": 1, "maxLength": 64},
            "label": {"$ref": "#/$defs/label"},
            "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        },
        "additionalProperties": False,
    },
}


class BooleanType(FieldType):
    name = "boolean"
    label: ClassVar = {"en": "Yes/No", "zh": "是/否"}
    widget = "checkbox"

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.Boolean(create_constraint=False)

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        def parse(value: Any) -> bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            if isinstance(value, str):
                text = value.strip().lower()
                if text in _TRUE:
                    return True
                if text in _FALSE:
                    return False
            raise InvalidValue("must be true or false", "type")

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "boolean"}


def option_values(field: Field) -> list[str]:
    return [str(o["value"]) for o in field.get("options") or []]


def _option_lookup(field: Field) -> dict[str, str]:
    """Accept an option by value, or by its label in any language (for imports)."""
    lookup: dict[str, str] = {}
    for option in field.get("options") or []:
        for label in (option.get("label") or {}).values():
            lookup.setdefault(str(label), str(option["value"]))
    for value in option_values(field):
        lookup[value] = value
    return lookup


class SelectType(FieldType):
    name = "select"
    label: ClassVar = {"en": "Single select", "zh": "单选"}
    widget = "select"
    params: ClassVar = {"options": OPTIONS_SCHEMA}
    required_params = ("options",)
    editors: ClassVar = {"options": {"editor": "options"}}

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.String(64)

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        lookup = _option_lookup(field)
        allowed = ", ".join(option_values(field))

        def parse(value: Any) -> str:
            if not isinstance(value, str) or value.strip() not in lookup:
                raise InvalidValue(f"must be one of: {allowed}", "option")
            return lookup[value.strip()]

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "enum": option_values(field)}

    def check_field(self, field: Field, ctx: FieldContext) -> list[tuple[str, str]]:
        values = option_values(field)
        if len(set(values)) != len(values):
            return [("/options", "option values must be unique")]
        return []


class MultiSelectType(SelectType):
    name = "multiselect"
    label: ClassVar = {"en": "Multiple select", "zh": "多选"}
    widget = "multiselect"

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return JSONType

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        lookup = _option_lookup(field)
        order = {v: i for i, v in enumerate(option_values(field))}
        allowed = ", ".join(option_values(field))

        def parse(value: Any) -> list[str]:
            if isinstance(value, str):
                value = [v for v in (p.strip() for p in value.replace("，", ",").split(",")) if v]
            if not isinstance(value, list | tuple):
                raise InvalidValue("must be a list of options", "type")
            chosen: set[str] = set()
            for item in value:
                if not isinstance(item, str) or item.strip() not in lookup:
                    raise InvalidValue(f"{item!r} is not one of: {allowed}", "option")
                chosen.add(lookup[item.strip()])
            return sorted(chosen, key=order.__getitem__)

        return parse

    def json_check(self, field: Field) -> JsonCheck | None:
        return list_check(["string"], "a list of options")

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {"type": "string", "enum": option_values(field)},
            "uniqueItems": True,
        }
