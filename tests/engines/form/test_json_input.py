"""Strict JSON input: each field type accepts its own JSON types from the API (``strict=True``)
and keeps converting text for imports and forms (``strict=False``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa

from jimu.engines.form import AppModel, EntityCodec, default_registry
from jimu.engines.form.model import Field
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import Converter, FieldContext, FieldType
from jimu.engines.form.types.json_input import list_check, schema_types, type_check
from jimu.engines.form.types.text import TextType
from jimu.errors import FieldError

REGISTRY = default_registry()
OPTIONS = {"options": [{"value": "a", "label": {"en": "Alpha"}}, {"value": "b"}]}
#: field document, a right JSON value (strict parses it to ``stored``), a wrong one and the
#: message its error has; every wrong value is one the converting parse accepts.
CASES: list[tuple[dict[str, Any], Any, Any, Any, str]] = [
    ({"type": "text"}, "42", "42", 42, "expected text, got a number"),
    ({"type": "textarea"}, "x", "x", 1.5, "expected text, got a number"),
    ({"type": "richtext"}, "<b>x</b>", "<b>x</b>", 7, "expected text, got a number"),
    ({"type": "email"}, "a@b.cn", "a@b.cn", 5, "expected text, got a number"),
    (
        {"type": "phone"},
        "13812345678",
        "+8613812345678",
        13812345678,
        "expected text, got a number",
    ),
    ({"type": "url"}, "https://x.cn", "https://x.cn", 12.5, "expected text, got a number"),
    ({"type": "number"}, 12.5, 12.5, "12.5", "expected a number, got text"),
    ({"type": "number", "integer": True}, 5.0, 5, "5", "expected a whole number, got text"),
    (
        {"type": "money"},
        "12.50",
        Decimal("12.50"),
        True,
        "expected text or a number, got true or false",
    ),
    ({"type": "decimal"}, 12.5, Decimal("12.50"), [1], "expected text or a number, got a list"),
    (
        {"type": "percent"},
        "12.5",
        Decimal("12.50"),
        {"v": 1},
        "expected text or a number, got an object",
    ),
    ({"type": "boolean"}, False, False, "yes", "expected true or false, got text"),
    ({"type": "boolean"}, True, True, 1, "expected true or false, got a number"),
    ({"type": "date"}, "2026-11-23", "2026-11-23", 20261123, "expected text, got a number"),
    ({"type": "select", **OPTIONS}, "Alpha", "a", ["a"], "expected text, got a list"),
    (
        {"type": "multiselect", **OPTIONS},
        ["b", "a"],
        ["a", "b"],
        "a, b",
        "expected a list of options, got text",
    ),
    ({"type": "user"}, 7, 7, "7", "expected a whole number, got text"),
    ({"type": "department"}, 7, 7, "7", "expected a whole number, got text"),
    ({"type": "link", "target": "o"}, 7, 7, "7", "expected a whole number, got text"),
    (
        {"type": "link", "target": "o", "many": True},
        [3, 1],
        [3, 1],
        ["3"],
        "expected a list of record ids, got text in the list",
    ),
    (
        {"type": "region"},
        {"province": "广东"},
        {"province": "广东"},
        "广东/深圳",
        "expected an object, got text",
    ),
    ({"type": "rating"}, 4, 4, "4", "expected a whole number, got text"),
    (
        {"type": "attachment"},
        [{"key": "k"}],
        [{"key": "k", "name": "", "size": 0, "type": "application/octet-stream"}],
        {"key": "k"},
        "expected a list of uploaded files, got an object",
    ),
]


def codec(*fields: dict[str, Any], registry: FieldTypeRegistry = REGISTRY) -> EntityCodec:
    doc = {"kind": "entity", "name": "t", "label": {"en": "T"}, "fields": list(fields)}
    other = {"kind": "entity", "name": "o", "label": {"en": "O"}, "fields": []}
    app = AppModel.from_documents("a", [doc, other])
    return EntityCodec(app, app.entity("t"), registry)


def parsed(
    field: dict[str, Any], value: Any, *, strict: bool
) -> tuple[dict[str, Any], list[FieldError]]:
    return codec({"name": "f", **field}).parse({"f": value}, creating=False, strict=strict)


@pytest.mark.parametrize(("field", "right", "stored", "wrong", "message"), CASES)
def test_strict_input_takes_the_types_json_and_refuses_other_json_types(
    field: dict[str, Any], right: Any, stored: Any, wrong: Any, message: str
) -> None:
    values, errors = parsed(field, right, strict=True)
    assert errors == []
    got = values["f"]
    assert (got.isoformat() if hasattr(got, "isoformat") else got) == stored
    values, errors = parsed(field, wrong, strict=True)
    assert values == {}
    assert [(e.pointer, e.code, e.message) for e in errors] == [("/f", "wrong_type", message)]


#: What the converting parse (imports, HTML forms) makes of values strict input refuses.
CONVERTED: list[tuple[dict[str, Any], Any, Any]] = [
    ({"type": "text"}, 42, "42"),
    ({"type": "phone"}, 13812345678, "+8613812345678"),
    ({"type": "number"}, "1,200.5", 1200.5),
    ({"type": "number", "integer": True}, "5", 5),
    ({"type": "boolean"}, "是", True),
    ({"type": "boolean"}, 1, True),
    ({"type": "multiselect", **OPTIONS}, "b, Alpha", ["a", "b"]),
    ({"type": "user"}, "7", 7),
    ({"type": "link", "target": "o", "many": True}, ["3", 1], [3, 1]),
    ({"type": "region"}, "广东/深圳", {"province": "广东", "city": "深圳"}),
    ({"type": "rating"}, "4", 4),
]


@pytest.mark.parametrize(("field", "raw", "stored"), CONVERTED)
def test_converting_input_still_converts_what_strict_refuses(
    field: dict[str, Any], raw: Any, stored: Any
) -> None:
    assert parsed(field, raw, strict=False) == ({"f": stored}, [])
    _, errors = parsed(field, raw, strict=True)
    assert [e.code for e in errors] == ["wrong_type"]


def test_strict_blanks_clear_only_with_the_fields_own_json_type() -> None:
    for field, blank in (({"type": "text"}, ""), ({"type": "multiselect", **OPTIONS}, [])):
        values, errors = parsed(field, blank, strict=True)
        assert errors == [] and values["f"] in (None, [])
    for field, blank in (
        ({"type": "number"}, ""),
        ({"type": "text"}, []),
        ({"type": "region"}, ""),
    ):
        values, errors = parsed(field, blank, strict=True)
        assert [e.code for e in errors] == ["wrong_type"], field
        values, errors = parsed(field, blank, strict=False)
        assert errors == [] and values == {"f": None}


def test_null_clears_every_field_in_both_modes() -> None:
    for field, *_ in CASES:
        for strict in (True, False):
            values, errors = parsed(field, None, strict=strict)
            assert errors == [] and values["f"] in (None, []), field


def test_a_json_number_for_a_decimal_is_refused_past_15_significant_digits() -> None:
    for exact in (0.1, 123456789012.345, 1e-5, 1200.5, 10**17):
        _, errors = parsed({"type": "decimal", "precision": 30, "scale": 5}, exact, strict=True)
        assert errors == [], exact
    for inexact in (0.1 + 0.2, 1234567890123.4567, 12345678901234567.0):
        _, errors = parsed({"type": "decimal", "precision": 30, "scale": 5}, inexact, strict=True)
        assert [e.code for e in errors] == ["inexact_number"], inexact
        assert "send it as a string" in errors[0].message
    values, errors = parsed(
        {"type": "money", "precision": 30}, "1234567890123456789.99", strict=True
    )
    assert errors == [] and values["f"] == Decimal("1234567890123456789.99")


def test_strict_checks_sub_table_rows_and_many_link_items() -> None:
    _, errors = parsed({"type": "link", "target": "o", "many": True}, [1, True], strict=True)
    assert [e.message for e in errors] == [
        "expected a list of record ids, got true or false in the list"
    ]
    child = codec(
        {"name": "rows", "type": "subtable", "target": "o", "link": "parent"},
    )
    check = child.fields["rows"].json_check
    assert check is not None
    check([{}])
    with pytest.raises(ValueError, match="a list of rows"):
        check(["not a row"])


def test_every_error_of_a_strict_record_is_reported_with_the_field_rules_kept() -> None:
    c = codec(
        {"name": "name", "type": "text", "required": True},
        {"name": "score", "type": "number", "max": 10},
        {"name": "tags", "type": "multiselect", **OPTIONS},
    )
    _, errors = c.parse({"name": 5, "score": 11, "tags": "a"}, creating=True, strict=True)
    assert [(e.pointer, e.code) for e in errors] == [
        ("/name", "wrong_type"),
        ("/score", "max"),
        ("/tags", "wrong_type"),
    ]


class _Sized(FieldType):
    """A plugin type with no ``type`` in its value schema: its parser takes any JSON."""

    name = "sized"
    label: ClassVar = {"en": "Sized"}

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.Integer()

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        return len


class _Code(TextType):
    """A plugin type declaring its own JSON acceptance: a string or a whole number."""

    name = "code"

    def json_check(self, field: Field) -> Any:
        return type_check(["string", "integer"])

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        return str


def test_plugin_types_declare_their_json_by_value_schema_or_json_check() -> None:
    registry = FieldTypeRegistry([*(type(t) for t in REGISTRY), _Sized, _Code])
    c = codec({"name": "s", "type": "sized"}, {"name": "k", "type": "code"}, registry=registry)
    values, errors = c.parse({"s": [1, 2, 3], "k": 42}, creating=False, strict=True)
    assert errors == [] and values == {"s": 3, "k": "42"}
    _, errors = c.parse({"k": [1]}, creating=False, strict=True)
    assert [(e.pointer, e.message) for e in errors] == [
        ("/k", "expected text or a whole number, got a list")
    ]


def test_the_cn_id_plugin_accepts_only_strings_from_its_value_schema() -> None:
    if "cn_id" not in REGISTRY:
        pytest.skip("the example plugin is not installed")
    number = 11010519491231002
    _, errors = parsed({"type": "cn_id"}, number, strict=True)
    assert [e.code for e in errors] == ["wrong_type"]


def test_helpers_name_json_types_and_refuse_unknown_ones() -> None:
    assert schema_types({"type": "string"}) == ["string"]
    assert schema_types({"type": ["string", "number"]}) == ["string", "number"]
    assert schema_types({}) is None
    with pytest.raises(ValueError, match="not JSON types"):
        type_check(["text"])
    check = list_check(["string"], "a list of tags")
    check(["a"])
    with pytest.raises(ValueError, match="expected a list of tags, got a number"):
        check(3)
