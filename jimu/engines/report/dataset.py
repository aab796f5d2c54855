"""The dataset of a chart: a base entity, the entities its link fields reach (many-to-one,
joined), and child entities (one-to-many, each aggregated in its own subquery).

A field path is a field of the base entity (``amount``) or a chain of single link fields ending
in a field of the entity reached (``account.industry``, ``contact.account.region``). Each chain
is joined once (LEFT JOIN on the link's id, live rows of the reader's scope only), so a row of
the base entity is never repeated and totals never double.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError, to_sql
from jimu.engines.expr.sql import column_kind
from jimu.engines.form.model import AppModel, Entity, Field
from jimu.engines.form.sqltypes import UTCDateTime
from jimu.engines.form.tables import EntityTables

Expr = sa.ColumnElement[Any]
JsonLogic = Mapping[str, Any]

#: System columns a chart may use (``deleted_at`` and ``version`` are the platform's own).
SYSTEM_FIELDS = ("id", "created_at", "created_by", "updated_at", "updated_by", "owner_id")


@dataclass(frozen=True)
class Access:
    """What the reader may see: per entity, the read scope (None: every row) and hidden fields.
    An entity missing from ``scopes`` is readable without limit (an engine-level default; the
    platform always gives every entity of the dataset)."""

    scopes: Mapping[str, JsonLogic | None] = field(default_factory=dict)
    hidden: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: The ``$``-values scopes and filters may read (``$user``); scopes come bound already.
    context: Any = None


class PathProblem(Exception):
    """A field path that cannot be used; ``code`` is ``unknown_field`` or ``hidden_field``."""

    def __init__(self, message: str, code: str = "unknown_field") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Resolved:
    """A field path resolved to a column of an alias."""

    path: str
    entity: str
    field: Field | None  # None: a system column
    column: Expr
    kind: str  # the expression language's value kind: number, text, date, datetime, boolean
    integer: bool
    joined: bool  # reached through a many-to-one link

    @property
    def type(self) -> str:
        return self.field.type if self.field is not None else "system"


_ALIASES: dict[tuple[int, str], tuple[sa.Table, sa.FromClause]] = {}
_ALIAS_LIMIT = 2048


def alias_of(table: sa.Table, name: str) -> sa.FromClause:
    """``table AS name``, made once per table: an alias builds a proxy of every column of its
    table, the largest cost of compiling a chart. Expressions are immutable, so one alias
    serves every statement."""
    key = (id(table), name)
    hit = _ALIASES.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    if len(_ALIASES) >= _ALIAS_LIMIT:
        _ALIASES.clear()
    alias = table.alias(name)
    _ALIASES[key] = (table, alias)
    return alias


def for_expr(column: Expr) -> Expr:
    """The column as the expression engine reads it (UTC timestamps as plain timestamps)."""
    if isinstance(column.type, UTCDateTime):
        return sa.type_coerce(column, sa.DateTime(timezone=True))
    return column


def entity_columns(
    alias: sa.FromClause, tables: EntityTables, hidden: frozenset[str] = frozenset()
) -> dict[str, Expr]:
    """Field names and system keys → columns of ``alias`` (hidden fields left out)."""
    columns = {
        name: for_expr(alias.c[column])
        for name, column in tables.columns.items()
        if name not in hidden
    }
    for name in (*SYSTEM_FIELDS, "version", "deleted_at"):
        columns[name] = for_expr(alias.c[name])
    return columns


def scope_clause(
    alias: sa.FromClause, tables: EntityTables, rule: JsonLogic | None, context: Any
) -> Expr | None:
    if rule is None:
        return None
    return to_sql(dict(rule), entity_columns(alias, tables), context, where=True)


class Dataset:
    """The FROM clause of one chart, grown as paths are resolved."""

    def __init__(
        self,
        model: AppModel,
        tables: Mapping[str, EntityTables],
        entity: str,
        access: Access,
    ) -> None:
        self.model = model
        self.tables = tables
        self.access = access
        self.entity = entity
        self.base = alias_of(tables[entity].table, "t0")
        self.joins: dict[tuple[str, ...], tuple[sa.FromClause, str]] = {}
        self._from: sa.FromClause = self.base
        self._count = 0

    @property
    def from_clause(self) -> sa.FromClause:
        return self._from

    def add_outer_join(self, target: sa.FromClause, on: Expr) -> None:
        self._from = self._from.outerjoin(target, on)

    def add_inner_join(self, target: sa.FromClause, on: Expr) -> None:
        self._from = self._from.join(target, on)

    def where(self) -> list[Expr]:
        """The base rows: live ones in the reader's read scope."""
        conditions: list[Expr] = [self.base.c.deleted_at.is_(None)]
        scope = scope_clause(
            self.base,
            self.tables[self.entity],
            self.access.scopes.get(self.entity),
            self.access.context,
        )
        if scope is not None:
            conditions.append(scope)
        return conditions

    def hidden(self, entity: str) -> frozenset[str]:
        return self.access.hidden.get(entity, frozenset())

    def _join(self, chain: tuple[str, ...], parent: sa.FromClause, link: Field) -> sa.FromClause:
        known = self.joins.get(chain)
        if known is not None:
            return known[0]
        target = str(link.get("target"))
        self._count += 1
        alias = alias_of(self.tables[target].table, f"t{self._count}")
        parent_entity = self.entity if len(chain) == 1 else self.joins[chain[:-1]][1]
        link_column = parent.c[self.tables[parent_entity].columns[link.name]]
        on: list[Expr] = [alias.c.id == link_column, alias.c.deleted_at.is_(None)]
        scope = scope_clause(
            alias, self.tables[target], self.access.scopes.get(target), self.access.context
        )
        if scope is not None:
            on.append(scope)
        self.add_outer_join(alias, sa.and_(*on))
        self.joins[chain] = (alias, target)
        return alias

    def resolve(self, path: str, *, join: bool = True) -> Resolved:
        """The column of ``path``; PathProblem if it names no usable field."""
        parts = path.split(".")
        entity_name = self.entity
        alias: sa.FromClause = self.base
        for depth, name in enumerate(parts[:-1]):
            entity = self.model.entity(entity_name)
            link = entity.field(name)
            if link is None or name in self.hidden(entity_name):
                self._unknown(entity, name, entity_name)
            assert link is not None
            if link.type != "link" or link.get("many", False):
                raise PathProblem(
                    f"{name!r} of {entity_name} is not a single link field, so "
                    f"{'.'.join(parts[depth:])!r} cannot be followed"
                )
            chain = tuple(parts[: depth + 1])
            target = str(link.get("target"))
            alias = self._join(chain, alias, link) if join else self.tables[target].table
            entity_name = target
        return self._column(path, entity_name, alias, parts[-1], joined=len(parts) > 1)

    def _unknown(self, entity: Entity, name: str, entity_name: str) -> None:
        if name in self.hidden(entity_name):
            raise PathProblem(
                f"{name!r} of {entity_name} is a field you may not see", "hidden_field"
            )
        raise PathProblem(f"{name!r} is not a field of {entity_name}")

    def _column(
        self, path: str, entity_name: str, alias: sa.FromClause, name: str, *, joined: bool
    ) -> Resolved:
        entity = self.model.entity(entity_name)
        tables = self.tables[entity_name]
        if name in SYSTEM_FIELDS:
            column = alias.c[name]
            spec = None
        else:
            spec = entity.field(name)
            if spec is None or name in self.hidden(entity_name):
                self._unknown(entity, name, entity_name)
            if name not in tables.columns:
                raise PathProblem(f"{name!r} of {entity_name} has no stored value to chart")
            column = alias.c[tables.columns[name]]
        kind, integer = column_kind(for_expr(column))
        if kind == "other":
            raise PathProblem(f"{name!r} of {entity_name} holds values a chart cannot group")
        return Resolved(path, entity_name, spec, column, kind, integer, joined)


