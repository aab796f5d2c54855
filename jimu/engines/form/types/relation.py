"""Reference field types: user, department, link (many-to-one / many-to-many), subtable."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.engines.form.model import Field
from jimu.engines.form.sqltypes import MAX_ID, BigId
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue
from jimu.engines.form.types.json_input import JsonCheck, list_check


def parse_id(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    if type(value) is float and value.is_integer():  # 7.0 is 7, as JSON Schema reads it
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValue("must be the id of a record (a positive whole number)", "type")
    if value > MAX_ID:
        raise InvalidValue(f"must be an id of at most {MAX_ID} (2^63 - 1)", "range")
    return value


class UserType(FieldType):
    name = "user"
    label: ClassVar = {"en": "User", "zh": "人员"}
    widget = "user"

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return BigId

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        return parse_id

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1}


class DepartmentType(UserType):
    name = "department"
    label: ClassVar = {"en": "Department", "zh": "部门"}
    widget = "department"


class LinkType(FieldType):
    """A reference to a record of ``target``: a ``<name>_id`` column, or a junction table."""

    name = "link"
    label: ClassVar = {"en": "Link to record", "zh": "关联记录"}
    widget = "link"
    params: ClassVar = {
        "target": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
        "many": {"type": "boolean"},
    }
    required_params = ("target",)
    editors: ClassVar = {"target": {"editor": "entity"}}

    def column_name(self, field: Field) -> str:
        return f"{field.name}_id"

    def stores_column(self, field: Field) -> bool:
        return not field.get("many", False)

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return BigId

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        if not field.get("many", False):
            return parse_id

        def parse_many(value: Any) -> list[int]:
            if not isinstance(value, list | tuple):
                raise InvalidValue("must be a list of record ids", "type")
            return list(dict.fromkeys(parse_id(v) for v in value))

        return parse_many

    def json_check(self, field: Field) -> JsonCheck | None:
        if field.get("many", False):
            return list_check(["integer"], "a list of record ids")
        return super().json_check(field)

    def value_schema(self, field: Field) -> dict[str, Any]:
        if field.get("many", False):
            return {"type": "array", "items": {"type": "integer", "minimum": 1}}
        return {"type": "integer", "minimum": 1}

    def check_field(self, field: Field, ctx: FieldContext) -> list[tuple[str, str]]:
        target = field.get("target")
        if target not in ctx.app.entities:
            return [("/target", f"there is no entity {target!r} in this app")]
        return []


class SubtableType(FieldType):
    """Child rows edited with the parent: ``target`` entity, whose ``link`` field points back."""

    name = "subtable"
    label: ClassVar = {"en": "Sub-table", "zh": "子表"}
    widget = "subtable"
    params: ClassVar = {
        "target": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
        "link": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
    }
    required_params = ("target", "link")
    editors: ClassVar = {
        "target": {"editor": "entity"},
        "link": {"editor": "field", "of": "target", "types": ["link"], "back": True},
    }
    has_column = False

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        def parse(value: Any) -> list[dict[str, Any]]:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise InvalidValue("must be a list of rows", "type")
            return value

        return parse

    def json_check(self, field: Field) -> JsonCheck | None:
        return list_check(["object"], "a list of rows")

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "object"}}

    def check_field(self, field: Field, ctx: FieldContext) -> list[tuple[str, str]]:
        target, link = field.get("target"), field.get("link")
        child = ctx.app.entities.get(str(target))
        if child is None:
            return [("/target", f"there is no entity {target!r} in this app")]
        back = child.field(str(link))
        if back is None or back.type != "link" or back.get("target") != ctx.entity.name:
            return [("/link", f"{target}.{link} must be a link field to {ctx.entity.name!r}")]
        if back.get("many", False):
            return [("/link", f"{target}.{link} must link to one record, not many")]
        return []
