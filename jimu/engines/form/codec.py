"""Record validation and conversion for one entity, compiled once and reused for every record.

``EntityCodec.parse`` turns an input dict into stored values keyed by field name and
collects *every* problem as a :class:`~jimu.errors.FieldError` (pointer ``/<field>``). With
``strict`` (JSON API input) each value must first have its field type's JSON type
(``FieldType.json_check``); without it (imports, HTML forms: text) values are converted.
``EntityCodec.dump`` turns a table row back into a JSON record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jimu.engines.form.codegen import InputField, build_field_parser
from jimu.engines.form.model import SYSTEM_COLUMNS, AppModel, Entity, Field
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue
from jimu.engines.form.types.base import _identity as identity
from jimu.engines.form.types.temporal import format_datetime
from jimu.errors import FieldError

#: System keys a client may send back unchanged; they are ignored on input (except owner_id).
IGNORED_INPUT = frozenset(SYSTEM_COLUMNS) - {"owner_id"}
#: Sources that may write read-only (not computed) fields.
PRIVILEGED_SOURCES = frozenset({"rule", "process", "system"})

_MISSING = object()


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass(frozen=True)
class CompiledField:
    """One field with its converters built: what ``parse`` and ``dump`` run per record."""

    field: Field
    type: FieldType
    column: str | None
    parse: Converter
    #: The type's JSON type check, run before ``parse`` on JSON API input (None: any JSON
    #: value goes to ``parse``).
    json_check: Callable[[Any], None] | None
    dump: Converter
    default: Any
    #: The stored value is already the JSON value (``dump`` returns it unchanged).
    dumps_as_is: bool = False

    @property
    def name(self) -> str:
        return self.field.name


def _bounded(parse: Converter, f: Field, ftype: FieldType) -> Converter:
    """``parse`` plus the field's min/max, length and regex rules (one closure per shape)."""
    if ftype.ordered and (f.has("min") or f.has("max")):
        parse = _ranged(parse, f)
    if ftype.textual:
        low, high = f.get("min_length"), f.get("max_length")
        if low is not None or high is not None:
            parse = _length_checked(parse, low, high)
        if f.has("pattern"):
            parse = _pattern_checked(parse, str(f.get("pattern")))
    return parse


def _ranged(parse: Converter, f: Field) -> Converter:
    low = parse(f.get("min")) if f.has("min") else None
    high = parse(f.get("max")) if f.has("max") else None
    too_low = f"must be at least {f.get('min')}"
    too_high = f"must be at most {f.get('max')}"

    def parse_in_range(value: Any) -> Any:
        result = parse(value)
        if low is not None and result < low:
            raise InvalidValue(too_low, "min")
        if high is not None and result > high:
            raise InvalidValue(too_high, "max")
        return result

    return parse_in_range


def _length_checked(parse: Converter, low: Any, high: Any) -> Converter:
    shortest = 0 if low is None else int(low)
    longest = None if high is None else int(high)

    def parse_with_length(value: Any) -> Any:
        result = parse(value)
        size = len(result)
        if size < shortest:
            raise InvalidValue(f"must be at least {shortest} characters long", "min_length")
        if longest is not None and size > longest:
            raise InvalidValue(f"must be at most {longest} characters long", "max_length")
        return result

    return parse_with_length


def _pattern_checked(parse: Converter, pattern: str) -> Converter:
    regex = re.compile(pattern)

    def parse_matching(value: Any) -> Any:
        result = parse(value)
        if not regex.fullmatch(result):
            raise InvalidValue(f"must match the pattern {regex.pattern}", "pattern")
        return result

    return parse_matching


def _safe_dump(dump: Converter) -> Converter:
    def run(value: Any) -> Any:
        return None if value is None else dump(value)

    return run


def compile_field(f: Field, ctx: FieldContext, registry: FieldTypeRegistry) -> CompiledField:
    ftype = registry.get(f.type)
    parse = _bounded(ftype.parser(f, ctx), f, ftype)
    check = ftype.json_check(f)
    dump = ftype.dumper(f, ctx)
    default: Any = _MISSING
    if f.has("default") and not ftype.computed:
        default = parse(f.get("default"))
    return CompiledField(
        field=f,
        type=ftype,
        column=ftype.column_name(f) if ftype.stores_column(f) else None,
        parse=parse,
        json_check=check,
        dump=_safe_dump(dump),
        default=default,
        dumps_as_is=dump is identity,
    )


