"""The action registry: each action type is a class that checks its settings and plans writes.

An action type is pure: ``check`` lists the problems of its settings (JSON pointers into the
rule document), ``compile`` returns a planner, a function of the record that returns the writes
the action would make. Side effects other than record writes (notify, webhooks) will plan
*effects* (``PlannedEffect``) that a platform handler carries out in the run's transaction;
see docs/rules.md, "Adding an action type".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from jimu.engines.expr import ExprError, check, parse_formula
from jimu.engines.expr import compile as compile_expr
from jimu.engines.rule.plan import Planned, RecordView
from jimu.errors import FieldError

#: Plans the writes and effects of one action on one record; gets the action's index in the
#: rule.
Planner = Callable[[RecordView, int], Sequence[Planned]]


@dataclass(frozen=True)
class RuleScope:
    """What checking a rule needs to know of its app: each entity's fields with their value
    types (the expression language's), and each link field's target entity."""

    types: Mapping[str, Mapping[str, str]]
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Multi-select fields by entity (tags).
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Date and date-time fields by entity (what a ``time`` trigger may count from).
    dates: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Each entity's fields by their field type's name (``user``, ``date``, ...), for
    #: settings that need a kind of field (recipients, a task's due date).
    kinds: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: The app's decision tables by name (their documents, as published).
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: ``$`` values formulas may read besides ``$old`` (a webhook rule's ``{"payload": "any"}``).
    context: Mapping[str, str] = field(default_factory=dict)
    #: Entities with a public pool, with its return reasons' values and whether one is required.
    pools: Mapping[str, PoolScope] = field(default_factory=dict)


@dataclass(frozen=True)
class PoolScope:
    """What a rule needs to know of an entity's public pool (docs/pool.md)."""

    reasons: frozenset[str] = frozenset()
    reason_required: bool = False


class ActionType:
    """Base of action types: ``name`` is the ``type`` of the action in the document.

    ``label`` names it in the rule designer's palette (``{"en": ..., "zh": ...}``), ``editors``
    the designer's editor for each settings property (a kind of
    :data:`jimu.engines.rule.vocabulary.EDITOR_KINDS`; a property without one gets ``json``).
    """

    name: ClassVar[str] = ""
    label: ClassVar[dict[str, str]] = {}
    editors: ClassVar[dict[str, str]] = {}
    #: JSON Schema properties of the action's settings (besides ``type``).
    properties: ClassVar[dict[str, Any]] = {}
    required: ClassVar[tuple[str, ...]] = ()

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        return []

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        """The planner of a checked ``spec`` on records of ``entity``."""
        raise NotImplementedError


ACTIONS: dict[str, ActionType] = {}


def register_action(action: ActionType) -> ActionType:
    """Add an action type (a plugin's too); its ``name`` must be new."""
    if not action.name or action.name in ACTIONS:
        raise ValueError(f"action type {action.name!r} is empty or taken")
    ACTIONS[action.name] = action
    return action


# -- helpers ---------------------------------------------------------------------------------


def field_errors(
    names: Any, at: str, entity: str, scope: RuleScope, what: str = "field"
) -> list[FieldError]:
    known = scope.types.get(entity, {})
    return [
        FieldError(f"{at}/{name}", f"{entity!r} has no {what} {name!r}", "reference")
        for name in names
        if name not in known
    ]


def formula_errors(
    formulas: Mapping[str, Any], at: str, source: str, scope: RuleScope
) -> list[FieldError]:
    """Each formula must parse and type-check against the record the rule runs on."""
    errors: list[FieldError] = []
    types = scope.types.get(source, {})
    context = {f"old.{k}": v for k, v in types.items()}
    context.update(scope.context)
    for name, text in formulas.items():
        where = f"{at}/{name}"
        try:
            rule = parse_formula(str(text))
        except ExprError as exc:
            errors.append(FieldError(where, exc.message, "formula"))
            continue
        errors.extend(
            FieldError(where, f"{p.message} ({p.pointer or '/'})", p.code)
            for p in check(rule, types, context)
        )
    return errors


def compile_values(
    values: Mapping[str, Any], formulas: Mapping[str, Any]
) -> Callable[[RecordView], dict[str, Any]]:
    """A function of the record giving the literal ``values`` and the ``formulas``' results."""
    compiled = {name: compile_expr(parse_formula(str(text))) for name, text in formulas.items()}
    fixed = dict(values)

    def computed(record: RecordView) -> dict[str, Any]:
        out = dict(fixed)
        if compiled:
            data, context = record.data(), record.context()
            for name, function in compiled.items():
                out[name] = function(data, context)
        return out

    return computed
