"""Rule documents against their app: what the rule engine needs to know of the entities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.form.model import AppModel
from jimu.engines.form.pool import pool_settings
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import FieldContext
from jimu.engines.rule.actions import PoolScope, RuleScope
from jimu.engines.rule.document import rule_errors
from jimu.errors import FieldError


def rule_scope(
    app: AppModel,
    registry: FieldTypeRegistry,
    tables: Mapping[str, Mapping[str, Any]] | None = None,
) -> RuleScope:
    """Every entity's value types, single link fields, multi-select and date fields, pools,
    and the app's decision tables (by name) that rules may run."""
    from jimu.metadata.validate import value_types

    types: dict[str, dict[str, str]] = {}
    links: dict[str, dict[str, str]] = {}
    lists: dict[str, frozenset[str]] = {}
    dates: dict[str, frozenset[str]] = {}
    kinds: dict[str, dict[str, str]] = {}
    pools: dict[str, PoolScope] = {}
    for name, entity in app.entities.items():
        types[name] = value_types(entity, FieldContext(app, entity, registry), registry)
        links[name] = {
            f.name: str(f.get("target"))
            for f in entity.fields
            if f.type == "link" and not f.get("many", False)
        }
        lists[name] = frozenset(f.name for f in entity.fields if f.type == "multiselect")
        dates[name] = frozenset(
            f.name
            for f in entity.fields
            if types[name].get(f.name) in ("date", "datetime") or f.type in ("date", "datetime")
        )
        kinds[name] = {f.name: f.type for f in entity.fields}
        pool = pool_settings(entity)
        if pool is not None:
            reasons = frozenset(r.value for r in pool.return_reasons)
            pools[name] = PoolScope(reasons, pool.reason_required)
    return RuleScope(
        types, links, lists, dates=dates, kinds=kinds, tables=dict(tables or {}), pools=pools
    )


def rule_document_errors(
    rule: Mapping[str, Any],
    app: AppModel,
    registry: FieldTypeRegistry,
    tables: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[FieldError]:
    return rule_errors(rule, rule_scope(app, registry, tables))
