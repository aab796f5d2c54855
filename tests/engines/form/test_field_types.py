"""Built-in field types: parsing (with rules), JSON output, storage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jimu.engines.form import AppModel, EntityCodec, default_registry
from jimu.engines.form.types.base import InvalidValue
from jimu.engines.form.types.number import parse_decimal, plain_decimal
from jimu.engines.form.types.text import normalize_phone

REGISTRY = default_registry()


def codec(*fields: dict[str, Any]) -> EntityCodec:
    doc = {"kind": "entity", "name": "t", "label": {"en": "T"}, "fields": list(fields)}
    other = {"kind": "entity", "name": "o", "label": {"en": "O"}, "fields": []}
    app = AppModel.from_documents("a", [doc, other])
    return EntityCodec(app, app.entity("t"), REGISTRY)


def parse(field: dict[str, Any], value: Any) -> Any:
    values, errors = codec({"name": "f", **field}).parse({"f": value}, creating=True)
    if errors:
        return ("error", errors[0].code)
    return values["f"]


def dump(field: dict[str, Any], value: Any) -> Any:
    return codec({"name": "f", **field}).fields["f"].dump(value)


def test_every_builtin_type_is_registered() -> None:
    assert set(REGISTRY.names()) >= {
        "text",
        "textarea",
        "richtext",
        "number",
        "decimal",
        "money",
        "percent",
        "boolean",
        "date",
        "datetime",
        "select",
        "multiselect",
        "email",
        "phone",
        "url",
        "user",
        "department",
        "link",
        "subtable",
        "attachment",
        "autonumber",
        "formula",
        "lookup",
        "rollup",
        "region",
        "rating",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("0086-138-1234-5678", "+8613812345678"),
        ("010-12345678", "+861012345678"),
        ("+86 10 1234 5678", "+861012345678"),
        ("+86 (0)10 1234 5678", "+861012345678"),
        ("(010) 6552 9988", "+861065529988"),
        ("021-6123 4567", "+862161234567"),
        ("+86 21 6123 4567", "+862161234567"),
        ("0755-12345678", "+8675512345678"),
        ("+86 755 1234 5678", "+8675512345678"),
        ("0512-7765 4698", "+8651277654698"),
        ("0871-6123456", "+868716123456"),
        ("+86 871 612 3456", "+868716123456"),
        ("400-820-8820", "+864008208820"),
        ("+1 (415) 555-2671", "+14155552671"),
    ],
)
def test_phone_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "12",
        "+86 12345",
        "1234567890123456789",
        "phone",
        "+86 10 1234 567",  # Beijing numbers have 8 digits
        "011-12345678",  # no such area code
        "010-02345678",  # subscriber numbers do not start with 0
        "+86 128 1234 5678",  # not a mobile prefix
    ],
)
def test_bad_phone_numbers_are_refused(raw: str) -> None:
    assert parse({"type": "phone"}, raw) == ("error", "format")


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ({"type": "text"}, " hi ", "hi"),
        ({"type": "text"}, "a\nb", ("error", "format")),
        ({"type": "text", "max_length": 3}, "abcd", ("error", "max_length")),
        ({"type": "text", "min_length": 2}, "a", ("error", "min_length")),
        ({"type": "text", "pattern": "[A-Z]+"}, "abc", ("error", "pattern")),
        ({"type": "richtext"}, '<p onclick="x()">a<script>bad()</script></p>', "<p>a</p>"),
        ({"type": "number"}, "1,234.5", 1234.5),
        ({"type": "number"}, True, ("error", "type")),
        ({"type": "number", "integer": True}, 2.5, ("error", "type")),
        ({"type": "number", "integer": True}, 2**63 - 1, 2**63 - 1),
        ({"type": "number", "integer": True}, 2**63, ("error", "max")),  # beyond BIGINT
        ({"type": "number", "integer": True}, "-9223372036854775809", ("error", "max")),
        ({"type": "number", "integer": True}, 1e20, ("error", "max")),
        ({"type": "number", "min": 0}, -1, ("error", "min")),
        ({"type": "decimal", "scale": 2}, "1.005", ("error", "scale")),
        ({"type": "decimal", "scale": 2}, "1.50", Decimal("1.50")),
        ({"type": "decimal", "precision": 4, "scale": 2}, "123.4", ("error", "invalid")),
        ({"type": "money", "currency": "CNY"}, 0.1, Decimal("0.10")),
        ({"type": "percent"}, "12.5%", Decimal("12.50")),
        ({"type": "boolean"}, "是", True),
        ({"type": "boolean"}, "maybe", ("error", "type")),
        ({"type": "date"}, "2026/11/23", date(2026, 11, 23)),
        ({"type": "date", "min": "2026-01-01"}, "2025-12-31", ("error", "min")),
        ({"type": "email"}, "Li@Example.COM", "Li@example.com"),
        ({"type": "email"}, "li@", ("error", "format")),
        ({"type": "url"}, "example.com/x", "https://example.com/x"),
        ({"type": "url"}, "ftp://x.y", ("error", "format")),
        # control characters and whitespace anywhere (Python strips \x1e, ECMA's \s keeps it)
        ({"type": "url"}, "http://\x1e", ("error", "format")),
        ({"type": "url"}, "http://a\x1eb.cn", ("error", "format")),
        ({"type": "url"}, "https://a.cn/x\u3000y", ("error", "format")),
        ({"type": "select", "options": [{"value": "a", "label": {"zh": "甲"}}]}, "甲", "a"),
        ({"type": "select", "options": [{"value": "a"}]}, "b", ("error", "option")),
        ({"type": "multiselect", "options": [{"value": "a"}, {"value": "b"}]}, "b, a", ["a", "b"]),
        ({"type": "user"}, "12", 12),
        ({"type": "user"}, 0, ("error", "type")),
        ({"type": "link", "target": "o"}, {"id": 3}, 3),
        ({"type": "link", "target": "o", "many": True}, [3, 3, 4], [3, 4]),
        ({"type": "rating", "max": 5}, 6, ("error", "range")),
        (
            {"type": "region"},
            "广东省/深圳市/南山区",
            {"province": "广东省", "city": "深圳市", "district": "南山区"},
        ),
        (
            {"type": "attachment", "max_size": 10},
            [{"key": "k", "name": "a.pdf", "size": 11}],
            ("error", "max_size"),
        ),
        (
            {"type": "attachment", "accept": [".pdf"]},
            [{"key": "k", "name": "a.exe", "size": 1}],
            ("error", "accept"),
        ),
    ],
)
def test_parse(field: dict[str, Any], raw: Any, expected: Any) -> None:
    assert parse(field, raw) == expected


def test_datetimes_are_stored_in_utc_and_shown_with_z() -> None:
    field = {"type": "datetime"}
    stored = parse(field, "2026-11-23T08:30:00+08:00")
    assert stored.isoformat() == "2026-11-23T00:30:00+00:00"
    assert dump(field, stored) == "2026-11-23T00:30:00Z"
    assert dump(field, parse(field, "2026-11-23T08:30:00")) == "2026-11-23T08:30:00Z"


def test_required_and_defaults_on_create_but_not_on_partial_update() -> None:
    c = codec(
        {"name": "a", "type": "text", "required": True},
        {"name": "b", "type": "select", "default": "x", "options": [{"value": "x"}]},
    )
    values, errors = c.parse({}, creating=True)
    assert values == {"b": "x"} and [e.pointer for e in errors] == ["/a"]
    values, errors = c.parse({"b": None}, creating=False)
    assert values == {"b": None} and errors == []
    _, errors = c.parse({"a": ""}, creating=False)
    assert [e.code for e in errors] == ["required"]


def test_readonly_fields_can_only_be_written_by_rules_and_processes() -> None:
    c = codec({"name": "a", "type": "text", "readonly": True})
    assert [e.code for e in c.parse({"a": "x"}, creating=True)[1]] == ["readonly"]
    assert c.parse({"a": "x"}, creating=True, source="rule") == ({"a": "x"}, [])


@settings(max_examples=200)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_money_round_trips_exactly(value: Decimal) -> None:
    field = {"type": "money", "scale": 2}
    stored = parse(field, str(value))
    assert stored == value
    assert parse(field, dump(field, stored)) == stored


@settings(max_examples=300)
@given(
    st.text(alphabet="-0123456789.,e ", max_size=14),
    st.sampled_from([(2, 18), (0, 10), (2, 2), (4, 6), (3, 5)]),
)
def test_decimal_text_in_stored_form_parses_like_any_other_text(
    text: str, scale_and_precision: tuple[int, int]
) -> None:
    """The shortcut for text like ``"1200.50"`` gives what the full parser gives."""
    scale, precision = scale_and_precision
    try:
        expected: Any = parse_decimal(text, scale, precision)
    except InvalidValue as exc:
        expected = ("error", exc.code)
    field = {"type": "decimal", "scale": scale, "precision": precision}
    got = parse(field, text)
    if isinstance(expected, Decimal) and isinstance(got, Decimal):
        assert str(got) == str(expected)  # same digits and exponent, not only equal
    elif text.strip():
        assert got == expected
    if plain_decimal(scale, precision)(text):
        assert isinstance(got, Decimal)


def test_every_problem_of_a_record_is_reported_with_its_field() -> None:
    c = codec(
        {"name": "a", "type": "text", "required": True, "max_length": 3},
        {"name": "b", "type": "number", "min": 0},
        {"name": "c", "type": "email"},
        {"name": "d", "type": "text", "readonly": True},
    )
    values, errors = c.parse(
        {"a": "toolong", "b": -1, "c": "nope", "d": "x", "zz": 1, "id": 5}, creating=True
    )
    assert values == {}
    assert {(e.pointer, e.code) for e in errors} == {
        ("/a", "max_length"),
        ("/b", "min"),
        ("/c", "format"),
        ("/d", "readonly"),
        ("/zz", "unknown_field"),
    }
    values, errors = c.parse({"a": "ok", "b": "", "c": None, "owner_id": 3}, creating=True)
    assert values == {"a": "ok", "b": None, "c": None, "owner_id": 3} and errors == []
    values, errors = c.parse({"a": " "}, creating=False)
    assert values == {"a": ""} and [(e.pointer, e.code) for e in errors] == [("/a", "required")]
