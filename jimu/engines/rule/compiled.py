"""A rule document compiled once: trigger, condition closure and action planners."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jimu.engines.expr import ExprError
from jimu.engines.expr import compile as compile_expr
from jimu.engines.rule import assign_action as _assign  # noqa: F401  (registers it)
from jimu.engines.rule import builtin_actions as _builtin  # noqa: F401  (registers the types)
from jimu.engines.rule import effect_actions as _effects  # noqa: F401  (registers the types)
from jimu.engines.rule import pool_action as _pool  # noqa: F401  (registers move_to_pool)
from jimu.engines.rule.actions import ACTIONS, Planner, RuleScope
from jimu.engines.rule.condition import Explanation, explain, truthy
from jimu.engines.rule.plan import Planned, PlannedWrite, RecordView, merge_updates
from jimu.engines.rule.triggers import RecordEvent, trigger_matches
from jimu.errors import JimuError


@dataclass(frozen=True)
class CompiledRule:
    name: str
    entity: str
    trigger: Mapping[str, Any]
    condition: Any
    body: Mapping[str, Any]
    planners: tuple[Planner, ...]
    _test: Any

    def matches(self, event: RecordEvent) -> bool:
        return trigger_matches(self.trigger, self.entity, event, self.name)

    def holds(self, record: RecordView) -> bool:
        """Whether the condition holds on ``record`` (raises ExprError on bad data)."""
        if self._test is None:
            return True
        return truthy(self._test(record.data(), record.context()))

    def explain(
        self, record: RecordView, lang: str = "en", labels: Mapping[str, str] | None = None
    ) -> Explanation:
        return explain(self.condition, record.data(), record.context(), lang, labels)

    def plan(self, record: RecordView) -> list[Planned]:
        """The writes and effects of every action, in order; each action sees the earlier
        actions' values for the rule's record, and updates of one record are merged into one
        write."""
        writes: list[Planned] = []
        for index, planner in enumerate(self.planners):
            planned = planner(record, index)
            for write in planned:
                if not isinstance(write, PlannedWrite):
                    continue
                same = record.exists and write.entity == record.entity
                if write.op == "update" and same and write.record_id == record.record_id:
                    record = record.with_values(write.values)
            writes.extend(planned)
        return merge_updates(writes)


def compile_rule(body: Mapping[str, Any], scope: RuleScope) -> CompiledRule:
    """Compile a rule document that passed ``rule_errors`` (raises JimuError otherwise)."""
    condition = body.get("condition")
    try:
        test = compile_expr(condition) if condition is not None else None
        planners = tuple(
            ACTIONS[str(spec["type"])].compile(spec, str(body["entity"]), scope)
            for spec in body.get("actions", [])
        )
    except (ExprError, KeyError) as exc:
        raise JimuError(f"The rule {body.get('name')!r} cannot be compiled: {exc}") from exc
    return CompiledRule(
        str(body["name"]),
        str(body["entity"]),
        dict(body["trigger"]),
        condition,
        body,
        planners,
        test,
    )
