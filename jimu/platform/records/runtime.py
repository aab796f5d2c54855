"""Everything the write path needs about an app, compiled once: tables, codecs, formulas,
auto-number patterns and the dependency maps that keep lookups and rollups current."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.autonumber import AutonumberPattern
from jimu.engines.form.codec import CompiledField, EntityCodec
from jimu.engines.form.codegen import (
    CreatedDumper,
    RecordDumper,
    build_created_dumper,
    build_record_dumper,
)
from jimu.engines.form.model import SYSTEM_COLUMNS, AppModel, Entity, Field
from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.engines.form.tables import EntityTables, build_tables
from jimu.platform.records.pipeline import WritePipeline


@dataclass(frozen=True)
class LookupDependency:
    """``entity.field`` copies ``source`` of the record its link field ``link`` points to."""

    entity: str
    field: str
    link: str
    source: str


@dataclass(frozen=True)
class RollupDependency:
    """``entity.field`` aggregates ``child.source`` over children whose ``link`` points here."""

    entity: str
    field: str
    child: str
    link: str
    source: str | None
    function: str
    filter: Mapping[str, Any] | None


@dataclass
class EntityRuntime:
    name: str
    entity: Entity
    tables: EntityTables
    codec: EntityCodec
    formulas: dict[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)
    default_formulas: dict[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)
    autonumbers: dict[str, AutonumberPattern] = field(default_factory=dict)
    lookups: list[LookupDependency] = field(default_factory=list)
    unique: list[str] = field(default_factory=list)
    many_links: dict[str, str] = field(default_factory=dict)  # field → target entity
    links: dict[str, str] = field(default_factory=dict)  # field → target entity (to-one)
    subtables: dict[str, Field] = field(default_factory=dict)
    #: (field name, stored value → JSON value, or None if the stored value is the JSON value)
    #: in document order, built once.
    dumpers: list[tuple[str, Callable[[Any], Any] | None]] = field(default_factory=list)
    #: Statements built once and run with parameters (see records/query.py): SQLAlchemy adapts
    #: the cached result columns of a statement built anew on every execution.
    statements: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    @property
    def table(self) -> sa.Table:
        return self.tables.table

    def column(self, field_name: str) -> sa.Column[Any]:
        return self.table.c[self.tables.columns[field_name]]

    def compiled(self, field_name: str) -> CompiledField:
        return self.codec.fields[field_name]

    @cached_property
    def insert_columns(self) -> tuple[tuple[str, str], ...]:
        """(value key, column name) of every column a create writes: fields, then system."""
        fields = tuple(self.tables.columns.items())
        return fields + tuple((key, key) for key in SYSTEM_COLUMNS)

    @cached_property
    def dump_record(self) -> RecordDumper:
        """Stored values (by field name, plus system keys) → JSON record, generated once."""
        from jimu.platform.records.rows import iso_utc

        return build_record_dumper(self.dumpers, SYSTEM_COLUMNS[1:], iso_utc)

    @cached_property
    def dump_created(self) -> CreatedDumper:
        """Stored values of a new record → (JSON record, the initial values its history keeps)."""
        from jimu.platform.records.rows import iso_utc

        return build_created_dumper(self.dumpers, SYSTEM_COLUMNS[1:], iso_utc)

    @cached_property
    def decimal_inputs(self) -> tuple[tuple[str, int], ...]:
        """(name, scale) of the input fields stored as exact decimals (NUMERIC columns:
        decimal, money, percent)."""
        found = []
        for name in self.codec.inputs:
            column = self.tables.columns.get(name)
            if column is None:
                continue
            kind = self.table.c[column].type
            if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
                found.append((name, int(kind.scale or 0)))
        return tuple(found)

    @cached_property
    def decimal_fields(self) -> frozenset[str]:
        """The fields stored as exact decimals (NUMERIC columns: decimal, money, percent, and
        formulas or roll-ups returning decimals), which JSON records give as text."""
        found = set()
        for name, column in self.tables.columns.items():
            kind = self.table.c[column].type
            if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
                found.add(name)
        return frozenset(found)

    @cached_property
    def insert_getter(self) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
        """A record's values in ``insert_columns`` order, as one tuple (runs in C; there are
        always several: the system columns)."""
        return operator.itemgetter(*(key for key, _ in self.insert_columns))

    @property
    def stored(self) -> dict[str, str]:
        """field name → column name of every field with a column."""
        return self.tables.columns


def _field_dumper(compiled: CompiledField) -> Callable[[Any], Any] | None:
    return None if compiled.dumps_as_is else compiled.dump


class AppRuntime:
    """The compiled form of one published app version."""

    def __init__(self, model: AppModel, registry: FieldTypeRegistry | None = None) -> None:
        self.model = model
        self.registry = registry or default_registry()
        self.metadata = sa.MetaData()
        tables = build_tables(model, self.registry, self.metadata)
        self.entities: dict[str, EntityRuntime] = {}
        self.lookups_from: dict[str, list[LookupDependency]] = defaultdict(list)
        self.rollups_over: dict[str, list[RollupDependency]] = defaultdict(list)
        #: The steps every write runs after storing its records (records/pipeline.py; the
        #: standard ones are installed by ``write_path.compile_app``).
        self.pipeline = WritePipeline()
        for name, entity in model.entities.items():
            self.entities[name] = self._compile(entity, tables[name])

    def _compile(self, entity: Entity, tables: EntityTables) -> EntityRuntime:
        rt = EntityRuntime(
            entity.name, entity, tables, EntityCodec(self.model, entity, self.registry)
        )
        for f in entity.fields:
            rt.dumpers.append(
                (
                    f.name,
                    _list_dumper
                    if f.type == "subtable"
                    else (
                        _list_dumper
                        if f.type == "link" and f.get("many", False)
                        else _field_dumper(rt.codec.fields[f.name])
                    ),
                )
            )
            if f.type == "formula":
                rt.formulas[f.name] = _compile_formula(str(f.get("formula")))
            if f.has("default_formula"):
                rt.default_formulas[f.name] = _compile_formula(str(f.get("default_formula")))
            if f.type == "autonumber":
                rt.autonumbers[f.name] = AutonumberPattern.parse(str(f.get("pattern")))
            if f.unique:
                rt.unique.append(f.name)
            if f.type == "link":
                target = str(f.get("target"))
                (rt.many_links if f.get("many", False) else rt.links)[f.name] = target
            if f.type == "subtable":
                rt.subtables[f.name] = f
            if f.type == "lookup":
                link = entity.field(str(f.get("link")))
                assert link is not None
                dep = LookupDependency(entity.name, f.name, link.name, str(f.get("field")))
                rt.lookups.append(dep)
                self.lookups_from[str(link.get("target"))].append(dep)
            if f.type == "rollup":
                self.rollups_over[str(f.get("entity"))].append(
                    RollupDependency(
                        entity.name,
                        f.name,
                        str(f.get("entity")),
                        str(f.get("link")),
                        str(f.get("field")) if f.has("field") else None,
                        str(f.get("function")),
                        f.get("filter"),
                    )
                )
        return rt

    def entity(self, name: str) -> EntityRuntime:
        self.model.entity(name)  # raises NotFound with a clear message
        return self.entities[name]


def _list_dumper(value: Any) -> list[Any]:
    return list(value or [])


def _compile_formula(text: str) -> Callable[[Mapping[str, Any]], Any]:
    from jimu.engines.form.formulas import compile_formula

    return compile_formula(text)