class EntityCodec:
    """Validation and JSON conversion of one entity's records."""

    def __init__(self, app: AppModel, entity: Entity, registry: FieldTypeRegistry) -> None:
        self.app = app
        self.entity = entity
        ctx = FieldContext(app, entity, registry)
        self.fields: dict[str, CompiledField] = {
            f.name: compile_field(f, ctx, registry) for f in entity.fields
        }
        self.inputs = {n: c for n, c in self.fields.items() if not c.type.computed}
        self.computed = {n: c for n, c in self.fields.items() if c.type.computed}
        self.required = [n for n, c in self.inputs.items() if c.field.required]
        self.defaults = {n: c.default for n, c in self.inputs.items() if c.default is not _MISSING}
        self.formula_defaults = {
            n for n, c in self.inputs.items() if c.field.has("default_formula")
        }
        #: The per-field loops of ``parse``, generated once for this entity: converting
        #: (imports, forms) and strict (JSON API input).
        self._parse_fields = build_field_parser(
            [
                InputField(n, c.parse, c.field.readonly, [] if c.field.type == "subtable" else None)
                for n, c in self.inputs.items()
            ]
        )
        self._parse_json_fields = build_field_parser(
            [
                InputField(
                    n,
                    c.parse,
                    c.field.readonly,
                    [] if c.field.type == "subtable" else None,
                    c.json_check,
                )
                for n, c in self.inputs.items()
            ]
        )

    def parse(
        self,
        data: Mapping[str, Any],
        *,
        creating: bool,
        source: str = "api",
        pointer: str = "",
        skip_required: Mapping[str, Any] | None = None,
        strict: bool = False,
    ) -> tuple[dict[str, Any], list[FieldError]]:
        """Stored values by field name (plus ``owner_id`` if given), and every problem found.

        ``strict`` is for JSON input: a value of the wrong JSON type for its field (``42`` for
        a text) is an error (code ``wrong_type``) instead of being converted.

        On create, defaults fill missing fields and every required field must have a value; on
        update (partial) only the given keys are checked. Fields in ``skip_required`` (set by
        the caller, e.g. a sub-table row's link to its parent) are not checked for presence.
        """
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        parse_fields = self._parse_json_fields if strict else self._parse_fields
        taken = parse_fields(data, values, errors, pointer, source in PRIVILEGED_SOURCES)
        if taken != len(data):
            inputs = self.inputs
            for key, raw in data.items():
                if key in inputs:
                    continue
                if key == "owner_id":
                    values[key] = None if raw is None else _parse_owner(raw, pointer, errors)
                elif key not in IGNORED_INPUT:
                    problem = (
                        "is computed and cannot be set"
                        if key in self.computed
                        else "is not a field of this entity"
                    )
                    errors.append(FieldError(f"{pointer}/{key}", problem, "unknown_field"))
        if creating:
            for key, default in self.defaults.items():
                if key not in data:
                    values[key] = default
        for key in self.required:
            value = values.get(key)
            if value is not None and value != "" and value != [] and value != {}:
                continue
            if skip_required and key in skip_required:
                continue
            if creating and key in self.formula_defaults and key not in data:
                continue
            failed = any(e.pointer == f"{pointer}/{key}" for e in errors)
            if not failed and (creating or key in data):
                errors.append(FieldError(f"{pointer}/{key}", "is required", "required"))
        return values, errors

    def dump(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A JSON record from a table row (mapping of column names to stored values)."""
        record: dict[str, Any] = {"id": row["id"]}
        for name, compiled in self.fields.items():
            if compiled.column is not None and compiled.column in row:
                record[name] = compiled.dump(row[compiled.column])
        for key in SYSTEM_COLUMNS[1:]:
            if key in row:
                value = row[key]
                if key.endswith("_at") and value is not None:
                    value = format_datetime(value)
                record[key] = value
        return record


def _parse_owner(raw: Any, pointer: str, errors: list[FieldError]) -> int | None:
    if type(raw) is float and raw.is_integer():  # 7.0 is 7, as JSON Schema reads it
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw
    errors.append(FieldError(f"{pointer}/owner_id", "must be a user id", "type"))
    return None
