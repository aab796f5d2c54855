"""Attachment and region field types."""

from __future__ import annotations

import fnmatch
from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.engines.form.model import Field
from jimu.engines.form.sqltypes import JSONType
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue
from jimu.engines.form.types.json_input import JsonCheck, list_check

DEFAULT_MAX_SIZE = 20 * 1024 * 1024


def accepts(accept: list[str], name: str, media_type: str) -> bool:
    """Whether a file matches ``accept`` (``.pdf``, ``image/*``, ``application/pdf``)."""
    if not accept:
        return True
    lower = name.lower()
    for rule in accept:
        rule = rule.lower()
        if rule.startswith(".") and lower.endswith(rule):
            return True
        if "/" in rule and fnmatch.fnmatch(media_type.lower(), rule):
            return True
    return False


class AttachmentType(FieldType):
    """Files kept in the data directory; the value lists ``{key, name, size, type}``."""

    name = "attachment"
    label: ClassVar = {"en": "Attachment", "zh": "附件"}
    widget = "attachment"
    params: ClassVar = {
        "max_size": {"type": "integer", "minimum": 1},
        "max_files": {"type": "integer", "minimum": 1},
        "accept": {"type": "array", "items": {"type": "string"}},
    }

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return JSONType

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        max_size = int(field.get("max_size") or DEFAULT_MAX_SIZE)
        max_files = int(field.get("max_files") or 20)
        accept = [str(a) for a in field.get("accept") or []]

        def parse(value: Any) -> list[dict[str, Any]]:
            if isinstance(value, dict):
                value = [value]
            if not isinstance(value, list):
                raise InvalidValue("must be a list of uploaded files", "type")
            if len(value) > max_files:
                raise InvalidValue(f"must have at most {max_files} files", "max_files")
            files = []
            for item in value:
                if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                    raise InvalidValue("each file must be an uploaded file's key", "type")
                name, size = str(item.get("name", "")), item.get("size", 0)
                if type(size) is float and size.is_integer():
                    size = int(size)
                media_type = str(item.get("type", "application/octet-stream"))
                if not isinstance(size, int) or size > max_size:
                    raise InvalidValue(f"{name!r} is larger than {max_size} bytes", "max_size")
                if not accepts(accept, name, media_type):
                    raise InvalidValue(f"{name!r} is not an accepted file type", "accept")
                files.append({"key": item["key"], "name": name, "size": size, "type": media_type})
            return files

        return parse

    def json_check(self, field: Field) -> JsonCheck | None:
        return list_check(["object"], "a list of uploaded files")

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key"],
                "properties": {
                    "key": {"type": "string"},
                    "name": {"type": "string"},
                    "size": {"type": "integer"},
                    "type": {"type": "string"},
                },
            },
        }


REGION_PARTS = ("province", "city", "district")


class RegionType(FieldType):
    """A Chinese administrative region: province, city and district."""

    name = "region"
    label: ClassVar = {"en": "Region", "zh": "省市区"}
    widget = "region"
    params: ClassVar = {"level": {"enum": list(REGION_PARTS)}}

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return JSONType

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        def parse(value: Any) -> dict[str, str]:
            if isinstance(value, str):
                parts = [p.strip() for p in value.replace(" ", "/").split("/") if p.strip()]
                value = dict(zip(REGION_PARTS, parts, strict=False))
            if not isinstance(value, dict) or set(value) - set(REGION_PARTS):
                raise InvalidValue("must be a province, city and district", "type")
            if not all(isinstance(v, str) for v in value.values()) or not value.get("province"):
                raise InvalidValue("must name at least a province", "required")
            return {k: str(value[k]) for k in REGION_PARTS if value.get(k)}

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        parts: dict[str, Any] = {k: {"type": "string"} for k in REGION_PARTS}
        parts["province"] = {"type": "string", "minLength": 1}
        return {
            "type": "object",
            "properties": parts,
            "required": ["province"],
            "additionalProperties": False,
        }
