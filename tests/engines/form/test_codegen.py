"""The generated per-entity loops: field parsing and stored values → JSON records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jimu.engines.form.codegen import (
    InputField,
    build_created_dumper,
    build_field_parser,
    build_record_dumper,
)
from jimu.engines.form.types.base import InvalidValue
from jimu.errors import FieldError


def _number(value: Any) -> int:
    if not isinstance(value, int):
        raise InvalidValue("must be a number", "type")
    return value


FIELDS = [
    InputField("n", _number, readonly=False, blank=None),
    InputField("locked", str, readonly=True, blank=None),
    InputField("rows", list, readonly=False, blank=[]),
    InputField("it's", str, readonly=False, blank=None),  # quotes stay data, never code
]


def parse(data: dict[str, Any], privileged: bool = False) -> tuple[dict[str, Any], Any, int]:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    taken = build_field_parser(FIELDS)(data, values, errors, "/3", privileged)
    return values, [(e.pointer, e.code) for e in errors], taken


def test_fields_are_converted_blanks_stored_and_problems_collected() -> None:
    assert parse({"n": 2, "rows": [1], "it's": "x"}) == ({"n": 2, "rows": [1], "it's": "x"}, [], 3)
    assert parse({"n": "", "rows": [], "it's": None}) == (
        {"n": None, "rows": [], "it's": None},
        [],
        3,
    )
    assert parse({"n": "two", "locked": "x", "other": 1}) == (
        {},
        [("/3/n", "type"), ("/3/locked", "readonly")],
        2,  # "other" is left to the caller
    )
    assert parse({"locked": "x", "n": 0}, privileged=True) == ({"locked": "x", "n": 0}, [], 2)


def test_records_are_dumped_in_field_order_with_system_keys() -> None:
    now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    fields = [("a", None), ("b", str), ("it's", None)]
    dump = build_record_dumper(fields, ["created_at", "version"], lambda t: t.isoformat())
    values = {"version": 2, "b": 5, "a": 1, "created_at": now, "id": 9, "x": 0}
    record = dump(values)
    assert list(record) == ["id", "a", "b", "created_at", "version"]
    assert record == {"id": 9, "a": 1, "b": "5", "created_at": now.isoformat(), "version": 2}
    assert dump({"it's": "q"}) == {"id": None, "it's": "q"}


def test_a_new_records_initial_values_leave_out_only_blanks() -> None:
    fields = [(name, None) for name in ("none", "empty", "list", "zero", "false", "text", "obj")]
    dump = build_created_dumper(fields, ["version"], str)
    values = {"none": None, "empty": "", "list": [], "zero": 0, "false": False, "text": "t"}
    record, initial = dump({**values, "obj": {}, "version": 1, "id": 4})
    assert record == {"id": 4, **values, "obj": {}, "version": 1}
    assert initial == {"zero": 0, "false": False, "text": "t", "obj": {}}
