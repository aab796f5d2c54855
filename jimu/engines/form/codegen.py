"""Per-entity Python functions for the two loops every record write runs: parsing input fields
and turning stored values into a JSON record.

A bulk create of a thousand leads runs these loops a thousand times; written generically they
spend as long walking the field list (dict look-ups, tuple unpacking, branches that never
change for an entity) as the field types spend converting values. Like the expression
engine's compiler (``jimu.engines.expr.codegen``), this writes the loop out once per entity as
straight-line Python with each field's name and converter bound as constants, and ``exec``s it.
Field names are identifiers (``^[a-z][a-z0-9_]*$``) and only ever appear as ``repr`` literals;
every converter is passed in through the namespace, never as source text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jimu.engines.form.types.base import Converter, InvalidValue
from jimu.errors import FieldError

#: Types whose empty values are blank input (``""``, ``[]``, ``{}``); ``0`` and ``False`` are not.
BLANKABLE = frozenset({str, list, dict})

#: parse_fields(data, values, errors, pointer, privileged) -> number of ``data`` keys it took
FieldParser = Callable[[Mapping[str, Any], dict[str, Any], list[FieldError], str, bool], int]
#: dump_record(values) -> JSON record
RecordDumper = Callable[[Mapping[str, Any]], dict[str, Any]]
#: dump_created(values) -> (JSON record, its non-blank field values)
CreatedDumper = Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, Any]]]


@dataclass(frozen=True)
class InputField:
    """What parsing one input field needs: its converter, whether it is read-only for
    unprivileged sources, the value a blank input stores, and (for JSON input) the JSON type
    check every value but null passes first, blank ones too: ``""`` clears a text, but is no
    number. It is called from the generated loop itself, so a checked value costs one call
    more than a converted one, and a converted one nothing."""

    name: str
    parse: Converter
    readonly: bool
    blank: Any
    check: Callable[[Any], None] | None = None


def _exec(source: str, namespace: dict[str, Any], name: str, filename: str) -> Any:
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def build_field_parser(fields: Sequence[InputField]) -> FieldParser:
    """A function that parses every field of ``fields`` present in ``data`` into ``values``.

    Problems are appended to ``errors`` as :class:`FieldError` at ``pointer + "/" + name``, in
    field order; it returns how many keys of ``data`` were fields, so the caller knows whether
    any other keys (system or unknown ones) need looking at.
    """
    namespace: dict[str, Any] = {
        "BLANKABLE": BLANKABLE,
        "InvalidValue": InvalidValue,
        "FieldError": FieldError,
    }
    lines = ["def parse_fields(data, values, errors, pointer, privileged):", "    taken = 0"]
    for i, f in enumerate(fields):
        key = repr(f.name)
        namespace[f"parse_{i}"] = f.parse
        namespace[f"blank_{i}"] = f.blank
        namespace[f"check_{i}"] = f.check
        lines += [f"    if {key} in data:", "        taken += 1"]
        indent = "        "
        if f.readonly:
            lines += [
                "        if not privileged:",
                f"            errors.append(FieldError(pointer + {'/' + f.name!r},"
                " 'is read-only', 'readonly'))",
                "        else:",
            ]
            indent = "            "
        error = f"errors.append(FieldError(pointer + {'/' + f.name!r}, exc.message, exc.code))"
        lines.append(f"{indent}raw = data[{key}]")
        if f.check is None:
            lines += [
                f"{indent}if raw is None or (raw.__class__ in BLANKABLE and not raw):",
                f"{indent}    values[{key}] = blank_{i}",
            ]
        else:
            lines += [
                f"{indent}if raw is None:",
                f"{indent}    values[{key}] = blank_{i}",
                f"{indent}elif raw.__class__ in BLANKABLE and not raw:",
                f"{indent}    try:",
                f"{indent}        check_{i}(raw)",
                f"{indent}        values[{key}] = blank_{i}",
                f"{indent}    except InvalidValue as exc:",
                f"{indent}        {error}",
            ]
        lines += [f"{indent}else:", f"{indent}    try:"]
        if f.check is not None:
            lines.append(f"{indent}        check_{i}(raw)")
        lines += [
            f"{indent}        values[{key}] = parse_{i}(raw)",
            f"{indent}    except InvalidValue as exc:",
            f"{indent}        {error}",
        ]
    lines.append("    return taken")
    parser: FieldParser = _exec(
        "\n".join(lines) + "\n", namespace, "parse_fields", "<jimu field parser>"
    )
    return parser


def build_record_dumper(
    fields: Sequence[tuple[str, Converter | None]],
    system_keys: Sequence[str],
    format_time: Callable[[datetime], str],
) -> RecordDumper:
    """A function from stored values to a JSON record: ``id``, ``fields`` in order (each
    through its converter, or as it is when that is None), then ``system_keys`` (date-times
    through ``format_time``). Keys missing from the values are left out (``id`` is None)."""
    dumper: RecordDumper = _record_function(fields, system_keys, format_time, initial=False)
    return dumper


def build_created_dumper(
    fields: Sequence[tuple[str, Converter | None]],
    system_keys: Sequence[str],
    format_time: Callable[[datetime], str],
) -> CreatedDumper:
    """Like :func:`build_record_dumper`, and also the record's non-blank field values (not
    None, ``""`` or ``[]``): what the history of a new record keeps, made in the same pass."""
    dumper: CreatedDumper = _record_function(fields, system_keys, format_time, initial=True)
    return dumper


def _record_function(
    fields: Sequence[tuple[str, Converter | None]],
    system_keys: Sequence[str],
    format_time: Callable[[datetime], str],
    *,
    initial: bool,
) -> Any:
    namespace: dict[str, Any] = {
        "datetime": datetime,
        "format_time": format_time,
        "EMPTYABLE": frozenset({str, list}),
    }
    lines = ["def dump_record(values):", "    record = {'id': values.get('id')}"]
    if initial:
        lines.append("    initial = {}")
    for i, (name, dump) in enumerate(fields):
        key = repr(name)
        lines.append(f"    if {key} in values:")
        if dump is None:
            lines.append(f"        value = values[{key}]")
        else:
            namespace[f"dump_{i}"] = dump
            lines.append(f"        value = dump_{i}(values[{key}])")
        lines.append(f"        record[{key}] = value")
        if initial:
            lines += [
                "        if value is not None and (value or value.__class__ not in EMPTYABLE):",
                f"            initial[{key}] = value",
            ]
    for name in system_keys:
        key = repr(name)
        lines += [
            f"    if {key} in values:",
            f"        value = values[{key}]",
            f"        record[{key}] = format_time(value) if isinstance(value, datetime) else value",
        ]
    lines.append("    return record, initial" if initial else "    return record")
    return _exec("\n".join(lines) + "\n", namespace, "dump_record", "<jimu record dumper>")