def json_vars(rule: Any) -> list[str]:
    """The field names (``var``) a JsonLogic rule reads, ``$``-values left out."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for op, args in node.items():
                if op == "var":
                    name = args[0] if isinstance(args, list) and args else args
                    if isinstance(name, str) and name and not name.startswith("$"):
                        if name not in found:
                            found.append(name)
                    elif not isinstance(name, str):
                        walk(args)
                else:
                    walk(args)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(rule)
    return found


def filter_clause(
    dataset: Dataset, rule: JsonLogic, pointer: str
) -> tuple[Expr | None, list[tuple[str, str, str]]]:
    """``rule`` over dataset paths as a WHERE condition, or its problems (pointer, message,
    code)."""
    problems: list[tuple[str, str, str]] = []
    columns: dict[str, Expr] = {}
    for name in json_vars(rule):
        try:
            columns[name] = for_expr(dataset.resolve(name).column)
        except PathProblem as problem:
            problems.append((pointer, f"{name!r}: {problem.message}", problem.code))
    if problems:
        return None, problems
    try:
        return to_sql(dict(rule), columns, dataset.access.context, where=True), []
    except ExprError as error:
        return None, [(pointer + error.pointer, error.message, "filter")]


def entities_of(spec: Mapping[str, Any], model: AppModel) -> list[str]:
    """Every entity a chart reads: its entity, the ones its paths reach, its children (the
    reader's scope applies to each). Paths that lead nowhere are left to the compiler's
    errors."""
    dataset = spec.get("dataset") if isinstance(spec.get("dataset"), Mapping) else {}
    assert isinstance(dataset, Mapping)
    base = str(dataset.get("entity", ""))
    if base not in model.entities:
        return []
    found = [base]
    paths: list[str] = []
    for key in ("dimensions", "measures", "date_ranges"):
        for item in spec.get(key) or []:
            own = key != "measures" or not (isinstance(item, Mapping) and item.get("child"))
            if own and isinstance(item, Mapping) and isinstance(item.get("field"), str):
                paths.append(str(item["field"]))
            if isinstance(item, Mapping) and item.get("filter"):
                paths += json_vars(item["filter"])
    paths += json_vars(spec.get("filter") or {})
    funnel = spec.get("funnel")
    then = funnel.get("then") if isinstance(funnel, Mapping) else None
    if isinstance(then, Mapping) and isinstance(then.get("link"), str):
        paths.append(f"{then['link']}.{then.get('field')}")  # the funnel's later steps
    for path in paths:
        entity = base
        for name in path.split(".")[:-1]:
            link = model.entities[entity].field(name) if entity in model.entities else None
            if link is None or link.type != "link":
                break
            entity = str(link.get("target"))
            if entity not in found and entity in model.entities:
                found.append(entity)
    for child in dataset.get("children") or []:
        name = str(child.get("entity")) if isinstance(child, Mapping) else ""
        if name in model.entities and name not in found:
            found.append(name)
    return found
