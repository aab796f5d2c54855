"""``move_to_pool``: give the rule's record back to its entity's public pool (公海), with a
return reason of the pool. Planned as a ``to_pool`` effect that the platform carries out
(``jimu.platform.pool.effects``): the owner field is emptied through the records service and
the owner change kept with its reason, in the rule run's transaction (docs/pool.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from jimu.engines.rule.actions import ActionType, Planner, RuleScope, register_action
from jimu.engines.rule.plan import PlannedEffect, RecordView
from jimu.errors import FieldError

#: The effect kind the platform's pool module handles.
TO_POOL = "to_pool"


class MoveToPool(ActionType):
    """``{"type": "move_to_pool", "reason": "no_follow_up", "note": "48 hours, no call"}``."""

    name: ClassVar[str] = "move_to_pool"
    properties: ClassVar[dict[str, Any]] = {
        "reason": {"type": "string", "minLength": 1, "maxLength": 63},
        "note": {"type": "string", "maxLength": 1000},
    }
    editors: ClassVar[dict[str, str]] = {"reason": "text", "note": "text"}

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        pool = scope.pools.get(entity)
        if pool is None:
            return [FieldError(f"{at}/type", f"{entity!r} has no public pool", "reference")]
        reason = spec.get("reason")
        if reason is None:
            if pool.reason_required:
                return [FieldError(f"{at}/reason", "the pool requires a reason", "required")]
            return []
        if reason not in pool.reasons:
            allowed = ", ".join(sorted(pool.reasons)) or "none"
            return [FieldError(f"{at}/reason", f"must be one of: {allowed}", "enum")]
        return []

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        payload = {"reason": spec.get("reason"), "note": spec.get("note")}

        def plan(record: RecordView, index: int) -> list[PlannedEffect]:
            return [PlannedEffect(index, TO_POOL, record.entity, record.record_id, dict(payload))]

        return plan


register_action(MoveToPool())
